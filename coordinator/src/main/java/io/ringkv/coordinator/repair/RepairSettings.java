package io.ringkv.coordinator.repair;

/**
 * The limits of anti-entropy, validated once at the edge (config keys in parentheses).
 *
 * @param intervalMillis       every vnode is repaired at least this often ({@code repair_interval});
 *                             0 turns the background scheduler off
 * @param bytesPerSecond       records streamed by repair, at most ({@code repair_bytes_per_second})
 * @param concurrentVnodes     vnodes one session repairs at a time ({@code repair_concurrent_vnodes})
 * @param keysInFlight         differing keys one exchange reconciles at once ({@code repair_keys_in_flight});
 *                             repair holds up to about three records per key in flight
 * @param pauseP99Millis       background repair pauses while the node's recent client-request p99 is above
 *                             this ({@code repair_pause_p99_ms}); 0 never pauses
 * @param pauseWindowMillis    that p99 is over the requests completed in the last this many ms
 *                             ({@code repair_pause_window}); with none, repair does not pause
 * @param gcGraceMillis        a tombstone is kept at least this long ({@code gc_grace})
 * @param merkleDepth          levels below a tree's root; the tree has 16^depth leaves ({@code merkle_depth})
 * @param rpcTimeoutMillis     deadline of one repair call to a peer ({@code repair_rpc_timeout_millis})
 */
public record RepairSettings(long intervalMillis, long bytesPerSecond, int concurrentVnodes, int keysInFlight,
                             long pauseP99Millis, long pauseWindowMillis, long gcGraceMillis, int merkleDepth,
                             long rpcTimeoutMillis) {
    public static final long DAY_MILLIS = 24L * 3600 * 1000;
    public static final long MIN_INTERVAL_MILLIS = 1_000;
    public static final long MAX_INTERVAL_MILLIS = 365 * DAY_MILLIS;
    public static final long MIN_BYTES_PER_SECOND = 1024;
    public static final int MAX_CONCURRENT_VNODES = 64;
    public static final int MAX_KEYS_IN_FLIGHT = 1024;
    public static final long MAX_PAUSE_P99_MILLIS = 60_000;
    public static final long MIN_PAUSE_WINDOW_MILLIS = 1_000;
    public static final long MAX_PAUSE_WINDOW_MILLIS = 3_600_000;
    public static final long MAX_GC_GRACE_MILLIS = 3650 * DAY_MILLIS;
    public static final int MAX_MERKLE_DEPTH = MerkleTree.MAX_DEPTH;

    /**
     * 24 h, 16 MiB/s, 2 vnodes and 64 keys at a time, pause above 50 ms p99 over the last 60 s, gc_grace
     * 10 days, depth 3, 60 s calls.
     */
    public static final RepairSettings DEFAULTS = new RepairSettings(DAY_MILLIS, 16L << 20, 2,
            TreeExchange.DEFAULT_KEYS_IN_FLIGHT, 50, 60_000, 10 * DAY_MILLIS, 3, 60_000);

    public RepairSettings {
        if (intervalMillis != 0 && (intervalMillis < MIN_INTERVAL_MILLIS || intervalMillis > MAX_INTERVAL_MILLIS)) {
            throw new IllegalArgumentException("repair_interval must be off or in [1s, 365d], was " + intervalMillis + " ms");
        }
        if (bytesPerSecond < MIN_BYTES_PER_SECOND) {
            throw new IllegalArgumentException("repair_bytes_per_second must be at least " + MIN_BYTES_PER_SECOND
                    + ", was " + bytesPerSecond);
        }
        if (concurrentVnodes < 1 || concurrentVnodes > MAX_CONCURRENT_VNODES) {
            throw new IllegalArgumentException("repair_concurrent_vnodes must be in [1, " + MAX_CONCURRENT_VNODES
                    + "], was " + concurrentVnodes);
        }
        if (keysInFlight < 1 || keysInFlight > MAX_KEYS_IN_FLIGHT) {
            throw new IllegalArgumentException("repair_keys_in_flight must be in [1, " + MAX_KEYS_IN_FLIGHT + "], was "
                    + keysInFlight);
        }
        if (pauseWindowMillis < MIN_PAUSE_WINDOW_MILLIS || pauseWindowMillis > MAX_PAUSE_WINDOW_MILLIS) {
            throw new IllegalArgumentException("repair_pause_window must be in [1s, 1h], was " + pauseWindowMillis + " ms");
        }
        if (pauseP99Millis < 0 || pauseP99Millis > MAX_PAUSE_P99_MILLIS) {
            throw new IllegalArgumentException("repair_pause_p99_ms must be in [0, " + MAX_PAUSE_P99_MILLIS + "], was "
                    + pauseP99Millis);
        }
        if (gcGraceMillis < 0 || gcGraceMillis > MAX_GC_GRACE_MILLIS) {
            throw new IllegalArgumentException("gc_grace must be in [0, 3650d], was " + gcGraceMillis + " ms");
        }
        if (merkleDepth < 1 || merkleDepth > MAX_MERKLE_DEPTH) {
            throw new IllegalArgumentException("merkle_depth must be in [1, " + MAX_MERKLE_DEPTH + "], was " + merkleDepth);
        }
        if (rpcTimeoutMillis < 1) {
            throw new IllegalArgumentException("repair_rpc_timeout_millis must be positive, was " + rpcTimeoutMillis);
        }
    }

    public boolean schedulerEnabled() {
        return intervalMillis > 0;
    }

    public RepairSettings withGcGraceMillis(long millis) {
        return new RepairSettings(intervalMillis, bytesPerSecond, concurrentVnodes, keysInFlight, pauseP99Millis,
                pauseWindowMillis, millis, merkleDepth, rpcTimeoutMillis);
    }

    public RepairSettings withConcurrentVnodes(int n) {
        return new RepairSettings(intervalMillis, bytesPerSecond, n, keysInFlight, pauseP99Millis, pauseWindowMillis,
                gcGraceMillis, merkleDepth, rpcTimeoutMillis);
    }

    public RepairSettings withIntervalMillis(long millis) {
        return new RepairSettings(millis, bytesPerSecond, concurrentVnodes, keysInFlight, pauseP99Millis,
                pauseWindowMillis, gcGraceMillis, merkleDepth, rpcTimeoutMillis);
    }

    public RepairSettings withKeysInFlight(int n) {
        return new RepairSettings(intervalMillis, bytesPerSecond, concurrentVnodes, n, pauseP99Millis, pauseWindowMillis,
                gcGraceMillis, merkleDepth, rpcTimeoutMillis);
    }

    public RepairSettings withPauseWindowMillis(long millis) {
        return new RepairSettings(intervalMillis, bytesPerSecond, concurrentVnodes, keysInFlight, pauseP99Millis, millis,
                gcGraceMillis, merkleDepth, rpcTimeoutMillis);
    }
}
