package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.ConsistencyLevel;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.HintTarget;
import io.ringkv.api.v1.KVGrpc;
import io.ringkv.api.v1.ListHintsRequest;
import io.ringkv.api.v1.ListHintsResponse;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.coordinator.catalog.HintStatsRow;
import io.ringkv.coordinator.cli.Main;
import io.ringkv.coordinator.config.NodeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hinted handoff between real nodes (RocksDB, gRPC over loopback): ListHints, the CLI, and replay after a restart. */
class HintedHandoffGrpcTest {
    @TempDir
    Path dir;

    private static HintTarget target(ListHintsResponse r, String id) {
        return r.getTargetsList().stream().filter(t -> t.getTarget().equals(id)).findFirst()
                .orElse(HintTarget.getDefaultInstance());
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
    void listHintsShowsPendingHintsForAStoppedNodeAndNoneOnceItIsBackAndReplayed() throws Exception {
        // Replay rounds every 200 ms keep the test short.
        try (LocalCluster cluster = new LocalCluster(3, dir, "rocks", Map.of("hint_replay_interval", "200ms",
                "read_repair_chance", "0"))) {
            NodeServer n3 = cluster.nodes.get(2);
            NodeConfig n3Config = n3.config();
            n3.close();
            ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.addresses.getFirst()).usePlaintext().build();
            try {
                KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
                AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(channel);
                int writes = 20;
                for (int i = 0; i < writes; i++) {
                    // N=3 on three nodes: n1 is a replica of every key and coordinates each write itself.
                    kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder().setKey("h" + i)
                            .setValue(ByteString.copyFromUtf8("v" + i)).build());
                }
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        target(admin.listHints(ListHintsRequest.getDefaultInstance()), "n3").getCount() == writes);
                ListHintsResponse pending = admin.listHints(ListHintsRequest.getDefaultInstance());
                assertThat(pending.getNodeId()).isEqualTo("n1");
                HintTarget forN3 = target(pending, "n3");
                assertThat(forN3.getBytes()).isPositive();
                assertThat(forN3.getTargetUp()).isFalse();
                assertThat(forN3.getDeliveredTotal()).isZero();
                assertThat(target(pending, "n2").getCount()).as("n2 acknowledged every write").isZero();
                String json = stdout("hints", "--json", "--endpoint", cluster.addresses.getFirst());
                assertThat(json).contains("\"target\" : \"n3\"").contains("\"count\" : " + writes);
                assertThat(stdout("hints", "--endpoint", cluster.addresses.getFirst())).contains("hints kept by n1")
                        .contains("DOWN");

                cluster.nodes.set(2, NodeServer.start(n3Config));
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        target(admin.listHints(ListHintsRequest.getDefaultInstance()), "n3").getCount() == 0);
                HintTarget replayed = target(admin.listHints(ListHintsRequest.getDefaultInstance()), "n3");
                assertThat(replayed.getBytes()).isZero();
                assertThat(replayed.getOldestAgeMillis()).isZero();
                assertThat(replayed.getDeliveredTotal()).isEqualTo(writes);
                assertThat(replayed.getTargetUp()).isTrue();
                // A read at ONE through n3 is answered from n3's own replica (no read repair in this cluster).
                ManagedChannel toN3 = NettyChannelBuilder.forTarget(cluster.addresses.get(2)).usePlaintext().build();
                try {
                    KVGrpc.KVBlockingStub kv3 = KVGrpc.newBlockingStub(toN3);
                    for (int i = 0; i < writes; i++) {
                        GetResponse r = kv3.withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder()
                                .setKey("h" + i).setConsistency(ConsistencyLevel.ONE).build());
                        assertThat(r.getFound()).as("n3 holds h%d from replay", i).isTrue();
                        assertThat(r.getValues(0).getValue().toStringUtf8()).isEqualTo("v" + i);
                    }
                } finally {
                    toN3.shutdownNow();
                }
                // The catalog's statistics follow (written every 5 s, and at close).
                await().atMost(Duration.ofSeconds(15)).until(() -> cluster.nodes.getFirst().catalog().hintStats(10)
                        .stream().anyMatch(r -> r.targetNode().equals("n3") && r.hintsPending() == 0
                                && r.deliveredTotal() == writes));
                HintStatsRow row = cluster.nodes.getFirst().catalog().hintStats(10).stream()
                        .filter(r -> r.targetNode().equals("n3")).findFirst().orElseThrow();
                assertThat(row.oldestHintAt()).isNull();
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
