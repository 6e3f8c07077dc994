package io.ringkv.coordinator.handoff;

import io.ringkv.coordinator.time.Clock;

/**
 * A byte-rate throttle: tokens refill at {@code ratePerSecond} up to {@code burst}. A request is
 * granted whenever the bucket is not in debt and may take it below zero, so an item larger than
 * the burst (a 5 MiB hint under a 1 MiB/s rate) still passes, and the debt it leaves delays what
 * follows: over time the rate holds. Time comes from the injected clock. Thread-safe.
 */
public final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Clock clock;
    private final long burst;
    private long ratePerSecond;
    private double tokens;
    private long lastNanos;

    public TokenBucket(Clock clock, long ratePerSecond, long burst) {
        if (ratePerSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("rate and burst must be positive, were " + ratePerSecond + ", " + burst);
        }
        this.clock = clock;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = clock.monotonicNanos();
    }

    /**
     * Takes {@code amount} tokens and returns 0 when the bucket is not in debt; otherwise takes
     * nothing and returns how many nanoseconds to wait before asking again.
     */
    public synchronized long tryAcquire(long amount) {
        refill();
        if (tokens >= 0) {
            tokens -= amount;
            return 0;
        }
        return (long) Math.ceil(-tokens * NANOS_PER_SECOND / ratePerSecond);
    }

    public synchronized long ratePerSecond() {
        return ratePerSecond;
    }

    /** Tokens now, negative while in debt. */
    public synchronized long available() {
        refill();
        return (long) Math.floor(tokens);
    }

    private void refill() {
        long now = clock.monotonicNanos();
        long elapsed = now - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + (double) elapsed * ratePerSecond / NANOS_PER_SECOND);
            lastNanos = now;
        }
    }
}
