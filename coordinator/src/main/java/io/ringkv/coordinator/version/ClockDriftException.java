package io.ringkv.coordinator.version;

/**
 * Thrown when a peer's clock reading is further ahead of ours than the configured drift bound.
 * The reading is not merged, so a single node with a bad clock cannot drag every clock in the
 * cluster into the future; the caller should reject the message that carried it.
 */
public final class ClockDriftException extends RuntimeException {
    private final long remotePhysicalMillis;
    private final long localPhysicalMillis;
    private final long maxDriftMillis;

    public ClockDriftException(long remotePhysicalMillis, long localPhysicalMillis, long maxDriftMillis) {
        super("remote clock reading " + remotePhysicalMillis + " ms is " + (remotePhysicalMillis - localPhysicalMillis)
                + " ms ahead of the local clock " + localPhysicalMillis + " ms; max drift is " + maxDriftMillis + " ms");
        this.remotePhysicalMillis = remotePhysicalMillis;
        this.localPhysicalMillis = localPhysicalMillis;
        this.maxDriftMillis = maxDriftMillis;
    }

    public long remotePhysicalMillis() {
        return remotePhysicalMillis;
    }

    public long localPhysicalMillis() {
        return localPhysicalMillis;
    }

    public long maxDriftMillis() {
        return maxDriftMillis;
    }
}
