package io.ringkv.observability.logging;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/** The span context of the logging thread. Logback formats on the thread that logs (synchronous appenders). */
final class CurrentSpan {
    private CurrentSpan() {
    }

    static SpanContext context() {
        return Span.current().getSpanContext();
    }
}
