package io.ringkv.coordinator.membership;

/**
 * Bounded exponential backoff for the retry loops that talk to Consul: the first delay is
 * {@code minMillis}, each further one doubles, none exceeds {@code maxMillis}; {@link #reset()}
 * after a success. Deterministic (no jitter): every node talks to its own local agent, so there is
 * no herd to spread. Not thread-safe; one per loop.
 */
final class Backoff {
    private final long minMillis;
    private final long maxMillis;
    private long nextMillis;

    Backoff(long minMillis, long maxMillis) {
        if (minMillis < 1 || maxMillis < minMillis) {
            throw new IllegalArgumentException("backoff needs 1 <= min <= max, got min=" + minMillis + " max="
                    + maxMillis);
        }
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
        this.nextMillis = minMillis;
    }

    /** The delay to wait before the next attempt. */
    long nextMillis() {
        long delay = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return delay;
    }

    void reset() {
        nextMillis = minMillis;
    }
}
