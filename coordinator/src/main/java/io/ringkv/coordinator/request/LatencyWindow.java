package io.ringkv.coordinator.request;

import java.util.Arrays;

/**
 * The p99 of the latencies recorded within a time window before now, over at most the last
 * {@code capacity} samples, so that a burst of slow requests stops counting once it is older than
 * the window, and a node with no recent requests has no p99. Recording is O(1); a query copies and
 * sorts the samples in the window. Time is given by the caller, in monotonic nanoseconds.
 * Thread-safe.
 */
final class LatencyWindow {
    private final long[] atNanos;
    private final long[] micros;
    private int next;
    private int count;

    LatencyWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        atNanos = new long[capacity];
        micros = new long[capacity];
    }

    /** A latency of {@code latencyMicros} that ended at {@code nowNanos}. */
    synchronized void record(long nowNanos, long latencyMicros) {
        atNanos[next] = nowNanos;
        micros[next] = latencyMicros;
        next = (next + 1) % atNanos.length;
        count = Math.min(count + 1, atNanos.length);
    }

    /**
     * The p99 in microseconds of the samples recorded less than {@code windowNanos} before
     * {@code nowNanos}, or -1 when there are none.
     */
    long p99Micros(long nowNanos, long windowNanos) {
        long[] recent;
        int n = 0;
        synchronized (this) {
            recent = new long[count];
            for (int i = 0; i < count; i++) {
                if (nowNanos - atNanos[i] < windowNanos) {
                    recent[n++] = micros[i];
                }
            }
        }
        if (n == 0) {
            return -1;
        }
        Arrays.sort(recent, 0, n);
        return recent[(int) Math.ceil(n * 0.99) - 1];
    }
}
