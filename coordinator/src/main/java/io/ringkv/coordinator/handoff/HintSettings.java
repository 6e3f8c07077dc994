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
 * @param replayMaxInFlight     hints sent to one target and not yet acknowledged, at most (the pacer may allow fewer)
 * @param maxAttempts           deliveries of one hint the target refused as invalid before it is dropped
 */
public record HintSettings(long maxBytesPerTarget, long maxBytesTotal, long maxHintWindowMillis,
                           long replayBytesPerSecond, long replayIntervalMillis, long deliveryTimeoutMillis,
                           long statsIntervalMillis, int replayMaxInFlight, int maxAttempts) {
    public static final long DEFAULT_MAX_BYTES_PER_TARGET = 1L << 30;
    public static final long DEFAULT_MAX_BYTES_TOTAL = 4L << 30;
    public static final long DEFAULT_MAX_HINT_WINDOW_MILLIS = 3 * 3_600_000L;
    public static final long DEFAULT_REPLAY_BYTES_PER_SECOND = 16L << 20;
    public static final long DEFAULT_REPLAY_INTERVAL_MILLIS = 1_000;
    public static final long DEFAULT_STATS_INTERVAL_MILLIS = 5_000;
    /**
     * Replay is bound by round trips and the target's group commit, not bytes: 32 replays small hints about
     * three times as fast as 8 (see README); the pacer still shrinks the window while the target's p99 is up.
     */
    public static final int DEFAULT_REPLAY_MAX_IN_FLIGHT = 32;
    /** Upper edge of {@code hint_replay_max_in_flight}: more would only queue at the target. */
    public static final int MAX_REPLAY_IN_FLIGHT = 1_024;
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    /** Upper edge of {@code hint_max_attempts}. */
    public static final int MAX_MAX_ATTEMPTS = 1_000_000;

    public static final HintSettings DEFAULTS = new HintSettings(DEFAULT_MAX_BYTES_PER_TARGET, DEFAULT_MAX_BYTES_TOTAL,
            DEFAULT_MAX_HINT_WINDOW_MILLIS, DEFAULT_REPLAY_BYTES_PER_SECOND, DEFAULT_REPLAY_INTERVAL_MILLIS, 2_000,
            DEFAULT_STATS_INTERVAL_MILLIS, DEFAULT_REPLAY_MAX_IN_FLIGHT, DEFAULT_MAX_ATTEMPTS);

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
        if (replayMaxInFlight < 1 || replayMaxInFlight > MAX_REPLAY_IN_FLIGHT) {
            throw new IllegalArgumentException("hint_replay_max_in_flight must be in [1, " + MAX_REPLAY_IN_FLIGHT
                    + "], was " + replayMaxInFlight);
        }
        if (maxAttempts < 1 || maxAttempts > MAX_MAX_ATTEMPTS) {
            throw new IllegalArgumentException("hint_max_attempts must be in [1, " + MAX_MAX_ATTEMPTS + "], was "
                    + maxAttempts);
        }
    }

    public HintSettings withCaps(long perTarget, long total) {
        return new HintSettings(perTarget, total, maxHintWindowMillis, replayBytesPerSecond, replayIntervalMillis,
                deliveryTimeoutMillis, statsIntervalMillis, replayMaxInFlight, maxAttempts);
    }

    public HintSettings withWindow(long millis) {
        return new HintSettings(maxBytesPerTarget, maxBytesTotal, millis, replayBytesPerSecond, replayIntervalMillis,
                deliveryTimeoutMillis, statsIntervalMillis, replayMaxInFlight, maxAttempts);
    }

    public HintSettings withDeliveryTimeout(long millis) {
        return new HintSettings(maxBytesPerTarget, maxBytesTotal, maxHintWindowMillis, replayBytesPerSecond,
                replayIntervalMillis, millis, statsIntervalMillis, replayMaxInFlight, maxAttempts);
    }

    /** The same settings with another replay window and attempt limit. */
    public HintSettings withReplay(int maxInFlight, int attempts) {
        return new HintSettings(maxBytesPerTarget, maxBytesTotal, maxHintWindowMillis, replayBytesPerSecond,
                replayIntervalMillis, deliveryTimeoutMillis, statsIntervalMillis, maxInFlight, attempts);
    }

    public HintSettings withRate(long bytesPerSecond, long intervalMillis) {
        return new HintSettings(maxBytesPerTarget, maxBytesTotal, maxHintWindowMillis, bytesPerSecond, intervalMillis,
                deliveryTimeoutMillis, statsIntervalMillis, replayMaxInFlight, maxAttempts);
    }
}
