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
    /** Tokens are kept in units of 1e-9 so refills and waits are exact; this bounds rate and burst. */
    static final long MAX_TOKENS = Long.MAX_VALUE / NANOS_PER_SECOND / 2;

    private final Clock clock;
    private final long ratePerSecond;
    private final long burstScaled;
    private long tokensScaled;
    private long lastNanos;

    public TokenBucket(Clock clock, long ratePerSecond, long burst) {
        if (ratePerSecond < 1 || burst < 1 || ratePerSecond > MAX_TOKENS || burst > MAX_TOKENS) {
            throw new IllegalArgumentException("rate and burst must be in [1, " + MAX_TOKENS + "], were "
                    + ratePerSecond + ", " + burst);
        }
        this.clock = clock;
        this.ratePerSecond = ratePerSecond;
        this.burstScaled = burst * NANOS_PER_SECOND;
        this.tokensScaled = burstScaled;
        this.lastNanos = clock.monotonicNanos();
    }

    /**
     * Takes {@code amount} tokens and returns 0 when the bucket is not in debt; otherwise takes
     * nothing and returns how many nanoseconds to wait before asking again.
     */
    public synchronized long tryAcquire(long amount) {
        refill();
        if (tokensScaled >= 0) {
            // Saturating: a huge item leaves the largest debt, never an overflow.
            tokensScaled = amount > MAX_TOKENS ? -MAX_TOKENS * NANOS_PER_SECOND
                    : Math.max(-MAX_TOKENS * NANOS_PER_SECOND, tokensScaled - amount * NANOS_PER_SECOND);
            return 0;
        }
        return (-tokensScaled + ratePerSecond - 1) / ratePerSecond;
    }

    public long ratePerSecond() {
        return ratePerSecond;
    }

    /** Whole tokens now, negative while in debt. */
    public synchronized long available() {
        refill();
        return Math.floorDiv(tokensScaled, NANOS_PER_SECOND);
    }

    private void refill() {
        long now = clock.monotonicNanos();
        long elapsed = now - lastNanos;
        if (elapsed > 0) {
            long room = burstScaled - tokensScaled;
            // elapsed * rate fills the room whenever elapsed >= room / rate; computed that way it cannot overflow.
            tokensScaled = elapsed >= room / ratePerSecond + 1 ? burstScaled : tokensScaled + elapsed * ratePerSecond;
            tokensScaled = Math.min(burstScaled, tokensScaled);
            lastNanos = now;
        }
    }
}
