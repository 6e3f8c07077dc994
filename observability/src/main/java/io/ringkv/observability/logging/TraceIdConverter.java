package io.ringkv.observability.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.opentelemetry.api.trace.SpanContext;

/**
 * {@code %traceId}: the current span's trace id, or nothing outside a traced request. Reads the
 * OpenTelemetry context of the logging thread, so there is no MDC to keep in step; with tracing
 * off the context is always empty and this prints nothing.
 *
 * <pre>{@code <conversionRule conversionWord="traceId" class="io.ringkv.observability.logging.TraceIdConverter"/>}</pre>
 */
public final class TraceIdConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        SpanContext span = CurrentSpan.context();
        return span.isValid() ? span.getTraceId() : "";
    }
}
