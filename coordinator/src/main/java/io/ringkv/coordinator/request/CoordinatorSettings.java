package io.ringkv.coordinator.request;

/**
 * Tunables of request coordination. {@code defaultTimeoutMillis}: deadline of a request that
 * brings none (2 s). {@code readRepairChance}: share of reads that also check, in the
 * background, the replicas outside their read set (0..1). {@code speculativeRetry}: ask one
 * more replica when a read has not heard back by the recent p95 replica latency, but never
 * sooner than {@code speculativeMinDelayMillis}.
 */
public record CoordinatorSettings(long defaultTimeoutMillis, double readRepairChance, boolean speculativeRetry,
                                  long speculativeMinDelayMillis) {
    public static final CoordinatorSettings DEFAULTS = new CoordinatorSettings(2_000, 0.1, true, 1);

    public CoordinatorSettings {
        if (defaultTimeoutMillis < 1 || defaultTimeoutMillis > 600_000) {
            throw new IllegalArgumentException("defaultTimeoutMillis must be in [1, 600000], was " + defaultTimeoutMillis);
        }
        if (!(readRepairChance >= 0 && readRepairChance <= 1)) {
            throw new IllegalArgumentException("readRepairChance must be in [0, 1], was " + readRepairChance);
        }
        if (speculativeMinDelayMillis < 0) {
            throw new IllegalArgumentException("speculativeMinDelayMillis must not be negative");
        }
    }
}
