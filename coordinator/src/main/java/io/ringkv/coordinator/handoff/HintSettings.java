package io.ringkv.coordinator.handoff;

/**
 * Limits and pacing of hinted handoff.
 *
 * @param maxBytesPerTarget     hints kept for one target, in bytes (key plus stored hint); more are dropped
 * @param maxBytesTotal         hints kept for all targets together, in bytes
 * @param maxHintWindowMillis   a target believed down for longer than this gets no new hints (repair covers it)
 * @param replayBytesPerSecond  replay throughput of this node, all targets together
 * @param replayIntervalMillis  how often the replayer looks for targets that are back
 * @param deliveryTimeoutMillis deadline of one hint delivery
 * @param statsIntervalMillis   how often the counters are written to the system catalog
 */
public record HintSettings(long maxBytesPerTarget, long maxBytesTotal, long maxHintWindowMillis,
                           long replayBytesPerSecond, long replayIntervalMillis, long deliveryTimeoutMillis,
                           long statsIntervalMillis) {
    public static final long DEFAULT_MAX_BYTES_PER_TARGET = 1L << 30;
    public static final long DEFAULT_MAX_BYTES_TOTAL = 4L << 30;
    public static final long DEFAULT_MAX_HINT_WINDOW_MILLIS = 3 * 3_600_000L;
    public static final long DEFAULT_REPLAY_BYTES_PER_SECOND = 16L << 20;
    public static final long DEFAULT_REPLAY_INTERVAL_MILLIS = 1_000;
    public static final long DEFAULT_STATS_INTERVAL_MILLIS = 5_000;

    public static final HintSettings DEFAULTS = new HintSettings(DEFAULT_MAX_BYTES_PER_TARGET, DEFAULT_MAX_BYTES_TOTAL,
            DEFAULT_MAX_HINT_WINDOW_MILLIS, DEFAULT_REPLAY_BYTES_PER_SECOND, DEFAULT_REPLAY_INTERVAL_MILLIS, 2_000,
            DEFAULT_STATS_INTERVAL_MILLIS);

    public HintSettings {
        if (maxBytesPerTarget < 0 || maxBytesTotal < 0) {
            throw new IllegalArgumentException("hint byte caps must not be negative");
        }
        if (maxHintWindowMillis < 0) {
            throw new IllegalArgumentException("max_hint_window must not be negative, was " + maxHintWindowMillis + " ms");
        }
        if (replayBytesPerSecond < 1 || replayBytesPerSecond > TokenBucket.MAX_TOKENS) {
            throw new IllegalArgumentException("hint_replay_bytes_per_second must be in [1, " + TokenBucket.MAX_TOKENS
                    + "], was " + replayBytesPerSecond);
        }
        if (replayIntervalMillis < 1 || deliveryTimeoutMillis < 1 || statsIntervalMillis < 1) {
            throw new IllegalArgumentException("hint intervals and timeouts must be positive");
        }
    }

    public HintSettings withCaps(long perTarget, long total) {
        return new HintSettings(perTarget, total, maxHintWindowMillis, replayBytesPerSecond, replayIntervalMillis,
                deliveryTimeoutMillis, statsIntervalMillis);
    }

    public HintSettings withWindow(long millis) {
        return new HintSettings(maxBytesPerTarget, maxBytesTotal, millis, replayBytesPerSecond, replayIntervalMillis,
                deliveryTimeoutMillis, statsIntervalMillis);
    }

    public HintSettings withDeliveryTimeout(long millis) {
        return new HintSettings(maxBytesPerTarget, maxBytesTotal, maxHintWindowMillis, replayBytesPerSecond,
                replayIntervalMillis, millis, statsIntervalMillis);
    }
}
