package io.ringkv.loadtest;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What the measured phase produced.
 *
 * @param durationSeconds from the start of the measured phase to the end of its last operation
 * @param latencies       per {@link OpType} and value-size class: latencies in microseconds of the successes
 * @param errors          per {@link OpType} and {@link ErrorKind}: failed operations
 * @param notFound        reads that found no value without that being an error (no --validate, or a failed insert's key)
 * @param validatedReads  reads whose values were checked (--validate)
 * @param unissued        open loop: due operations never issued before the hard stop
 * @param timeline        every interval of the run, warmup included
 * @param inserted        inserts claimed (measured and warmup), i.e. keys beyond --records the run tried to create
 * @param issueLag        open loop: microseconds from each measured operation's due time to its issue (empty in a closed loop)
 */
public record RunResult(double durationSeconds, Histogram[][] latencies, long[][] errors, long notFound,
                        long validatedReads, long unissued, List<Timeline.Point> timeline,
                        double timelineIntervalSeconds, long inserted, Histogram issueLag) {

    /** The latencies of one operation type, all size classes together. */
    public Histogram latency(OpType op) {
        Histogram all = new Histogram(3);
        for (Histogram h : latencies[op.ordinal()]) {
            all.add(h);
        }
        return all;
    }

    public Histogram latency(OpType op, int sizeClass) {
        return latencies[op.ordinal()][sizeClass];
    }

    public long count(OpType op) {
        long n = 0;
        for (Histogram h : latencies[op.ordinal()]) {
            n += h.getTotalCount();
        }
        return n;
    }

    public long errors(OpType op) {
        long sum = 0;
        for (long e : errors[op.ordinal()]) {
            sum += e;
        }
        return sum;
    }

    public long errors(ErrorKind kind) {
        long sum = 0;
        for (long[] byKind : errors) {
            sum += byKind[kind.ordinal()];
        }
        return sum;
    }

    public long totalOps() {
        long sum = 0;
        for (OpType op : OpType.ALL) {
            sum += count(op);
        }
        return sum;
    }

    public long totalErrors() {
        long sum = 0;
        for (OpType op : OpType.ALL) {
            sum += errors(op);
        }
        return sum;
    }

    public long validationErrors() {
        return errors(ErrorKind.VALIDATION_MISMATCH) + errors(ErrorKind.VALIDATION_MISSING);
    }
}
