package io.ringkv.storage.rocks;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.SyncMode;
import java.nio.file.Path;
import java.util.Set;

/**
 * The RocksDB backend's settings, read once from an {@link EngineConfig}. Options:
 * {@code rocks.block_cache_bytes} (default 64 MiB, shared by all namespaces),
 * {@code rocks.write_buffer_bytes} (per namespace, default 32 MiB),
 * {@code rocks.max_background_jobs} (default 2).
 */
public record RocksSettings(Path dataDir, SyncMode sync, long syncDelayMillis, long blockCacheBytes,
                            long writeBufferBytes, int maxBackgroundJobs) {
    static final String BLOCK_CACHE = "rocks.block_cache_bytes";
    static final String WRITE_BUFFER = "rocks.write_buffer_bytes";
    static final String BACKGROUND_JOBS = "rocks.max_background_jobs";
    private static final Set<String> KNOWN = Set.of(BLOCK_CACHE, WRITE_BUFFER, BACKGROUND_JOBS);

    public RocksSettings {
        if (dataDir == null) {
            throw new IllegalArgumentException("the rocks backend needs a data directory");
        }
    }

    public static RocksSettings from(EngineConfig config) {
        for (String option : config.options().keySet()) {
            if (!KNOWN.contains(option)) {
                throw new IllegalArgumentException("unknown rocks option '" + option + "'; known: " + KNOWN);
            }
        }
        return new RocksSettings(config.dataDir(), config.sync(), config.syncDelayMillis(),
                config.longOption(BLOCK_CACHE, 64L << 20, 1L << 20, 1L << 40),
                config.longOption(WRITE_BUFFER, 32L << 20, 1L << 20, 1L << 32),
                (int) config.longOption(BACKGROUND_JOBS, 2, 1, 64));
    }
}
