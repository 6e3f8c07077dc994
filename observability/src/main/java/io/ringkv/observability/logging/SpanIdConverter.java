package io.ringkv.observability.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.opentelemetry.api.trace.SpanContext;

/** {@code %spanId}: the current span's id, or nothing outside a traced request (see {@link TraceIdConverter}). */
public final class SpanIdConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        SpanContext span = CurrentSpan.context();
        return span.isValid() ? span.getSpanId() : "";
    }
}
