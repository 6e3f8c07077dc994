package io.ringkv.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How the client uses the multiplexed KV channel ({@code KVChannel.Exchange}): one long-lived stream
 * per node carrying small gets, puts and deletes, instead of one RPC each.
 *
 * @param enabled          false sends every call as its own RPC
 * @param maxValueBytes    puts of larger values, and gets of larger values, use the RPCs: a large
 *                         message on the shared stream would hold up the small calls behind it
 * @param maxInFlight      calls waiting for replies on one node's stream; more go as RPCs
 * @param reconnectBackoff after a stream fails, how long calls to that node go as RPCs before a
 *                         new stream is tried
 * @param timeoutTick      how often the client looks for channel calls past their deadline (the
 *                         precision of their timeouts)
 */
record KvChannelSettings(boolean enabled, int maxValueBytes, int maxInFlight, Duration reconnectBackoff,
                         Duration timeoutTick) {
    static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
    static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    static final int MAX_IN_FLIGHT_LIMIT = 1 << 16;
    static final Duration DEFAULT_RECONNECT_BACKOFF = Duration.ofMillis(200);
    static final Duration DEFAULT_TIMEOUT_TICK = Duration.ofMillis(5);
    static final Duration MIN_TIMEOUT_TICK = Duration.ofMillis(1);
    static final Duration MAX_TIMEOUT_TICK = Duration.ofSeconds(1);

    static final KvChannelSettings DEFAULTS = new KvChannelSettings(true, DEFAULT_MAX_VALUE_BYTES,
            DEFAULT_MAX_IN_FLIGHT, DEFAULT_RECONNECT_BACKOFF, DEFAULT_TIMEOUT_TICK);

    KvChannelSettings {
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("kvChannelMaxValueBytes must be positive, was " + maxValueBytes);
        }
        if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
            throw new IllegalArgumentException("kvChannelMaxInFlight must be in [1, " + MAX_IN_FLIGHT_LIMIT
                    + "], was " + maxInFlight);
        }
        Objects.requireNonNull(reconnectBackoff, "kvChannelReconnectBackoff");
        if (reconnectBackoff.isNegative()) {
            throw new IllegalArgumentException("kvChannelReconnectBackoff must not be negative, was "
                    + reconnectBackoff);
        }
        Objects.requireNonNull(timeoutTick, "kvChannelTimeoutTick");
        if (timeoutTick.compareTo(MIN_TIMEOUT_TICK) < 0 || timeoutTick.compareTo(MAX_TIMEOUT_TICK) > 0) {
            throw new IllegalArgumentException("kvChannelTimeoutTick must be in [" + MIN_TIMEOUT_TICK + ", "
                    + MAX_TIMEOUT_TICK + "], was " + timeoutTick);
        }
    }
}
