package io.ringkv.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.api.common.Attributes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Spans leave through real OTLP exporters, over gRPC and over HTTP/protobuf, to receivers on 127.0.0.1. */
class OtlpExportTest {
    @Test
    void spansReachAnOtlpGrpcReceiver() throws Exception {
        try (OtlpTraceReceiver receiver = new OtlpTraceReceiver()) {
            TelemetrySettings settings = TelemetrySettings.from(Map.of(), Map.of("OTEL_TRACES_EXPORTER", "otlp",
                    "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "50"));
            try (Telemetry t = Telemetry.start(settings, "ringkv-node", "n1")) {
                assertThat(t.grpcServerInterceptors()).hasSize(1);
                t.spans().child("grpc-export", Attributes.empty()).end();
            }
            // close() flushes: the span is there without waiting for a schedule.
            assertThat(receiver.spans()).singleElement().satisfies(s -> {
                assertThat(s.name()).isEqualTo("grpc-export");
                assertThat(s.service()).isEqualTo("ringkv-node");
            });
        }
    }

    @Test
    void spansReachAnOtlpHttpReceiver() throws Exception {
        List<OtlpTraceReceiver.Received> received = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            received.addAll(OtlpTraceReceiver.unpack(ExportTraceServiceRequest.parseFrom(exchange.getRequestBody())));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            TelemetrySettings settings = TelemetrySettings.from(Map.of("otel_traces_exporter", "otlp",
                    "otel_exporter_otlp_protocol", "http/protobuf", "otel_service_name", "ringkv-bench",
                    "otel_exporter_otlp_endpoint", "http://127.0.0.1:" + server.getAddress().getPort()));
            try (Telemetry t = Telemetry.start(settings, "ringkv-node", null)) {
                t.spans().child("http-export", Attributes.empty()).end();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
            assertThat(received).singleElement().satisfies(s -> {
                assertThat(s.name()).isEqualTo("http-export");
                assertThat(s.service()).isEqualTo("ringkv-bench");
            });
        } finally {
            server.stop(0);
        }
    }

    @Test
    void samplingOffRecordsNothingButKeepsTheContextFlowing() throws Exception {
        try (OtlpTraceReceiver receiver = new OtlpTraceReceiver()) {
            TelemetrySettings settings = TelemetrySettings.from(Map.of("otel_traces_exporter", "otlp",
                    "otel_exporter_otlp_endpoint", receiver.endpoint(), "otel_traces_sampler", "always_off"));
            try (Telemetry t = Telemetry.start(settings, "ringkv-node", "n1")) {
                SpanScope s = t.spans().child("unsampled", Attributes.empty());
                assertThat(s.recording()).isFalse();
                s.end();
            }
            assertThat(receiver.spans()).isEmpty();
        }
    }
}
