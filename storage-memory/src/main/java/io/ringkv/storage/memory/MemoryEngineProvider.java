package io.ringkv.storage.memory;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngineProvider;

/** Registers the {@code memory} backend with the ServiceLoader. */
public final class MemoryEngineProvider implements StorageEngineProvider {
    @Override
    public String name() {
        return MemoryEngine.NAME;
    }

    @Override
    public StorageEngine open(EngineConfig config) {
        if (!config.options().isEmpty()) {
            throw new IllegalArgumentException("the memory backend takes no options, got " + config.options().keySet());
        }
        return new MemoryEngine();
    }
}
