package io.ringkv.coordinator.request;

/**
 * The recent p95 and p99 of a latency (replica reads, client requests), over the last
 * {@code capacity} samples, recomputed every {@code capacity / 8} samples. Samples are counted in
 * log-linear buckets (8 per power of two), so recording is O(1) and a recompute scans the buckets
 * instead of sorting the window; a percentile is reported as its bucket's upper bound, at most
 * 12.5% above the exact value (rounding up keeps speculative reads on the late side). Thread-safe.
 */
final class LatencyTracker {
    private static final int SUB_BUCKET_BITS = 3;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    private static final int BUCKETS = (64 - SUB_BUCKET_BITS + 1) * SUB_BUCKETS;

    private final int[] ring;
    private final int[] counts = new int[BUCKETS];
    private int next;
    private int count;
    private int sinceRecompute;
    private volatile long p95Micros = -1;
    private volatile long p99Micros = -1;

    LatencyTracker(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        ring = new int[capacity];
    }

    /** The bucket of {@code v >= 0}: exact below {@link #SUB_BUCKETS}, else 8 buckets per power of two. */
    static int bucketOf(long v) {
        if (v < SUB_BUCKETS) {
            return (int) Math.max(0, v);
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - SUB_BUCKET_BITS;
        return (shift + 1) * SUB_BUCKETS + (int) ((v >>> shift) - SUB_BUCKETS);
    }

    /** The largest value in bucket {@code b}. */
    static long upperBound(int b) {
        if (b < SUB_BUCKETS) {
            return b;
        }
        int shift = b / SUB_BUCKETS - 1;
        long sub = b % SUB_BUCKETS + SUB_BUCKETS;
        return ((sub + 1) << shift) - 1;
    }

    synchronized void record(long micros) {
        int b = bucketOf(micros);
        if (count == ring.length) {
            counts[ring[next]]--;
        } else {
            count++;
        }
        ring[next] = b;
        counts[b]++;
        next = next + 1 == ring.length ? 0 : next + 1;
        if (++sinceRecompute >= Math.max(1, ring.length / 8)) {
            sinceRecompute = 0;
            p95Micros = percentile(0.95);
            p99Micros = percentile(0.99);
        }
    }

    private long percentile(double q) {
        long rank = (long) Math.ceil(count * q);
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return upperBound(b);
            }
        }
        return upperBound(BUCKETS - 1);
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
