package io.ringkv.storage;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a backend is opened with: where its files go, the durability mode, backend-specific
 * options (for example {@code rocks.block_cache_bytes}; unknown options are an error), and who is
 * told of each fsync.
 */
public record EngineConfig(Path dataDir, SyncMode sync, long syncDelayMillis, Map<String, String> options,
                           SyncObserver syncObserver) {
    public EngineConfig {
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(syncObserver, "syncObserver");
        if (syncDelayMillis < 0 || syncDelayMillis > 10_000) {
            throw new IllegalArgumentException("syncDelayMillis must be in [0, 10000], was " + syncDelayMillis);
        }
        options = Map.copyOf(options);
    }

    public EngineConfig(Path dataDir, SyncMode sync, long syncDelayMillis, Map<String, String> options) {
        this(dataDir, sync, syncDelayMillis, options, SyncObserver.NONE);
    }

    public EngineConfig withSyncObserver(SyncObserver observer) {
        return new EngineConfig(dataDir, sync, syncDelayMillis, options, observer);
    }

    /** An in-memory or throwaway configuration: no directory, sync never. */
    public static EngineConfig ephemeral() {
        return new EngineConfig(null, SyncMode.NEVER, 0, Map.of());
    }

    public static EngineConfig at(Path dataDir, SyncMode sync) {
        return new EngineConfig(dataDir, sync, 2, Map.of());
    }

    public EngineConfig withOptions(Map<String, String> more) {
        var merged = new java.util.HashMap<>(options);
        merged.putAll(more);
        return new EngineConfig(dataDir, sync, syncDelayMillis, merged, syncObserver);
    }

    /** Reads a numeric option, with a default and an inclusive range. */
    public long longOption(String name, long defaultValue, long min, long max) {
        String raw = options.get(name);
        if (raw == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + " must be a number, was '" + raw + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("option " + name + " must be in [" + min + ", " + max + "], was " + value);
        }
        return value;
    }
}
