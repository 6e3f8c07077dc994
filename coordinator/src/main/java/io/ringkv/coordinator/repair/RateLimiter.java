package io.ringkv.coordinator.repair;

import io.ringkv.coordinator.time.Clock;

/**
 * A token bucket: {@code ratePerSecond} permits a second, at most one second's worth banked. A
 * reservation larger than the balance is granted and leaves a debt, so a record bigger than the
 * bucket still goes through; {@link #reserve} says how long the caller must wait for the debt to
 * be paid back. Time comes from the injected clock. Thread-safe.
 */
public final class RateLimiter {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long ratePerSecond;
    private final Clock clock;
    /** Permits available, in units of permits * 1e9 / rate would overflow; kept as a double. */
    private double available;
    private long lastNanos;

    public RateLimiter(long ratePerSecond, Clock clock) {
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("rate must be positive, was " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.clock = clock;
        this.available = ratePerSecond;
        this.lastNanos = clock.monotonicNanos();
    }

    public long ratePerSecond() {
        return ratePerSecond;
    }

    /** Takes {@code permits} and returns how many nanoseconds to wait before using them (0: at once). */
    public synchronized long reserve(long permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0, was " + permits);
        }
        long now = clock.monotonicNanos();
        if (now > lastNanos) {
            available = Math.min(ratePerSecond, available + (double) (now - lastNanos) * ratePerSecond / NANOS_PER_SECOND);
            lastNanos = now;
        }
        available -= permits;
        return available >= 0 ? 0 : (long) Math.ceil(-available * NANOS_PER_SECOND / ratePerSecond);
    }
}
