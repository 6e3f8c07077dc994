package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.ringkv.client.RingkvClient;
import io.ringkv.coordinator.config.ConfigLoader;
import io.ringkv.observability.PrometheusSamples;
import io.ringkv.observability.Telemetry;
import io.ringkv.observability.TelemetrySettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telemetry of a three-node cluster in this JVM on real sockets: one trace from the client
 * through the coordinator to every replica and its storage, and {@code /metrics} after traffic.
 */
class NodeTelemetryTest {
    @TempDir
    Path dir;

    private final List<NodeServer> nodes = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();

    private void startCluster(java.util.function.Function<String, Telemetry> telemetryOf) throws Exception {
        for (int i = 0; i < 3; i++) {
            addresses.add("127.0.0.1:" + LocalCluster.freePort());
        }
        for (int i = 0; i < 3; i++) {
            String id = "n" + (i + 1);
            Map<String, Object> flags = new LinkedHashMap<>();
            flags.put("id", id);
            flags.put("listen", addresses.get(i));
            flags.put("rack", "rack" + (i + 1));
            flags.put("data_dir", dir.resolve(id).toString());
            flags.put("seeds", String.join(",", addresses));
            flags.put("backend", "memory");
            flags.put("ping_interval_millis", 200);
            nodes.add(NodeServer.start(ConfigLoader.load(null, Map.of(), flags), telemetryOf.apply(id)));
        }
        for (NodeServer n : nodes) {
            assertThat(n.awaitRing(30_000)).isTrue();
        }
    }

    @AfterEach
    void stop() {
        NodeServer.closeAll(nodes);
    }

    @Test
    void aPutIsOneTraceFromTheClientThroughTheCoordinatorToEveryReplica() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        startCluster(id -> Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-node", id, exporter));
        try (Telemetry clientTelemetry = Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-client", null, exporter);
             RingkvClient client = RingkvClient.builder().seeds(addresses)
                     .openTelemetry(clientTelemetry.openTelemetry()).build()) {
            client.get("warm-up"); // the ring fetch and first connections: not part of the trace under test
            exporter.reset();
            client.put("traced-key", "v".getBytes(StandardCharsets.UTF_8));

            // W=2 answers before the third replica: wait for all three writes and their storage spans.
            await().atMost(Duration.ofSeconds(20)).until(() -> count(exporter.getFinishedSpanItems(), "replica.write") == 3
                    && count(exporter.getFinishedSpanItems(), "ringkv.v1.Replica/Write") >= 4);
            List<SpanData> spans = exporter.getFinishedSpanItems();
            SpanData clientSpan = spans.stream().filter(s -> s.getName().equals("ringkv.v1.KV/Put")
                    && s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
            assertThat(clientSpan.getResource().getAttributes().asMap().toString()).contains("ringkv-client");
            List<SpanData> trace = spans.stream().filter(s -> s.getTraceId().equals(clientSpan.getTraceId())).toList();
            SpanData server = only(trace, "ringkv.v1.KV/Put", SpanKind.SERVER);
            assertThat(server.getParentSpanId()).isEqualTo(clientSpan.getSpanId());
            SpanData put = only(trace, "kv.put", SpanKind.INTERNAL);
            assertThat(put.getParentSpanId()).isEqualTo(server.getSpanId());
            assertThat(put.getAttributes().asMap().toString()).contains("keyspace=default", "vnode=",
                    "replicas.asked=3");
            List<SpanData> writes = trace.stream().filter(s -> s.getName().equals("replica.write")).toList();
            assertThat(writes).hasSize(3).allSatisfy(w -> assertThat(w.getParentSpanId()).isEqualTo(put.getSpanId()));
            Set<String> peers = writes.stream().map(w -> w.getAttributes().asMap().toString()).collect(Collectors.toSet());
            assertThat(peers).anyMatch(p -> p.contains("peer=n1")).anyMatch(p -> p.contains("peer=n2"))
                    .anyMatch(p -> p.contains("peer=n3"));
            // Each replica wrote to storage inside the trace, on its own node.
            Set<String> storageNodes = trace.stream().filter(s -> s.getName().equals("storage.put"))
                    .map(s -> s.getResource().getAttributes().asMap().toString()).collect(Collectors.toSet());
            assertThat(storageNodes).hasSize(3);
            for (SpanData w : writes) {
                assertThat(descendants(trace, w)).anyMatch(d -> d.getName().equals("storage.put"));
            }
        }
    }

    @Test
    void metricsEndpointServesPrometheusTextWithTheDocumentedNames() throws Exception {
        startCluster(id -> Telemetry.start(TelemetrySettings.DEFAULTS, "ringkv-node", id));
        try (RingkvClient client = RingkvClient.builder().seeds(addresses).build()) {
            for (int i = 0; i < 20; i++) {
                client.put("k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
                client.get("k" + i);
            }
            // Large (over the 64 KiB chunking threshold): labelled apart, so small values' latency shows alone.
            client.put("big", new byte[3 << 20]);
            assertThat(client.get("big").values().get(0).value()).hasSize(3 << 20);
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String text = "";
        int served = 0;
        for (String address : addresses) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics")).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            PrometheusSamples.parse(r.body());
            text += r.body();
            served += (int) PrometheusSamples.parse(r.body()).stream()
                    .filter(s -> s.name().equals("ringkv_request_duration_seconds_count")).mapToDouble(s -> s.value()).sum();
        }
        // The large get may be two requests: a node holding the value in chunks first answers with its
        // size alone, and the client then reads it (streamed).
        assertThat(served).isBetween(42, 43);
        List<PrometheusSamples.Sample> all = PrometheusSamples.parse(text);
        java.util.function.BiFunction<String, Map<String, String>, Double> sum = (name, labels) -> all.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(PrometheusSamples.Sample::value).sum();
        for (String op : List.of("put", "get")) {
            assertThat(sum.apply("ringkv_request_duration_seconds_count", Map.of("operation", op, "value_class", "small")))
                    .as(op).isEqualTo(20.0);
            assertThat(sum.apply("ringkv_request_duration_seconds_count", Map.of("operation", op, "value_class", "large")))
                    .as(op).isBetween(1.0, op.equals("get") ? 2.0 : 1.0);
        }
        assertThat(sum.apply("ringkv_replica_call_duration_seconds_count", Map.of("operation", "write", "value_class", "large")))
                .isGreaterThanOrEqualTo(2.0);
        assertThat(sum.apply("ringkv_replica_call_duration_seconds_count", Map.of("operation", "write", "value_class", "small")))
                .isGreaterThanOrEqualTo(40.0);
        assertThat(PrometheusSamples.names(text)).contains("ringkv_request_duration_seconds_bucket",
                "ringkv_replica_call_duration_seconds_bucket", "ringkv_storage_keys", "ringkv_storage_size_bytes",
                "ringkv_replica_calls_expired_total", "jvm_memory_used_bytes", "jvm_thread_count", "target_info");
        assertThat(PrometheusSamples.parse(text)).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("ringkv_storage_keys");
            assertThat(s.labels()).containsEntry("namespace", "data");
            assertThat(s.value()).isPositive();
        });
    }

    @Test
    void metricsEndpointSaysSoWhenPrometheusIsOff() throws Exception {
        startCluster(id -> Telemetry.start(TelemetrySettings.from(Map.of("otel_metrics_exporter", "none")),
                "ringkv-node", id));
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create("http://" + addresses.getFirst() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("otel_metrics_exporter");
    }

    private static long count(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).count();
    }

    private static SpanData only(List<SpanData> spans, String name, SpanKind kind) {
        List<SpanData> found = spans.stream().filter(s -> s.getName().equals(name) && s.getKind() == kind).toList();
        assertThat(found).as("%s spans named %s in %s", kind, name, spans.stream().map(SpanData::getName).toList())
                .hasSize(1);
        return found.getFirst();
    }

    private static List<SpanData> descendants(List<SpanData> trace, SpanData root) {
        List<SpanData> out = new ArrayList<>();
        List<String> frontier = new ArrayList<>(List.of(root.getSpanId()));
        while (!frontier.isEmpty()) {
            String id = frontier.removeFirst();
            for (SpanData s : trace) {
                if (s.getParentSpanId().equals(id)) {
                    out.add(s);
                    frontier.add(s.getSpanId());
                }
            }
        }
        return out;
    }
}
