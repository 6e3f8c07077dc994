package io.ringkv.client;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which nodes recently failed at the transport level, so routing tries them last for a while
 * instead of paying a failed connection on every request. Time comes from an injected clock.
 */
final class NodeHealth {
    private final ConcurrentHashMap<String, Long> downUntilNanos = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final long backoffNanos;

    NodeHealth(LongSupplier nanoClock, long backoffNanos) {
        this.nanoClock = nanoClock;
        this.backoffNanos = backoffNanos;
    }

    /** The node could not be reached (connection refused or reset, not a server-sent status). */
    void markUnreachable(String address) {
        if (backoffNanos > 0) {
            downUntilNanos.put(address, nanoClock.getAsLong() + backoffNanos);
        }
    }

    /** The node answered; forget any earlier failure at once. */
    void markReachable(String address) {
        if (!downUntilNanos.isEmpty()) {
            downUntilNanos.remove(address);
        }
    }

    boolean isDown(String address) {
        Long until = downUntilNanos.get(address);
        if (until == null) {
            return false;
        }
        if (nanoClock.getAsLong() - until >= 0) {
            // Backoff over: give the node another chance; remove only the entry we looked at.
            downUntilNanos.remove(address, until);
            return false;
        }
        return true;
    }
}
