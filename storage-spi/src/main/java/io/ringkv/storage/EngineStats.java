package io.ringkv.storage;

import java.util.Map;

/** Sizes of every namespace an engine holds, by namespace name. */
public record EngineStats(String engine, Map<String, NamespaceStats> namespaces) {
    public EngineStats {
        namespaces = Map.copyOf(namespaces);
    }

    /** Stats of one namespace, zero when it has never been written. */
    public NamespaceStats of(Namespace ns) {
        return namespaces.getOrDefault(ns.name(), new NamespaceStats(0, 0));
    }
}
