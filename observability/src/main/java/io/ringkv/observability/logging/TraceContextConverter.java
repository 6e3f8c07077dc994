package io.ringkv.observability.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.opentelemetry.api.trace.SpanContext;

/**
 * {@code %traceContext}: {@code "trace_id=<32 hex> span_id=<16 hex> "} inside a traced request,
 * nothing otherwise, so untraced lines stay as they were (see {@link TraceIdConverter}).
 */
public final class TraceContextConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        SpanContext span = CurrentSpan.context();
        return span.isValid() ? "trace_id=" + span.getTraceId() + " span_id=" + span.getSpanId() + " " : "";
    }
}
