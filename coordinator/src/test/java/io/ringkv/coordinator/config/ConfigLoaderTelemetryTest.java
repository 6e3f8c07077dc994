package io.ringkv.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The otel_* keys: YAML, then the standard OTEL_* variables, then flags. */
class ConfigLoaderTelemetryTest {
    @TempDir
    Path dir;

    @Test
    void telemetryIsOffExceptPrometheusByDefault() {
        NodeConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.telemetry().tracingEnabled()).isFalse();
        assertThat(c.telemetry().prometheusEnabled()).isTrue();
    }

    @Test
    void yamlThenOtelVariablesThenFlags() throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, """
                otel_traces_exporter: otlp
                otel_exporter_otlp_endpoint: http://yaml:4317
                otel_traces_sampler: parentbased_traceidratio
                otel_traces_sampler_arg: 0.5
                """);
        NodeConfig c = ConfigLoader.load(file, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4317",
                "OTEL_TRACES_SAMPLER_ARG", "0.25", "RINGKV_OTEL_TRACES_SAMPLER_ARG", "0.9"),
                Map.of("otel_traces_sampler_arg", "0.125"));
        assertThat(c.telemetry().tracingEnabled()).isTrue();
        assertThat(c.telemetry().tracesEndpoint()).isEqualTo("http://env:4317");
        assertThat(c.telemetry().samplerRatio()).isEqualTo(0.125);
    }

    @Test
    void aBadTelemetryValueFailsWithItsKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("OTEL_TRACES_SAMPLER", "sometimes"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("otel_traces_sampler must be one of");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("otel_trace_exporter", "otlp")))
                .hasMessageContaining("unknown config key 'otel_trace_exporter'");
    }
}
