package io.ringkv.storage.rocks;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.SyncMode;
import io.ringkv.storage.SyncObserver;
import java.nio.file.Path;
import java.util.Set;

/**
 * The RocksDB backend's settings, read once from an {@link EngineConfig}. Options:
 * {@code rocks.block_cache_bytes} (default 64 MiB, shared by all namespaces),
 * {@code rocks.write_buffer_bytes} (per namespace, default 32 MiB),
 * {@code rocks.max_background_jobs} (default 2),
 * {@code rocks.background_priority} ({@code low}, the default, or {@code normal}): {@code low} runs
 * flushes and compactions at the lowest CPU priority (nice 19), so on a busy machine they use the
 * idle time instead of delaying requests. RocksDB's background threads are shared by every engine
 * of a process, so the first engine opened with {@code low} lowers them for all.
 * {@code rocks.background_write_bytes_per_sec} (default 0, unlimited; else at least 1 MiB): a cap on
 * what flushes and compactions write per second, so their writeback does not queue the log's fsyncs
 * behind it.
 * {@code rocks.recycle_log_files} (default 4, at most 64; 0 turns it off): how many write-ahead log
 * files RocksDB keeps to write over instead of creating new ones. A recycled log does not grow, so
 * its fsync (an fdatasync) flushes data without a filesystem journal commit for the file's new size;
 * the cost is the kept files' disk space (each about one write buffer).
 * Each group-commit fsync is reported to the config's {@link SyncObserver}.
 */
public record RocksSettings(Path dataDir, SyncMode sync, long syncDelayMillis, long blockCacheBytes,
                            long writeBufferBytes, int maxBackgroundJobs, boolean lowPriorityBackground,
                            long backgroundWriteBytesPerSec, int recycleLogFiles, SyncObserver syncObserver) {
    static final String BLOCK_CACHE = "rocks.block_cache_bytes";
    static final String WRITE_BUFFER = "rocks.write_buffer_bytes";
    static final String BACKGROUND_JOBS = "rocks.max_background_jobs";
    static final String BACKGROUND_PRIORITY = "rocks.background_priority";
    static final String BACKGROUND_WRITE_RATE = "rocks.background_write_bytes_per_sec";
    static final String RECYCLE_LOG_FILES = "rocks.recycle_log_files";
    /** The smallest background write cap: below it a flush of one write buffer would take minutes. */
    static final long MIN_BACKGROUND_WRITE_RATE = 1L << 20;
    private static final Set<String> KNOWN = Set.of(BLOCK_CACHE, WRITE_BUFFER, BACKGROUND_JOBS, BACKGROUND_PRIORITY,
            BACKGROUND_WRITE_RATE, RECYCLE_LOG_FILES);

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
                (int) config.longOption(BACKGROUND_JOBS, 2, 1, 64),
                lowPriority(config.options().getOrDefault(BACKGROUND_PRIORITY, "low")),
                backgroundWriteRate(config),
                (int) config.longOption(RECYCLE_LOG_FILES, 4, 0, 64), config.syncObserver());
    }

    private static long backgroundWriteRate(EngineConfig config) {
        long rate = config.longOption(BACKGROUND_WRITE_RATE, 0, 0, 1L << 40);
        if (rate != 0 && rate < MIN_BACKGROUND_WRITE_RATE) {
            throw new IllegalArgumentException("option " + BACKGROUND_WRITE_RATE + " must be 0 (unlimited) or at least "
                    + MIN_BACKGROUND_WRITE_RATE + ", was " + rate);
        }
        return rate;
    }

    private static boolean lowPriority(String raw) {
        return switch (raw.trim()) {
            case "low" -> true;
            case "normal" -> false;
            default -> throw new IllegalArgumentException(
                    "option " + BACKGROUND_PRIORITY + " must be low or normal, was '" + raw + "'");
        };
    }
}
