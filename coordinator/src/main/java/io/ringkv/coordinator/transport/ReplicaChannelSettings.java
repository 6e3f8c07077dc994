package io.ringkv.coordinator.transport;

/**
 * How {@link GrpcTransport} uses the multiplexed replica channel ({@code ReplicaChannel.Exchange}:
 * one long-lived stream per peer carrying many small calls).
 *
 * @param enabled                small calls go over the channel; when false every call is a unary RPC
 * @param maxRecordBytes         writes of larger records, and reads whose record turns out larger,
 *                               use the unary and streaming RPCs, so a big record never holds up
 *                               small ones on the shared stream
 * @param maxInFlight            calls awaiting a reply on one peer's stream; past it, calls go unary
 * @param reconnectBackoffMillis after a stream to a peer fails, calls to it go unary this long
 *                               before a new stream is tried
 */
public record ReplicaChannelSettings(boolean enabled, int maxRecordBytes, int maxInFlight, long reconnectBackoffMillis) {
    public static final int DEFAULT_MAX_RECORD_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_IN_FLIGHT = 4096;
    public static final long DEFAULT_RECONNECT_BACKOFF_MILLIS = 200;
    public static final ReplicaChannelSettings DEFAULTS = new ReplicaChannelSettings(true, DEFAULT_MAX_RECORD_BYTES,
            DEFAULT_MAX_IN_FLIGHT, DEFAULT_RECONNECT_BACKOFF_MILLIS);
    public static final ReplicaChannelSettings DISABLED = new ReplicaChannelSettings(false, DEFAULT_MAX_RECORD_BYTES,
            DEFAULT_MAX_IN_FLIGHT, DEFAULT_RECONNECT_BACKOFF_MILLIS);

    public ReplicaChannelSettings {
        if (maxRecordBytes < 0 || maxRecordBytes > GrpcTransport.STREAM_THRESHOLD_BYTES) {
            throw new IllegalArgumentException("replica_channel_max_record_bytes must be in [0, "
                    + GrpcTransport.STREAM_THRESHOLD_BYTES + "], was " + maxRecordBytes);
        }
        if (maxInFlight < 1 || maxInFlight > 1_000_000) {
            throw new IllegalArgumentException("replica_channel_max_in_flight must be in [1, 1000000], was " + maxInFlight);
        }
        if (reconnectBackoffMillis < 0 || reconnectBackoffMillis > 60_000) {
            throw new IllegalArgumentException("replica_channel_reconnect_backoff_millis must be in [0, 60000], was "
                    + reconnectBackoffMillis);
        }
    }
}
