package io.ringkv.loadtest.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.ringkv.loadtest.OpType;
import io.ringkv.observability.RingkvMetrics;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The bench's own metrics, as the client saw its operations: the latency of each successful
 * operation and the count of failed ones, by operation type, warmup included. The workers never
 * touch these instruments: the progress thread feeds them what it drained from the workers'
 * recorders at each progress line, so the worker path costs the same with metrics on or off.
 */
public final class BenchMetrics {
    /** Histogram, seconds: operations that succeeded, start (or due time, open loop) to end. */
    public static final String DURATION = "ringkv.bench.operation.duration";
    /** Counter: operations that failed (any {@code error.type}: timeouts, unavailable, validation). */
    public static final String ERRORS = "ringkv.bench.operation.errors";
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("operation");

    private final DoubleHistogram duration;
    private final LongCounter errors;
    private final Attributes[] byOp = new Attributes[OpType.values().length];

    BenchMetrics(Meter meter) {
        this.duration = meter.histogramBuilder(DURATION).setUnit("s")
                .setDescription("ringkv bench operations that succeeded, by operation")
                .setExplicitBucketBoundariesAdvice(RingkvMetrics.LATENCY_BUCKETS_SECONDS).build();
        this.errors = meter.counterBuilder(ERRORS).setUnit("{operation}")
                .setDescription("ringkv bench operations that failed, by operation").build();
        for (OpType op : OpType.values()) {
            byOp[op.ordinal()] = Attributes.of(OPERATION, op.label());
        }
    }

    /**
     * Records one progress interval (called by one thread at a time).
     *
     * @param latencyMicros per {@link OpType} ordinal: the successes' latencies in microseconds
     * @param newFailures   per {@link OpType} ordinal: failures since the last call
     */
    public void record(Histogram[] latencyMicros, long[] newFailures) {
        for (int op = 0; op < byOp.length; op++) {
            Attributes attributes = byOp[op];
            // The SDK takes one observation per call: each recorded value is replayed as often as it occurred.
            for (HistogramIterationValue v : latencyMicros[op].recordedValues()) {
                double seconds = v.getValueIteratedTo() / 1e6;
                for (long i = v.getCountAtValueIteratedTo(); i > 0; i--) {
                    duration.record(seconds, attributes);
                }
            }
            if (newFailures[op] > 0) {
                errors.add(newFailures[op], attributes);
            }
        }
    }
}
