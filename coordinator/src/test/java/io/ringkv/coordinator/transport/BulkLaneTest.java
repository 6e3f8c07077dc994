package io.ringkv.coordinator.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.server.LocalCluster;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.memory.MemoryEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.VersionKind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node-to-node bulk lane of {@link GrpcTransport}: which calls take it, and what a failed bulk
 * call means. Peers here are ports where nothing listens (real sockets, refused connections).
 */
class BulkLaneTest {
    private static final String SELF = "n1";
    private static final String PEER = "n2";

    private final LocalReplica replica = new LocalReplica(
            new ChunkingEngine(new MemoryEngine(), ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS),
            Keyspaces.of(List.of()), StorageLimits.DEFAULTS);
    private final BulkLane lane = new BulkLane(0, 1, 8 << 20, List.of());
    private GrpcTransport transport;

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
        lane.close();
    }

    private GrpcTransport transportTo(int mainPort) {
        transport = new GrpcTransport(SELF, replica, id -> id.equals(PEER) ? Optional.of("127.0.0.1:" + mainPort)
                : Optional.empty());
        transport.useBulkLane(lane);
        return transport;
    }

    private static ReplicaWrite write(int bytes) {
        Record record = Record.value(VersionKind.LWW, new LwwVersion(1L << 16, SELF).encode(), 1, new byte[bytes]);
        return new ReplicaWrite("default", "k", record, 0);
    }

    @Test
    void aFailedBulkCallIsAnOverloadNotADownNodeAndTheLaneForgetsThePort() throws Exception {
        GrpcTransport t = transportTo(LocalCluster.freePort());
        int deadBulkPort = LocalCluster.freePort();
        lane.learn(PEER, deadBulkPort);
        assertThat(t.bulkPortOf(PEER)).isEqualTo(deadBulkPort);

        PeerException e = LocalLargeValueTest.failure(t.write(PEER, write(2 << 20), 5_000));
        assertThat(e.overloaded()).as(e.getMessage()).isTrue();
        assertThat(e.getMessage()).isEqualTo(PEER + ": bulk lane: UNAVAILABLE");
        // The failure detector takes an overload for a sign of life: pings decide whether the node is down.
        FailureDetector detector = new FailureDetector(io.ringkv.coordinator.time.Clock.SYSTEM, 1, 60_000);
        detector.onError(PEER, e);
        assertThat(detector.isAvailable(PEER)).isTrue();
        assertThat(lane.portOf(PEER)).as("forgotten until the next ping names it").isZero();
        assertThat(t.bulkPortOf(PEER)).isZero();

        // Without a known bulk port the same write takes the main port, and its failure is an ordinary one.
        PeerException main = LocalLargeValueTest.failure(t.write(PEER, write(2 << 20), 5_000));
        assertThat(main.overloaded()).as(main.getMessage()).isFalse();
        assertThat(main.getMessage()).doesNotContain("bulk lane");
    }

    @Test
    void smallRecordsNeverTakeTheBulkLane() throws Exception {
        GrpcTransport t = transportTo(LocalCluster.freePort());
        lane.learn(PEER, LocalCluster.freePort());
        PeerException e = LocalLargeValueTest.failure(t.write(PEER, write(100), 5_000));
        assertThat(e.overloaded()).as("a small write failed on the main port: " + e.getMessage()).isFalse();
        assertThat(lane.portOf(PEER)).as("untouched").isPositive();
    }

    @Test
    void theLaneKnowsItsOwnPortAndLearnsAndForgetsPeers() {
        GrpcTransport t = transportTo(1);
        assertThat(t.bulkPortOf(SELF)).isZero();
        t.ownBulkPort(4321);
        assertThat(t.bulkPortOf(SELF)).isEqualTo(4321);
        lane.learn(PEER, 1234);
        assertThat(t.bulkPortOf(PEER)).isEqualTo(1234);
        lane.learn(PEER, 0); // its ping reply named none: the lane was turned off there
        assertThat(t.bulkPortOf(PEER)).isZero();
        assertThat(BulkLane.withPort("[::1]:7000", 7100)).isEqualTo("[::1]:7100");
        assertThat(BulkLane.withPort("10.0.0.1:7000", 7100)).isEqualTo("10.0.0.1:7100");
        assertThatThrownBy(() -> new BulkLane(20, 1, 1, List.of())).hasMessageContaining("nice must be in [0, 19], was 20");
        assertThatThrownBy(() -> new BulkLane(0, 0, 1, List.of())).hasMessageContaining("eventLoops must be positive");
    }
}
