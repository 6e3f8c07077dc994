package io.ringkv.coordinator.keyspace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The keyspaces a cluster serves, by name; {@code default} is always among them. */
public final class Keyspaces {
    private final Map<String, Keyspace> byName;

    private Keyspaces(Map<String, Keyspace> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** The default keyspace plus {@code declared} (a declared {@code default} replaces the built-in one). */
    public static Keyspaces of(List<Keyspace> declared) {
        Map<String, Keyspace> map = new LinkedHashMap<>();
        map.put(Keyspace.DEFAULT_NAME, Keyspace.defaultKeyspace());
        for (Keyspace k : declared) {
            map.put(k.name(), k);
        }
        return new Keyspaces(map);
    }

    public static Keyspaces defaults() {
        return of(List.of());
    }

    /** The keyspace called {@code name} ({@code ""} means default), or an error naming the known ones. */
    public Keyspace resolve(String name) {
        String key = name == null || name.isEmpty() ? Keyspace.DEFAULT_NAME : name;
        Keyspace k = byName.get(key);
        if (k == null) {
            throw new IllegalArgumentException("unknown keyspace '" + key + "'; known: " + byName.keySet());
        }
        return k;
    }

    public List<Keyspace> all() {
        return List.copyOf(byName.values());
    }

    /** The largest N of any keyspace: the ring must place at least that many replicas per vnode. */
    public int maxReplicationFactor() {
        return byName.values().stream().mapToInt(Keyspace::n).max().orElse(1);
    }
}
