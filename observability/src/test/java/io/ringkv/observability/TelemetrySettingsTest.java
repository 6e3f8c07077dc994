package io.ringkv.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetrySettingsTest {
    @Test
    void defaultsServePrometheusOnlyAndTraceNothing() {
        TelemetrySettings s = TelemetrySettings.DEFAULTS;
        assertThat(s.tracingEnabled()).isFalse();
        assertThat(s.prometheusEnabled()).isTrue();
        assertThat(s.otlpMetricsEnabled()).isFalse();
        assertThat(s.tracesEndpoint()).isEqualTo("http://localhost:4317");
        assertThat(s.sampler()).isEqualTo("parentbased_always_on");
    }

    @Test
    void environmentOverridesConfigKeysAndHttpAppendsSignalPaths() {
        TelemetrySettings s = TelemetrySettings.from(
                Map.of("otel_traces_exporter", "none", "otel_exporter_otlp_endpoint", "http://c:4318/"),
                Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                        "OTEL_METRICS_EXPORTER", "otlp,prometheus", "OTEL_EXPORTER_OTLP_HEADERS", "a=b%20c,x=y",
                        "OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0",
                        "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test"));
        assertThat(s.tracingEnabled()).isTrue();
        assertThat(s.tracesEndpoint()).isEqualTo("http://c:4318/v1/traces");
        assertThat(s.metricsEndpoint()).isEqualTo("http://c:4318/v1/metrics");
        assertThat(s.metricsExporters()).containsExactlyInAnyOrder("otlp", "prometheus");
        assertThat(s.headers()).containsEntry("a", "b c").containsEntry("x", "y");
        assertThat(s.samplerRatio()).isZero();
        assertThat(s.resourceAttributes()).containsEntry("deployment.environment", "test");
    }

    @Test
    void sdkDisabledTurnsEverythingOff() {
        TelemetrySettings s = TelemetrySettings.from(Map.of("otel_sdk_disabled", "true", "otel_traces_exporter", "otlp"));
        assertThat(s.tracingEnabled()).isFalse();
        assertThat(s.prometheusEnabled()).isFalse();
        assertThat(TelemetrySettings.from(Map.of("otel_metrics_exporter", "none")).prometheusEnabled()).isFalse();
    }

    @Test
    void limitsAreCheckedAtTheirEdges() {
        assertThat(TelemetrySettings.from(Map.of("otel_traces_sampler_arg", "1")).samplerRatio()).isEqualTo(1.0);
        assertThatThrownBy(() -> TelemetrySettings.from(Map.of("otel_traces_sampler_arg", "1.01")))
                .hasMessageContaining("otel_traces_sampler_arg must be in [0, 1]");
        assertThat(TelemetrySettings.from(Map.of("otel_metric_export_interval", "100")).metricExportIntervalMillis())
                .isEqualTo(100);
        assertThatThrownBy(() -> TelemetrySettings.from(Map.of("otel_metric_export_interval", "99")))
                .hasMessageContaining("otel_metric_export_interval must be in [100,");
        assertThat(TelemetrySettings.from(Map.of("otel_bsp_max_queue_size", "1000000")).bspMaxQueueSize())
                .isEqualTo(1_000_000);
        assertThatThrownBy(() -> TelemetrySettings.from(Map.of("otel_bsp_max_queue_size", "1000001")))
                .hasMessageContaining("otel_bsp_max_queue_size");
        assertThatThrownBy(() -> TelemetrySettings.from(Map.of("otel_bsp_max_queue_size", "8",
                "otel_bsp_max_export_batch_size", "9"))).hasMessageContaining("otel_bsp_max_export_batch_size must be in [1, 8]");
        assertThatThrownBy(() -> TelemetrySettings.from(Map.of("otel_traces_exporter", "jaeger")))
                .hasMessageContaining("otel_traces_exporter must be none or otlp");
        assertThatThrownBy(() -> TelemetrySettings.from(Map.of("otel_exporter_otlp_protocol", "http/json")))
                .hasMessageContaining("grpc or http/protobuf");
        assertThatThrownBy(() -> TelemetrySettings.from(Map.of("otel_exporter_otlp_endpoint", "collector:4317")))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> TelemetrySettings.from(Map.of("otel_metrics_exporter", "none,otlp")))
                .hasMessageContaining("none cannot be combined");
        assertThatThrownBy(() -> TelemetrySettings.from(Map.of("otel_exporter_otlp_timeout", "0")))
                .hasMessageContaining("otel_exporter_otlp_timeout must be in [1, 600000]");
    }
}
