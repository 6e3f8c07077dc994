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
 * {@code rocks.max_total_wal_bytes} (default 256 MiB; 0 leaves RocksDB's own limit, four times all
 * write buffers): once the live write-ahead logs pass it, the column families that hold the oldest
 * one are flushed, so a family written rarely (a journal, hints) cannot keep every log alive, which
 * would grow the disk used and the replay at restart.
 * {@code rocks.blob_min_bytes} (default 0, off; else in [1, 1 GiB]): values at least this large are
 * written to blob files beside the LSM tree, written once at flush, so compactions move only their
 * keys instead of rewriting the bytes at every level. The price is on reads: a 256 KiB value costs
 * about three times the CPU to read from a blob file (docs/benchmarks.md), so it pays only where large
 * values are written far more than read. Set at or above the chunking threshold, it applies to the
 * chunk engine alone, as the data engine holds no value that large.
 * {@code rocks.delete_bytes_per_sec} (default 0, at once; else at least 1 MiB) and
 * {@code rocks.delete_chunk_bytes} (default 4 MiB, in [1 MiB, 1 GiB]): the pace at which files RocksDB no
 * longer needs (compacted tables, old logs) are deleted, a file larger than a chunk being truncated a
 * chunk at a time. On a filesystem mounted with {@code discard}, deleting a file at once sends the
 * device one discard for all of it (up to 20 ms for a 64 MiB table), and every log fsync on that
 * device waits behind it. Deleted files wait in the directory as {@code *.trash} for their turn, at
 * most {@code rocks.delete_trash_percent} (default 100, in [1, 1000]) of the live tables' bytes; past
 * that RocksDB deletes at once. Off by default: on the benchmark machine pacing took the discards out
 * of the slowest log fsyncs, but small writes' latency tail beside large values did not shrink.
 * Each group-commit fsync is reported to the config's {@link SyncObserver}.
 */
public record RocksSettings(Path dataDir, SyncMode sync, long syncDelayMillis, long blockCacheBytes,
                            long writeBufferBytes, int maxBackgroundJobs, boolean lowPriorityBackground,
                            long backgroundWriteBytesPerSec, int recycleLogFiles, long maxTotalWalBytes, long blobMinBytes,
                            long deleteBytesPerSec, long deleteChunkBytes, int deleteTrashPercent,
                            SyncObserver syncObserver) {
    static final String BLOCK_CACHE = "rocks.block_cache_bytes";
    static final String WRITE_BUFFER = "rocks.write_buffer_bytes";
    static final String BACKGROUND_JOBS = "rocks.max_background_jobs";
    static final String BACKGROUND_PRIORITY = "rocks.background_priority";
    static final String BACKGROUND_WRITE_RATE = "rocks.background_write_bytes_per_sec";
    static final String RECYCLE_LOG_FILES = "rocks.recycle_log_files";
    static final String MAX_TOTAL_WAL = "rocks.max_total_wal_bytes";
    static final String DELETE_RATE = "rocks.delete_bytes_per_sec";
    static final String DELETE_CHUNK = "rocks.delete_chunk_bytes";
    static final String DELETE_TRASH_PERCENT = "rocks.delete_trash_percent";
    /** The option that moves values of at least this many bytes into blob files. */
    static final String BLOB_MIN_BYTES = "rocks.blob_min_bytes";
    static final long MAX_BLOB_MIN_BYTES = 1L << 30;
    /** The smallest non-zero size option: below it a flush would take minutes, or logs would flush at every write. */
    static final long MIN_SIZE_OPTION = 1L << 20;
    private static final Set<String> KNOWN = Set.of(BLOCK_CACHE, WRITE_BUFFER, BACKGROUND_JOBS, BACKGROUND_PRIORITY,
            BACKGROUND_WRITE_RATE, RECYCLE_LOG_FILES, MAX_TOTAL_WAL, BLOB_MIN_BYTES,
            DELETE_RATE, DELETE_CHUNK, DELETE_TRASH_PERCENT);

    public RocksSettings {
        if (dataDir == null) {
            throw new IllegalArgumentException("the rocks backend needs a data directory");
        }
    }

    public static RocksSettings from(EngineConfig config) {
        for (String option : config.options().keySet()) {
            if (!KNOWN.contains(option)) {
                throw new IllegalArgumentException("unknown rocks option '" + option + "'; known: " + new java.util.TreeSet<>(KNOWN));
            }
        }
        return new RocksSettings(config.dataDir(), config.sync(), config.syncDelayMillis(),
                config.longOption(BLOCK_CACHE, 64L << 20, 1L << 20, 1L << 40),
                config.longOption(WRITE_BUFFER, 32L << 20, 1L << 20, 1L << 32),
                (int) config.longOption(BACKGROUND_JOBS, 2, 1, 64),
                lowPriority(config.options().getOrDefault(BACKGROUND_PRIORITY, "low")),
                backgroundWriteRate(config),
                (int) config.longOption(RECYCLE_LOG_FILES, 4, 0, 64),
                sizeOption(config, MAX_TOTAL_WAL, 256L << 20),
                config.longOption(BLOB_MIN_BYTES, 0, 0, MAX_BLOB_MIN_BYTES),
                sizeOption(config, DELETE_RATE, 0),
                config.longOption(DELETE_CHUNK, 4L << 20, MIN_SIZE_OPTION, 1L << 30),
                (int) config.longOption(DELETE_TRASH_PERCENT, 100, 1, 1000), config.syncObserver());
    }

    /** Bytes of deleted files that may wait for a paced delete, as a share of the live tables' bytes. */
    public double maxTrashRatio() {
        return deleteTrashPercent / 100.0;
    }

    /** Whether large values go to blob files. */
    public boolean blobFiles() {
        return blobMinBytes > 0;
    }

    private static long backgroundWriteRate(EngineConfig config) {
        return sizeOption(config, BACKGROUND_WRITE_RATE, 0);
    }

    /** A size option that is 0 (off) or in [1 MiB, 1 TiB]. */
    private static long sizeOption(EngineConfig config, String name, long defaultValue) {
        long value = config.longOption(name, defaultValue, 0, 1L << 40);
        if (value != 0 && value < MIN_SIZE_OPTION) {
            throw new IllegalArgumentException("option " + name + " must be 0 (off) or at least "
                    + MIN_SIZE_OPTION + ", was " + value);
        }
        return value;
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
