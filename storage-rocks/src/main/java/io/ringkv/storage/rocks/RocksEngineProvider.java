package io.ringkv.storage.rocks;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngineProvider;

/** Registers the {@code rocks} backend with the ServiceLoader. */
public final class RocksEngineProvider implements StorageEngineProvider {
    @Override
    public String name() {
        return RocksEngine.NAME;
    }

    @Override
    public StorageEngine open(EngineConfig config) {
        return RocksEngine.open(RocksSettings.from(config));
    }

    @Override
    public void check(EngineConfig config) {
        RocksSettings.from(config);
    }
}
