package io.ringkv.coordinator.handoff;

import java.util.Arrays;

/**
 * Paces hint replay to one target by its latency, additive increase, multiplicative decrease:
 * after every window of {@code window} deliveries, when the window's p99 is above
 * {@code riseFactor} times the best p99 seen (but at least {@code floorMillis}), or when a
 * delivery failed, the share of the replay rate this target may use halves (down to
 * {@code minShare}); otherwise it grows by {@code step} up to 1. Pure arithmetic, no clock: the
 * caller measures latencies. Thread-safe.
 */
public final class AimdPacer {
    private final int window;
    private final double riseFactor;
    private final long floorMillis;
    private final double step;
    private final double minShare;
    private final long[] latencies;
    private int filled;
    private long baselineP99 = Long.MAX_VALUE;
    private long lastP99 = -1;
    private double share = 1.0;

    public AimdPacer(int window, double riseFactor, long floorMillis, double step, double minShare) {
        if (window < 1 || riseFactor <= 1 || step <= 0 || minShare <= 0 || minShare > 1) {
            throw new IllegalArgumentException("bad pacer settings");
        }
        this.window = window;
        this.riseFactor = riseFactor;
        this.floorMillis = floorMillis;
        this.step = step;
        this.minShare = minShare;
        this.latencies = new long[window];
    }

    /** The pacing used for hint replay: windows of 16, back off above 2x the best p99 and 10 ms, 1/64 at least. */
    public static AimdPacer standard() {
        return new AimdPacer(16, 2.0, 10, 0.125, 1.0 / 64);
    }

    public synchronized void onDelivered(long latencyMillis) {
        latencies[filled++] = latencyMillis;
        if (filled < window) {
            return;
        }
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        long p99 = sorted[(int) Math.ceil(0.99 * window) - 1];
        filled = 0;
        lastP99 = p99;
        long threshold = baselineP99 == Long.MAX_VALUE ? Long.MAX_VALUE
                : Math.max(floorMillis, (long) Math.min(Long.MAX_VALUE / 2.0, baselineP99 * riseFactor));
        if (p99 > threshold) {
            decrease();
        } else {
            share = Math.min(1.0, share + step);
        }
        baselineP99 = Math.min(baselineP99, p99);
    }

    public synchronized void onFailure() {
        decrease();
    }

    private void decrease() {
        share = Math.max(minShare, share / 2);
    }

    /** The share of the replay rate this target may use now, in [minShare, 1]. */
    public synchronized double share() {
        return share;
    }

    /** The p99 of the last complete window, -1 before the first. */
    public synchronized long lastP99Millis() {
        return lastP99;
    }
}
