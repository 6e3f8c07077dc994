package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.ListRepairsRequest;
import io.ringkv.api.v1.RepairSessionInfo;
import io.ringkv.api.v1.ReplicaGrpc;
import io.ringkv.api.v1.ReplicaWriteRequest;
import io.ringkv.api.v1.StartRepairRequest;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.observability.PrometheusSamples;
import io.ringkv.observability.Telemetry;
import io.ringkv.observability.TelemetrySettings;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import io.ringkv.storage.record.VersionKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy as telemetry shows it, on three real nodes over loopback: after a StartRepair that
 * streams records to the node that lacked them, the repair counters and progress gauges on
 * {@code /metrics}, and the session's {@code repair.session} span (linked to the StartRepair call)
 * with one {@code repair.vnode} child per vnode, each naming its replicas, and the repair calls
 * under those.
 */
class RepairTelemetryTest {
    private static final int VNODES = 16;
    private static final int KEYS = 60;

    @TempDir
    Path dir;

    private static List<PrometheusSamples.Sample> scrape(String address) throws Exception {
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create("http://" + address + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusSamples.parse(r.body());
    }

    /** The sum of the samples named {@code name} whose labels include {@code labels}; null when there is none. */
    private static Double value(List<PrometheusSamples.Sample> samples, String name, Map<String, String> labels) {
        List<PrometheusSamples.Sample> found = samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())).toList();
        return found.isEmpty() ? null : found.stream().mapToDouble(PrometheusSamples.Sample::value).sum();
    }

    private static ByteString record(int i) {
        long hlc = (1_780_000_000_000L << 16) + i;
        return ByteString.copyFrom(RecordCodec.encode(Record.value(VersionKind.LWW, new LwwVersion(hlc, "n1").encode(),
                1_780_000_000_000L, ("value-" + i).getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aRepairThatStreamsShowsItsCountersAndFinishedProgressOnMetricsAndOneVnodeSpanPerVnodeUnderItsSession()
            throws Exception {
        // One exporter per node: each node's spans are its own.
        Map<String, InMemorySpanExporter> exporters = new ConcurrentHashMap<>();
        try (LocalCluster cluster = new LocalCluster(3, dir, "memory",
                Map.of("vnodes", VNODES, "repair_interval", "off", "read_repair_chance", "0"),
                id -> Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-node", id,
                        exporters.computeIfAbsent(id, x -> InMemorySpanExporter.create())))) {
            List<ManagedChannel> channels = cluster.addresses.stream()
                    .map(a -> (ManagedChannel) NettyChannelBuilder.forTarget(a).usePlaintext().build()).toList();
            try {
                // Every key on n1 and n2 only: repairing n3's vnodes streams each key to n3.
                for (int i = 0; i < KEYS; i++) {
                    ReplicaWriteRequest w = ReplicaWriteRequest.newBuilder().setKey("k" + i).setRecord(record(i)).build();
                    for (int node = 0; node < 2; node++) {
                        ReplicaGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(10, TimeUnit.SECONDS).write(w);
                    }
                }
                AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(channels.getFirst())
                        .withDeadlineAfter(30, TimeUnit.SECONDS);
                String n1 = cluster.addresses.getFirst();
                assertThat(value(scrape(n1), "ringkv_repair_vnodes_planned", Map.of()))
                        .as("no gauge before the first session").isNull();

                RepairSessionInfo started = admin.startRepair(StartRepairRequest.newBuilder().setNode("n3").build());
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.listRepairs(ListRepairsRequest.newBuilder()
                        .setSessionId(started.getSessionId()).build()).getSessions(0).getState().equals("DONE"));
                RepairSessionInfo done = admin.listRepairs(ListRepairsRequest.newBuilder()
                        .setSessionId(started.getSessionId()).build()).getSessions(0);
                assertThat(done.getKeysStreamed()).as("every key, to n3").isEqualTo(KEYS);

                List<PrometheusSamples.Sample> metrics = scrape(n1);
                Map<String, String> onDemand = Map.of("kind", "on_demand");
                assertThat(value(metrics, "ringkv_repair_keys_compared_total", onDemand))
                        .isEqualTo((double) done.getKeysCompared()).isGreaterThanOrEqualTo(KEYS);
                assertThat(value(metrics, "ringkv_repair_keys_repaired_total", onDemand)).isEqualTo((double) KEYS);
                assertThat(value(metrics, "ringkv_repair_size_bytes_total", onDemand))
                        .isEqualTo((double) done.getBytesStreamed()).isPositive();
                assertThat(value(metrics, "ringkv_repair_vnodes_planned", onDemand)).isEqualTo((double) VNODES);
                assertThat(value(metrics, "ringkv_repair_vnodes_done", onDemand)).as("done = planned")
                        .isEqualTo((double) VNODES);
                assertThat(value(metrics, "ringkv_repair_vnodes_done", Map.of("kind", "background")))
                        .as("no background session ran").isNull();
                assertThat(value(scrape(cluster.addresses.get(2)), "ringkv_repair_keys_repaired_total", Map.of()))
                        .as("only the node running the session counts").isNull();

                InMemorySpanExporter spans = exporters.get("n1");
                await().atMost(Duration.ofSeconds(20)).until(() -> spans.getFinishedSpanItems().stream()
                        .anyMatch(s -> s.getName().equals("repair.session")));
                List<SpanData> all = spans.getFinishedSpanItems();
                SpanData session = all.stream().filter(s -> s.getName().equals("repair.session")).findFirst().orElseThrow();
                assertThat(session.getParentSpanContext().isValid()).as("a trace of its own").isFalse();
                assertThat(session.getAttributes().get(AttributeKey.stringKey("session.id"))).isEqualTo(started.getSessionId());
                assertThat(session.getAttributes().get(AttributeKey.stringKey("kind"))).isEqualTo("on_demand");
                assertThat(session.getAttributes().get(AttributeKey.stringKey("scope"))).isEqualTo("node:n3");
                assertThat(session.getAttributes().get(AttributeKey.stringKey("state"))).isEqualTo("DONE");
                assertThat(session.getAttributes().get(AttributeKey.longKey("vnodes"))).isEqualTo(VNODES);
                assertThat(session.getAttributes().get(AttributeKey.longKey("keys.repaired"))).isEqualTo(KEYS);
                assertThat(session.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
                SpanData call = all.stream().filter(s -> s.getName().equals("ringkv.v1.Admin/StartRepair")
                        && s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
                assertThat(session.getLinks()).extracting(l -> l.getSpanContext().getSpanId())
                        .as("linked to the StartRepair call that began it").containsExactly(call.getSpanId());

                List<SpanData> vnodeSpans = all.stream().filter(s -> s.getName().equals("repair.vnode")).toList();
                assertThat(vnodeSpans).hasSize(VNODES).allSatisfy(v -> {
                    assertThat(v.getTraceId()).isEqualTo(session.getTraceId());
                    assertThat(v.getParentSpanId()).as("under the session").isEqualTo(session.getSpanId());
                    assertThat(v.getAttributes().get(AttributeKey.stringArrayKey("peers")))
                            .as("N=3 on three nodes: every node replicates every vnode")
                            .containsExactlyInAnyOrder("n1", "n2", "n3");
                    assertThat(v.getAttributes().get(AttributeKey.stringKey("outcome"))).isEqualTo("full");
                });
                assertThat(vnodeSpans.stream().map(v -> v.getAttributes().get(AttributeKey.longKey("vnode")))
                        .collect(Collectors.toSet())).as("one span per vnode").hasSize(VNODES);
                assertThat(vnodeSpans.stream().mapToLong(v -> v.getAttributes().get(AttributeKey.longKey("keys.repaired")))
                        .sum()).isEqualTo(KEYS);
                Set<String> vnodeIds = vnodeSpans.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
                assertThat(all).as("the repair calls to the peers, under their vnode").anySatisfy(s -> {
                    assertThat(s.getKind()).isEqualTo(SpanKind.CLIENT);
                    assertThat(s.getName()).isEqualTo("ringkv.v1.Replica/RepairTree");
                    assertThat(vnodeIds).contains(s.getParentSpanId());
                });
            } finally {
                channels.forEach(ManagedChannel::shutdownNow);
            }
        }
    }
}
