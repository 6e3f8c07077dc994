package io.ringkv.observability.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.ringkv.observability.SpanScope;
import io.ringkv.observability.Telemetry;
import io.ringkv.observability.TelemetrySettings;
import org.junit.jupiter.api.Test;

class TraceContextConverterTest {
    private static LoggingEvent event() {
        LoggerContext context = new LoggerContext();
        return new LoggingEvent("test", context.getLogger("test"), Level.INFO, "hello", null, null);
    }

    @Test
    void aLineInsideASpanCarriesItsIdsAndOneOutsideCarriesNothing() {
        TraceContextConverter both = new TraceContextConverter();
        TraceIdConverter traceId = new TraceIdConverter();
        SpanIdConverter spanId = new SpanIdConverter();
        assertThat(both.convert(event())).isEmpty();
        assertThat(traceId.convert(event())).isEmpty();
        try (Telemetry t = Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-node", "n1",
                InMemorySpanExporter.create())) {
            SpanScope span = t.spans().child("kv.get", Attributes.empty());
            try (Scope ignored = span.makeCurrent()) {
                String ids = both.convert(event());
                assertThat(ids).matches("trace_id=[0-9a-f]{32} span_id=[0-9a-f]{16} ");
                assertThat(ids).contains(traceId.convert(event())).contains(spanId.convert(event()));
            }
            span.end();
        }
    }
}
