package io.ringkv.loadtest.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.ringkv.loadtest.ErrorKind;
import io.ringkv.loadtest.OpType;

/**
 * One {@code bench.<operation>} span per benchmark operation ({@code bench.read},
 * {@code bench.read_modify_write}, ...), made current while the operation runs, so the client's
 * spans of its RPCs (a read-modify-write's get and put, a multi-read's gets) are its children in
 * one trace. Only built when tracing is on; a worker without one starts no span.
 */
public final class OperationTracer {
    static final AttributeKey<String> PHASE = AttributeKey.stringKey("bench.phase");
    static final AttributeKey<String> KEY = AttributeKey.stringKey("key");
    static final AttributeKey<Long> KEYS = AttributeKey.longKey("keys");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private final Tracer tracer;
    private final String[] names = new String[OpType.values().length];

    OperationTracer(Tracer tracer) {
        this.tracer = tracer;
        for (OpType op : OpType.values()) {
            names[op.ordinal()] = "bench." + op.label();
        }
    }

    /** Starts the span of an operation of the warmup or the measured phase; the caller makes it current. */
    public Span start(OpType op, boolean measuring) {
        return tracer.spanBuilder(names[op.ordinal()]).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(PHASE, measuring ? "measure" : "warmup").startSpan();
    }

    /**
     * Ends it: {@code key} is the (first) key, {@code keys} how many keys it touched, and
     * {@code failure} null or why it failed ({@code error.type}, status ERROR).
     */
    public void end(Span span, String key, int keys, ErrorKind failure) {
        if (!key.isEmpty()) {
            span.setAttribute(KEY, key);
        }
        span.setAttribute(KEYS, keys);
        if (failure != null) {
            span.setAttribute(ERROR_TYPE, failure.label());
            span.setStatus(StatusCode.ERROR, failure.label());
        }
        span.end();
    }
}
