package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.loadtest.telemetry.BenchMetrics;
import io.ringkv.observability.OtlpTraceReceiver;
import io.ringkv.observability.OtlpTraceReceiver.Received;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A traced bench run against three traced in-JVM nodes, all exporting over real OTLP/gRPC to
 * receivers on 127.0.0.1: the bench's operation spans, the client's RPC spans under them, the
 * nodes' spans in the same traces, and the bench's metrics matching its own report.
 */
class BenchTelemetryRunTest {
    private static final Set<String> CLIENT_RPCS = Set.of("ringkv.v1.KV/Get", "ringkv.v1.KV/Put");

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aTracedRunExportsOperationAndClientSpansJoinedByTheNodesAndItsMetrics(@TempDir Path dir) throws Exception {
        try (OtlpTraceReceiver traces = new OtlpTraceReceiver(); OtlpMetricsReceiver metrics = new OtlpMetricsReceiver()) {
            Path json = dir.resolve("traced.json");
            int code;
            String err;
            Map<String, Object> nodeOtel = Map.of("otel_traces_exporter", "otlp",
                    "otel_exporter_otlp_endpoint", traces.endpoint(), "otel_bsp_schedule_delay", 100,
                    "otel_bsp_max_queue_size", 200_000);
            try (TestCluster cluster = new TestCluster(3, dir.resolve("cluster"), nodeOtel)) {
                Map<String, String> env = Map.of("OTEL_TRACES_EXPORTER", "otlp",
                        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces.endpoint(),
                        "OTEL_METRICS_EXPORTER", "prometheus,otlp",
                        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", metrics.endpoint(),
                        "OTEL_BSP_MAX_QUEUE_SIZE", "200000");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
                code = BenchMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(errBytes, true, StandardCharsets.UTF_8), env,
                        "--seeds", cluster.seeds(), "--threads", "2", "--duration", "1", "--warmup", "0.5",
                        "--records", "100", "--read-proportion", "0.4", "--update-proportion", "0.2",
                        "--rmw-proportion", "0.2", "--multi-read-proportion", "0.2", "--multi-read-max", "3",
                        "--key-distribution", "uniform", "--max-ops", "300", "--seed", "7", "--validate",
                        "--progress-interval", "0.5", "--otel", "bsp_schedule_delay=100", "--json", json.toString());
                err = errBytes.toString(StandardCharsets.UTF_8);
                System.out.println(err + out.toString(StandardCharsets.UTF_8));
            }
            // Closing the bench's telemetry and the nodes' flushed every span and the last metrics.
            assertThat(code).as(err).isZero();
            assertThat(err).contains("ringkv bench: telemetry: traces otlp grpc to " + traces.endpoint())
                    .contains("metrics otlp grpc to " + metrics.endpoint());
            JsonNode report = new ObjectMapper().readTree(json.toFile());

            List<Received> spans = traces.spans();
            List<Received> bench = spans.stream().filter(s -> s.service().equals("ringkv-bench")).toList();
            List<Received> nodes = spans.stream().filter(s -> s.service().equals("ringkv-node")).toList();
            List<Received> operations = bench.stream().filter(s -> s.name().startsWith("bench.")).toList();
            List<Received> rpcs = bench.stream().filter(s -> CLIENT_RPCS.contains(s.name())).toList();
            assertThat(operations).extracting(Received::name).contains("bench.read", "bench.update",
                    "bench.read_modify_write", "bench.multi_read");
            // One span per operation, warmup included: as many as the timeline attempted.
            long attempted = 0;
            for (JsonNode p : report.get("timeline").get("points")) {
                attempted += p.get("attempted").asLong();
            }
            assertThat(operations).hasSize((int) attempted);

            // The client's RPC spans hang under the operation that made them.
            Map<String, Received> operationById = operations.stream()
                    .collect(Collectors.toMap(Received::spanId, Function.identity()));
            List<Received> underOperations = rpcs.stream().filter(s -> operationById.containsKey(s.parentSpanId())).toList();
            assertThat(underOperations).isNotEmpty();
            for (Received rpc : underOperations) {
                assertThat(rpc.traceId()).isEqualTo(operationById.get(rpc.parentSpanId()).traceId());
            }
            Map<String, List<String>> childrenByOperation = underOperations.stream().collect(
                    Collectors.groupingBy(Received::parentSpanId, Collectors.mapping(Received::name, Collectors.toList())));
            assertThat(operations.stream().filter(o -> o.name().equals("bench.read_modify_write")))
                    .anySatisfy(o -> assertThat(childrenByOperation.get(o.spanId()))
                            .containsExactlyInAnyOrder("ringkv.v1.KV/Get", "ringkv.v1.KV/Put"));
            assertThat(operations.stream().filter(o -> o.name().equals("bench.multi_read")))
                    .anySatisfy(o -> assertThat(childrenByOperation.get(o.spanId())).hasSizeGreaterThan(1)
                            .containsOnly("ringkv.v1.KV/Get"));

            // Each client RPC continues on a node: its SERVER span there is the client span's child.
            Map<String, Received> nodeByParent = nodes.stream()
                    .filter(s -> CLIENT_RPCS.contains(s.name()))
                    .collect(Collectors.toMap(Received::parentSpanId, Function.identity(), (a, b) -> a));
            for (Received rpc : underOperations) {
                assertThat(nodeByParent).as("the node span of %s", rpc).containsKey(rpc.spanId());
                assertThat(nodeByParent.get(rpc.spanId()).traceId()).isEqualTo(rpc.traceId());
            }
            Set<String> benchTraces = operations.stream().map(Received::traceId).collect(Collectors.toSet());
            assertThat(nodes.stream().filter(s -> benchTraces.contains(s.traceId())).map(Received::name))
                    .contains("kv.get", "kv.put");

            // The metrics: every success and failure of the run (warmup too), as the report counts them.
            assertThat(metrics.services()).containsExactly("ringkv-bench");
            for (String op : List.of("read", "update", "read_modify_write", "multi_read")) {
                long count = 0;
                long errors = 0;
                for (JsonNode p : report.get("timeline").get("points")) {
                    count += p.get("operations").get(op).get("count").asLong();
                    errors += p.get("operations").get(op).get("errors").asLong();
                }
                assertThat(count).as(op).isPositive();
                assertThat(metrics.histogramCount(BenchMetrics.DURATION, op)).as(op).isEqualTo(count);
                assertThat(Math.max(0, metrics.counterValue(BenchMetrics.ERRORS, op))).as(op).isEqualTo(errors);
            }
        }
    }
}
