package io.ringkv.loadtest.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.observability.TelemetrySettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchTelemetryTest {
    @Test
    void offByDefaultAndThenNothingIsStarted() {
        TelemetrySettings s = BenchTelemetry.settings(Map.of("PATH", "/bin"), Map.of());
        assertThat(s.tracingEnabled()).isFalse();
        assertThat(s.metricsExporters()).isEmpty();
        BenchTelemetry t = BenchTelemetry.start(s, "bench-1");
        assertThat(t).isSameAs(BenchTelemetry.OFF);
        assertThat(t.tracingEnabled()).isFalse();
        assertThat(t.operationTracer()).isNull();
        assertThat(t.metrics()).isNull();
        assertThat(t.describe()).isNull();
        t.close();
    }

    @Test
    void theBenchServesNoMetricsPageSoPrometheusIsDropped() {
        // A node's environment (prometheus on /metrics) reused for the bench exports nothing extra.
        assertThat(BenchTelemetry.settings(Map.of("OTEL_METRICS_EXPORTER", "prometheus"), Map.of()).metricsExporters())
                .isEmpty();
        assertThat(BenchTelemetry.settings(Map.of("OTEL_METRICS_EXPORTER", "prometheus, otlp"), Map.of())
                .metricsExporters()).containsExactly("otlp");
        assertThat(BenchTelemetry.start(BenchTelemetry.settings(Map.of("OTEL_METRICS_EXPORTER", "prometheus",
                "OTEL_TRACES_EXPORTER", "none"), Map.of()), "b")).isSameAs(BenchTelemetry.OFF);
    }

    @Test
    void flagsOverTheEnvironmentInAnySpelling() {
        Map<String, String> env = Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4317",
                "OTEL_TRACES_SAMPLER", "always_on", "OTEL_SERVICE_NAME", "from-env");
        TelemetrySettings s = BenchTelemetry.settings(env, Map.of("exporter-otlp-endpoint", "http://flag:4317",
                "OTEL_TRACES_SAMPLER", "traceidratio", "otel_traces_sampler_arg", "0.25", "resource_attributes", "a=b,c=d"));
        assertThat(s.tracingEnabled()).isTrue();
        assertThat(s.tracesEndpoint()).isEqualTo("http://flag:4317");
        assertThat(s.sampler()).isEqualTo("traceidratio");
        assertThat(s.samplerRatio()).isEqualTo(0.25);
        assertThat(s.serviceName()).isEqualTo("from-env");
        assertThat(s.resourceAttributes()).isEqualTo(Map.of("a", "b", "c", "d"));
        assertThat(BenchTelemetry.settings(env, Map.of("traces_exporter", "none")).tracingEnabled()).isFalse();
        assertThat(BenchTelemetry.settings(env, Map.of("sdk_disabled", "true")).tracingEnabled()).isFalse();
    }

    @Test
    void unknownKeysAndBadValuesAreOneLineErrors() {
        assertThatThrownBy(() -> BenchTelemetry.settings(Map.of(), Map.of("tracing", "on")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--otel: unknown setting 'tracing'");
        assertThatThrownBy(() -> BenchTelemetry.settings(Map.of(), Map.of("traces_exporter", "zipkin")))
                .hasMessageContaining("otel_traces_exporter must be none or otlp");
        assertThatThrownBy(() -> BenchTelemetry.settings(Map.of("OTEL_TRACES_SAMPLER_ARG", "2"), Map.of()))
                .hasMessageContaining("otel_traces_sampler_arg must be in [0, 1]");
        assertThatThrownBy(() -> BenchTelemetry.settings(Map.of("OTEL_METRICS_EXPORTER", "statsd"), Map.of()))
                .hasMessageContaining("otel_metrics_exporter");
        for (String key : TelemetrySettings.KEYS) {
            assertThat(BenchTelemetry.flagKey(key.substring("otel_".length()))).isEqualTo(key);
        }
        assertThat(BenchTelemetry.flagKey("OTEL_BSP_SCHEDULE_DELAY")).isEqualTo("otel_bsp_schedule_delay");
        assertThat(BenchTelemetry.flagKey("bsp-schedule-delay")).isEqualTo("otel_bsp_schedule_delay");
    }

    @Test
    void tracingOnGivesASpanPerOperationAndADescription() {
        TelemetrySettings s = BenchTelemetry.settings(Map.of("OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1", "OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
                "OTEL_TRACES_SAMPLER_ARG", "0.01"), Map.of());
        try (BenchTelemetry t = BenchTelemetry.start(s, "bench-1")) {
            assertThat(t.tracingEnabled()).isTrue();
            assertThat(t.operationTracer()).isNotNull();
            assertThat(t.metrics()).isNull();
            assertThat(t.describe()).isEqualTo("ringkv bench: telemetry: traces otlp grpc to http://127.0.0.1:1 "
                    + "(sampler parentbased_traceidratio 0.01), metrics off");
        }
    }

    @Test
    void sdkWarningsBecomeOneLineEach() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        BenchTelemetry.logTo(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        java.util.logging.Logger sdk = java.util.logging.Logger.getLogger("io.opentelemetry.sdk.test");
        sdk.log(java.util.logging.Level.SEVERE, "Failed to export 3 spans.",
                new java.net.ConnectException("Failed to connect to /127.0.0.1:1"));
        sdk.log(java.util.logging.Level.WARNING, "Exporter timed out after {0} ms", 10);
        sdk.info("not shown");
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "ringkv bench: telemetry: Failed to export 3 spans. (Failed to connect to /127.0.0.1:1)",
                "ringkv bench: telemetry: Exporter timed out after 10 ms");
    }
}
