package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.HintTarget;
import io.ringkv.api.v1.KVGrpc;
import io.ringkv.api.v1.ListHintsRequest;
import io.ringkv.api.v1.ListHintsResponse;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.coordinator.cli.Main;
import io.ringkv.coordinator.config.NodeConfig;
import io.ringkv.coordinator.handoff.HintStats;
import io.ringkv.observability.PrometheusSamples;
import io.ringkv.observability.Telemetry;
import io.ringkv.observability.TelemetrySettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hinted handoff as telemetry shows it, on real nodes over loopback: the hint gauges and counters
 * on {@code /metrics} while a node is down and after its hints are replayed, the same drops by
 * reason in ListHints and {@code ringkv hints}, and the {@code hint.store} span under the write.
 */
class HandoffTelemetryTest {
    @TempDir
    Path dir;

    private static HintTarget target(ListHintsResponse r, String id) {
        return r.getTargetsList().stream().filter(t -> t.getTarget().equals(id)).findFirst()
                .orElse(HintTarget.getDefaultInstance());
    }

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

    private static String stdout(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            assertThat(Main.run(args)).as("exit code of ringkv %s", String.join(" ", args)).isZero();
        } finally {
            System.setOut(old);
        }
        return out.toString();
    }

    @Test
    void metricsShowHintsPendingForAStoppedNodeThenDeliveredAndNonePendingAfterReplay() throws Exception {
        // A 10 kB cap per target: the small writes fit, most of the 4 KiB ones are dropped as full.
        try (LocalCluster cluster = new LocalCluster(3, dir, "memory", Map.of("hint_replay_interval", "200ms",
                "read_repair_chance", "0", "hints_max_bytes_per_target", "10000"))) {
            NodeServer n3 = cluster.nodes.get(2);
            NodeConfig n3Config = n3.config();
            n3.close();
            String n1 = cluster.addresses.getFirst();
            ManagedChannel channel = NettyChannelBuilder.forTarget(n1).usePlaintext().build();
            try {
                KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
                AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(channel);
                int small = 20;
                int large = 5;
                for (int i = 0; i < small + large; i++) {
                    // N=3 on three nodes: n1 is a replica of every key and coordinates each write itself.
                    ByteString value = i < small ? ByteString.copyFromUtf8("v" + i) : ByteString.copyFrom(new byte[4096]);
                    kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder().setKey("h" + i)
                            .setValue(value).build());
                }
                // Every write to n3 failed: each became a hint or a drop.
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    HintTarget t = target(admin.listHints(ListHintsRequest.getDefaultInstance()), "n3");
                    return t.getCount() + t.getDroppedFull() == small + large;
                });
                HintTarget held = target(admin.listHints(ListHintsRequest.getDefaultInstance()), "n3");
                assertThat(held.getCount()).isPositive();
                assertThat(held.getDroppedFull()).as("three 4 KiB hints cannot fit in 10 kB").isGreaterThanOrEqualTo(3);
                assertThat(held.getDroppedTotal()).isEqualTo(held.getDroppedFull());
                assertThat(List.of(held.getDroppedWindow(), held.getDroppedRejected(), held.getDroppedTargetLeft()))
                        .containsOnly(0L);

                List<PrometheusSamples.Sample> down = scrape(n1);
                Map<String, String> n3Label = Map.of("target", "n3");
                assertThat(value(down, "ringkv_hints_pending", n3Label)).isEqualTo((double) held.getCount()).isPositive();
                assertThat(value(down, "ringkv_hints_pending_size_bytes", n3Label)).isEqualTo((double) held.getBytes());
                assertThat(value(down, "ringkv_hints_stored_total", n3Label)).isEqualTo((double) held.getCount());
                assertThat(value(down, "ringkv_hints_dropped_total", Map.of("target", "n3", "reason", "full")))
                        .isEqualTo((double) held.getDroppedFull());
                assertThat(value(down, "ringkv_hints_delivered_total", n3Label)).as("nothing delivered yet")
                        .isIn(null, 0.0);
                assertThat(value(down, "ringkv_hints_pending", Map.of("target", "n2"))).as("n2 acknowledged every write")
                        .isIn(null, 0.0);
                String json = stdout("hints", "--json", "--endpoint", n1);
                assertThat(json).contains("\"dropped_full\" : " + held.getDroppedFull())
                        .contains("\"dropped_window\" : 0").contains("\"dropped_rejected\" : 0")
                        .contains("\"dropped_target_left\" : 0");

                cluster.nodes.set(2, NodeServer.start(n3Config));
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        target(admin.listHints(ListHintsRequest.getDefaultInstance()), "n3").getCount() == 0);
                List<PrometheusSamples.Sample> replayed = scrape(n1);
                assertThat(value(replayed, "ringkv_hints_delivered_total", n3Label)).isEqualTo((double) held.getCount())
                        .isPositive();
                assertThat(value(replayed, "ringkv_hints_pending", n3Label)).isZero();
                assertThat(value(replayed, "ringkv_hints_pending_size_bytes", n3Label)).isZero();
                assertThat(value(replayed, "ringkv_hints_dropped_total", Map.of("target", "n3", "reason", "full")))
                        .as("replay drops nothing").isEqualTo((double) held.getDroppedFull());
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void aWriteToAStoppedReplicaStoresItsHintInASpanUnderTheRequestAndLinkedToIt() throws Exception {
        // One exporter per node: a stopped node shuts its exporter down.
        Map<String, InMemorySpanExporter> exporters = new ConcurrentHashMap<>();
        try (LocalCluster cluster = new LocalCluster(3, dir, "memory", Map.of("read_repair_chance", "0"),
                id -> Telemetry.withExporters(TelemetrySettings.DEFAULTS, "ringkv-node", id,
                        exporters.computeIfAbsent(id, x -> InMemorySpanExporter.create())))) {
            cluster.nodes.get(2).close();
            ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.addresses.getFirst()).usePlaintext().build();
            try {
                KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                        .setKey("traced").setValue(ByteString.copyFromUtf8("v")).build());
            } finally {
                channel.shutdownNow();
            }
            InMemorySpanExporter n1 = exporters.get("n1");
            await().atMost(Duration.ofSeconds(20)).until(() -> n1.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getName().equals("hint.store")));
            List<SpanData> spans = n1.getFinishedSpanItems();
            SpanData store = spans.stream().filter(s -> s.getName().equals("hint.store")).findFirst().orElseThrow();
            SpanData put = spans.stream().filter(s -> s.getName().equals("kv.put")
                    && s.getTraceId().equals(store.getTraceId())).findFirst().orElseThrow();
            assertThat(store.getParentSpanId()).as("under the write").isEqualTo(put.getSpanId());
            assertThat(store.getLinks()).extracting(LinkData::getSpanContext).extracting(c -> c.getSpanId())
                    .as("linked to the write").contains(put.getSpanId());
            assertThat(store.getAttributes().get(AttributeKey.stringKey("target"))).isEqualTo("n3");
            assertThat(store.getAttributes().get(AttributeKey.stringKey("outcome"))).isEqualTo("stored");
            long vnode = cluster.nodes.getFirst().ring().ring().orElseThrow()
                    .vnodeOf(io.ringkv.storage.Tokens.of("traced".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(store.getAttributes().get(AttributeKey.longKey("vnode"))).isEqualTo(vnode);
            assertThat(spans).as("the hint's own write to storage, under its span").anySatisfy(s -> {
                assertThat(s.getName()).isEqualTo("storage.put");
                assertThat(s.getParentSpanId()).isEqualTo(store.getSpanId());
            });
        }
    }

    @Test
    void listHintsCarriesEachDropReasonInItsOwnField() {
        HintStats stats = new HintStats("n3", 2, 200, 1_000, 50, 10, 7, 700, 11, 12, 13, 14, 100);
        HintTarget t = AdminGrpcService.hintTarget(stats, true);
        assertThat(t.getDroppedFull()).isEqualTo(11);
        assertThat(t.getDroppedWindow()).isEqualTo(12);
        assertThat(t.getDroppedRejected()).isEqualTo(13);
        assertThat(t.getDroppedTargetLeft()).isEqualTo(14);
        assertThat(t.getDroppedTotal()).as("the reasons and the earlier runs' drops").isEqualTo(11 + 12 + 13 + 14 + 100);
        assertThat(t.getCount()).isEqualTo(2);
        assertThat(t.getBytes()).isEqualTo(200);
        assertThat(t.getOldestAgeMillis()).isEqualTo(50);
        assertThat(t.getDeliveryBytesPerSecond()).isEqualTo(10);
        assertThat(t.getDeliveredTotal()).isEqualTo(7);
        assertThat(t.getTargetUp()).isTrue();
    }
}
