package io.ringkv.coordinator.request;

import java.util.Arrays;

/**
 * The recent p95 and p99 of a latency (replica reads, client requests), over the last {@code capacity} samples, recomputed
 * every {@code capacity / 8} samples so recording stays O(1) on the hot path. Thread-safe.
 */
final class LatencyTracker {
    private final long[] samples;
    private int next;
    private int count;
    private int sinceRecompute;
    private volatile long p95Micros = -1;
    private volatile long p99Micros = -1;

    LatencyTracker(int capacity) {
        samples = new long[capacity];
    }

    synchronized void record(long micros) {
        samples[next] = micros;
        next = (next + 1) % samples.length;
        count = Math.min(count + 1, samples.length);
        if (++sinceRecompute >= Math.max(1, samples.length / 8)) {
            sinceRecompute = 0;
            long[] copy = Arrays.copyOf(samples, count);
            Arrays.sort(copy);
            p95Micros = copy[(int) Math.min(copy.length - 1, Math.ceil(copy.length * 0.95) - 1)];
            p99Micros = copy[(int) Math.min(copy.length - 1, Math.ceil(copy.length * 0.99) - 1)];
        }
    }

    /** The recent p95 in microseconds, or -1 before there are enough samples. */
    long p95Micros() {
        return p95Micros;
    }

    /** The recent p99 in microseconds, or -1 before there are enough samples. */
    long p99Micros() {
        return p99Micros;
    }
}
