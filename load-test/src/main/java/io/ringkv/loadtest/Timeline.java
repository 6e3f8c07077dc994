package io.ringkv.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Outcomes over time, shared by all workers: for each interval of the run (default one second,
 * counted from the start of the warmup) and each operation type, the successes' latencies and the
 * failures. An operation belongs to the interval in which it started (closed loop) or was due
 * (open loop): a stall shows where it hit, not when its victims finally completed or timed out.
 * Latencies here keep 2 significant digits (1%), which is plenty for a chart and keeps a long run
 * small; the report's totals use the workers' 3-digit histograms.
 */
final class Timeline {
    /** The most points a report carries; a longer run needs a larger --timeline-interval. */
    static final int MAX_POINTS = 10_000;

    private static final class Bucket {
        final ConcurrentHistogram[] latencies = new ConcurrentHistogram[OpType.ALL.length];
        final LongAdder[] failures = new LongAdder[OpType.ALL.length];

        Bucket() {
            for (int i = 0; i < latencies.length; i++) {
                latencies[i] = new ConcurrentHistogram(2);
                failures[i] = new LongAdder();
            }
        }
    }

    /** One interval: its start (seconds after the run's start), successes' latencies and failures per op. */
    record Point(double startSeconds, boolean measured, Histogram[] latencies, long[] failures) {
        long succeeded() {
            long n = 0;
            for (Histogram h : latencies) {
                n += h.getTotalCount();
            }
            return n;
        }

        long failed() {
            long n = 0;
            for (long f : failures) {
                n += f;
            }
            return n;
        }
    }

    private final long runStart;
    private final long intervalNanos;
    private final double warmupSeconds;
    private final AtomicReferenceArray<Bucket> buckets;

    Timeline(long runStartNanos, double intervalSeconds, double warmupSeconds, double durationSeconds) {
        this.runStart = runStartNanos;
        this.intervalNanos = Math.round(intervalSeconds * 1e9);
        this.warmupSeconds = warmupSeconds;
        this.buckets = new AtomicReferenceArray<>(points(intervalSeconds, warmupSeconds, durationSeconds));
    }

    /** How many intervals cover warmup and measured phase. */
    static int points(double intervalSeconds, double warmupSeconds, double durationSeconds) {
        return (int) Math.max(1, Math.ceil((warmupSeconds + durationSeconds) / intervalSeconds - 1e-9));
    }

    void success(OpType op, long startNanos, long micros) {
        bucket(startNanos).latencies[op.ordinal()].recordValue(micros);
    }

    void failure(OpType op, long startNanos) {
        bucket(startNanos).failures[op.ordinal()].increment();
    }

    private Bucket bucket(long startNanos) {
        long index = Math.max(0, (startNanos - runStart) / intervalNanos);
        int i = (int) Math.min(index, buckets.length() - 1);
        Bucket b = buckets.getAcquire(i);
        if (b == null) {
            Bucket fresh = new Bucket();
            b = buckets.compareAndExchange(i, null, fresh);
            if (b == null) {
                b = fresh;
            }
        }
        return b;
    }

    /** Every interval, in order (call after the workers have stopped). */
    List<Point> points() {
        double interval = intervalNanos / 1e9;
        List<Point> points = new ArrayList<>(buckets.length());
        for (int i = 0; i < buckets.length(); i++) {
            Bucket b = buckets.get(i);
            Histogram[] latencies = new Histogram[OpType.ALL.length];
            long[] failures = new long[OpType.ALL.length];
            for (int op = 0; op < latencies.length; op++) {
                latencies[op] = new Histogram(2);
                if (b != null) {
                    latencies[op].add(b.latencies[op]);
                    failures[op] = b.failures[op].sum();
                }
            }
            double start = i * interval;
            points.add(new Point(start, start >= warmupSeconds - 1e-9, latencies, failures));
        }
        return points;
    }

    double intervalSeconds() {
        return intervalNanos / 1e9;
    }
}
