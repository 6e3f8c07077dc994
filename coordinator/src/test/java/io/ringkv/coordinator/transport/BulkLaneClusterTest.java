package io.ringkv.coordinator.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.client.RingSnapshot;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.Versioned;
import io.ringkv.coordinator.server.LocalCluster;
import io.ringkv.coordinator.server.NodeServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes in this JVM (RocksDB, loopback sockets): each serves a bulk lane on a port of
 * its own, the ring names every node's bulk port, small requests never touch the lanes, and large
 * values travel over them, from the client and between nodes.
 */
class BulkLaneClusterTest {
    @TempDir
    Path dir;

    @Test
    void largeValuesTravelOnTheBulkLanesAndSmallOnesNever() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, dir, "rocks", Map.of());
             RingkvClient client = RingkvClient.builder().seeds(cluster.addresses)
                     .ringRefreshInterval(Duration.ofMillis(200)).build()) {
            for (NodeServer n : cluster.nodes) {
                assertThat(n.bulkPort()).as("%s bulk port", n.config().id()).isPositive()
                        .isNotEqualTo(n.config().listen().port());
            }
            // Peers learn each other's bulk ports from pings; the ring the client fetches names them all.
            await("the ring names every bulk port").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                RingSnapshot ring = client.refreshRing();
                for (NodeServer n : cluster.nodes) {
                    RingSnapshot.Node node = ring.nodes().stream().filter(x -> x.id().equals(n.config().id())).findFirst()
                            .orElseThrow();
                    assertThat(node.bulkPort()).as(n.config().id()).isEqualTo(n.bulkPort());
                    assertThat(node.bulkAddress()).isEqualTo("127.0.0.1:" + n.bulkPort());
                }
            });

            for (int i = 0; i < 50; i++) {
                client.put("small-" + i, new byte[100 + i]);
                assertThat(client.get("small-" + i).latest()).map(v -> v.value().length).hasValue(100 + i);
            }
            assertThat(cluster.nodes).as("bulk lanes after small requests only").allSatisfy(n -> {
                assertThat(n.bulkLaneConnections()).as(n.config().id()).isZero();
                assertThat(n.bulkLaneCalls()).as(n.config().id()).isEqualTo(new NodeServer.BulkLaneCalls(0, 0));
            });

            Random random = new Random(5);
            for (int i = 0; i < 6; i++) {
                // Above the client's stream threshold (1 MiB) and the replica channel's record cap.
                byte[] value = new byte[(i % 2 == 0 ? 3 : 1) * 1024 * 1024 + 17 * i];
                random.nextBytes(value);
                client.put("large-" + i, value);
                assertThat(client.get("large-" + i).latest()).map(Versioned::value).hasValue(value);
            }
            // From the client: each put and each get's stream. Between nodes: each put's record to the two
            // other replicas (the third write may land after the put returned).
            await("the bulk lanes carried the large values").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                long kv = 0;
                long replica = 0;
                for (NodeServer n : cluster.nodes) {
                    kv += n.bulkLaneCalls().kv();
                    replica += n.bulkLaneCalls().replica();
                }
                assertThat(kv).as("client calls on the bulk lanes").isGreaterThanOrEqualTo(12);
                assertThat(replica).as("replica calls on the bulk lanes").isGreaterThanOrEqualTo(12);
                assertThat(cluster.nodes).allSatisfy(n ->
                        assertThat(n.bulkLaneConnections()).as(n.config().id()).isPositive());
            });
        }
    }

    @Test
    void aNodeWithTheBulkLaneOffServesLargeValuesOnItsOnePort() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, dir, "rocks", Map.of("bulk_port", "off"));
             RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).build()) {
            assertThat(cluster.nodes).allSatisfy(n -> assertThat(n.bulkPort()).isZero());
            byte[] value = new byte[2 * 1024 * 1024];
            new Random(3).nextBytes(value);
            client.put("large", value);
            assertThat(client.get("large").latest()).map(Versioned::value).hasValue(value);
            assertThat(client.refreshRing().nodes()).allSatisfy(n -> assertThat(n.bulkPort()).isZero());
        }
    }

    /**
     * A peer's record larger than Armeria's default whole-response cap (10 MiB), read over its bulk lane
     * and over its main port: the stream of 256 KiB chunks arrives whole (it failed with
     * RESOURCE_EXHAUSTED before).
     */
    @Test
    void aRecordOverTenMebibytesStreamsWholeFromAPeersBulkLane() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, dir, "rocks", Map.of());
             RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).build();
             BulkLane lane = new BulkLane(0, 1, GrpcTransport.STREAM_THRESHOLD_BYTES * 4, java.util.List.of())) {
            byte[] value = new byte[12 * 1024 * 1024];
            new Random(12).nextBytes(value);
            client.put("twelve", value, io.ringkv.client.PutOptions.defaults().withConsistency(io.ringkv.client.Consistency.ALL));
            NodeServer peer = cluster.nodes.get(1);
            String peerId = peer.config().id();
            String address = cluster.addresses.get(1);
            GrpcTransport transport = new GrpcTransport("caller", null,
                    id -> id.equals(peerId) ? java.util.Optional.of(address) : java.util.Optional.empty());
            try {
                transport.useBulkLane(lane);
                lane.learn(peerId, peer.bulkPort());
                ReadReply reply = transport.read(peerId, new ReplicaRead("default", "twelve",
                        false, 0), 30_000).get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(reply.found()).isTrue();
                assertThat(reply.record().value()).isEqualTo(value);
                assertThat(peer.bulkLaneCalls().replica()).as("the read took the peer's bulk lane").isPositive();
            } finally {
                transport.close();
            }
            // And from its main port, as a node without a bulk lane (or whose lane call failed) reads it.
            GrpcTransport mainPort = new GrpcTransport("caller", null,
                    id -> id.equals(peerId) ? java.util.Optional.of(address) : java.util.Optional.empty());
            try {
                long bulkCalls = peer.bulkLaneCalls().replica();
                ReadReply reply = mainPort.read(peerId, new ReplicaRead("default", "twelve", false, 0), 30_000)
                        .get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(reply.record().value()).isEqualTo(value);
                assertThat(peer.bulkLaneCalls().replica()).as("not on the bulk lane").isEqualTo(bulkCalls);
            } finally {
                mainPort.close();
            }
        }
    }
}
