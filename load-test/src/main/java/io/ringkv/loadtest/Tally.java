package io.ringkv.loadtest;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the operations of one load source (a closed-loop worker, or the open loop) recorded. Any
 * thread may record: an asynchronous operation ends on the client's event loop. The recorders are
 * wait-free for writers, and the progress thread swaps their interval histograms out without
 * stopping them.
 */
final class Tally {
    /** [op][value-size class]: measured latencies of successes, in microseconds. */
    final Recorder[][] measured;
    /** [op]: warmup latencies, for the progress lines. */
    final Recorder[] warmup;
    /** Failures in any phase per op, for the progress lines and the metrics. */
    final AtomicLongArray failures = new AtomicLongArray(OpType.ALL.length);
    /** Failures in the measured phase, [op * kinds + kind]. */
    private final AtomicLongArray errors = new AtomicLongArray(OpType.ALL.length * ErrorKind.ALL.length);
    /** Reads that found no value where none was wrong (without --validate, or a failed insert's key). */
    final LongAdder notFound = new LongAdder();
    final LongAdder validatedReads = new LongAdder();
    /** Open loop: measured-phase operations that were due but never issued before the hard stop. */
    volatile long unissued;
    /**
     * Open loop: how late each measured operation was issued after its due time, in microseconds.
     * Written by the issuing thread only, read once it has ended.
     */
    final Histogram issueLag = new Histogram(3);
    /** When the last measured operation ended (0 if none). */
    private final AtomicLong lastMeasuredEnd = new AtomicLong();
    private final Timeline timeline;

    Tally(int sizeClasses, Timeline timeline) {
        this.timeline = timeline;
        this.measured = new Recorder[OpType.ALL.length][];
        for (int op = 0; op < measured.length; op++) {
            measured[op] = recorders(sizeClasses);
        }
        this.warmup = recorders(OpType.ALL.length);
    }

    private static Recorder[] recorders(int n) {
        Recorder[] r = new Recorder[n];
        for (int i = 0; i < r.length; i++) {
            r[i] = new Recorder(3); // auto-resizing, 3 significant digits
        }
        return r;
    }

    /** An operation that started (or was due) at {@code start} and ended at {@code end}; {@code failure} null on success. */
    void outcome(OpType op, int sizeClass, long start, long end, boolean measuring, ErrorKind failure) {
        if (failure == null) {
            long micros = (end - start + 500) / 1000;
            if (measuring) {
                measured[op.ordinal()][sizeClass].recordValue(micros);
            } else {
                warmup[op.ordinal()].recordValue(micros);
            }
            timeline.success(op, start, micros);
        } else {
            failures.incrementAndGet(op.ordinal());
            if (measuring) {
                errors.incrementAndGet(op.ordinal() * ErrorKind.ALL.length + failure.ordinal());
            }
            timeline.failure(op, start);
        }
        if (measuring) {
            lastMeasuredEnd.accumulateAndGet(end, (a, b) -> a == 0 || b - a > 0 ? b : a);
        }
    }

    long errors(int op, int kind) {
        return errors.get(op * ErrorKind.ALL.length + kind);
    }

    long lastMeasuredEnd() {
        return lastMeasuredEnd.get();
    }
}
