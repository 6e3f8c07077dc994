package io.ringkv.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds storage backends on the class path by name. */
public final class StorageEngines {
    private StorageEngines() {
    }

    /** Names of every backend on the class path, sorted. */
    public static List<String> available() {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(StorageEngineProvider.class).forEach(p -> names.add(p.name()));
        names.sort(null);
        return names;
    }

    /** Opens the backend called {@code name}, or fails naming the ones that exist. */
    public static StorageEngine open(String name, EngineConfig config) {
        return provider(name).open(config);
    }

    /** Checks a config's options against the backend called {@code name} without opening anything (see {@link StorageEngineProvider#check}). */
    public static void check(String name, EngineConfig config) {
        provider(name).check(config);
    }

    private static StorageEngineProvider provider(String name) {
        for (StorageEngineProvider provider : ServiceLoader.load(StorageEngineProvider.class)) {
            if (provider.name().equals(name)) {
                return provider;
            }
        }
        throw new IllegalArgumentException("no storage backend named '" + name + "'; available: " + available());
    }
}
