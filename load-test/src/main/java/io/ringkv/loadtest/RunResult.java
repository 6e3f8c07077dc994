package io.ringkv.loadtest;

import org.HdrHistogram.Histogram;

/**
 * What the measured phase produced.
 *
 * @param durationSeconds from the start of the measured phase to the end of its last operation
 * @param latencies       per {@link OpType}: latencies in microseconds of the successful operations
 * @param errors          per {@link OpType} and {@link ErrorKind}: failed operations
 * @param notFound        reads that found no value (successes; only counted without --validate)
 * @param validatedReads  reads whose values were checked (--validate)
 * @param unissued        open loop: due operations never issued before the hard stop
 */
public record RunResult(double durationSeconds, Histogram[] latencies, long[][] errors, long notFound,
                        long validatedReads, long unissued) {

    public long count(OpType op) {
        return latencies[op.ordinal()].getTotalCount();
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
