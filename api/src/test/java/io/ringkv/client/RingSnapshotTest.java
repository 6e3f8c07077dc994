package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.api.v1.NodeState;
import io.ringkv.api.v1.RingNode;
import io.ringkv.api.v1.RingView;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.Tokens;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RingSnapshotTest {
    private static RingView.Builder view(int vnodeCount, int perVnode, int nodes) {
        RingView.Builder b = RingView.newBuilder().setEpoch(7).setVnodeCount(vnodeCount).setReplicasPerVnode(perVnode);
        for (int i = 0; i < nodes; i++) {
            b.addNodes(RingNode.newBuilder().setId("n" + i).setAddress("10.0.0." + i + ":7000").setRack("r" + (i % 2))
                    .setState(i == 0 ? NodeState.LEAVING : NodeState.ACTIVE));
        }
        return b;
    }

    @Test
    void decodesTheCompactFormAndLocatesKeysLikeTheOracle() {
        // A seeded random ring: vnode v gets three distinct nodes out of five.
        Random random = new Random(42);
        int vnodes = 64;
        int[][] replicas = new int[vnodes][];
        RingView.Builder b = view(vnodes, 3, 5);
        for (int v = 0; v < vnodes; v++) {
            List<Integer> shuffled = new ArrayList<>(List.of(0, 1, 2, 3, 4));
            Collections.shuffle(shuffled, random);
            replicas[v] = new int[] {shuffled.get(0), shuffled.get(1), shuffled.get(2)};
            for (int r : replicas[v]) {
                b.addAssignments(r);
            }
        }
        RingSnapshot ring = RingSnapshot.fromProto(b.build(), "seed");

        assertThat(ring.epoch()).isEqualTo(7);
        assertThat(ring.nodes()).hasSize(5);
        assertThat(ring.nodes().getFirst().state()).isEqualTo(RingSnapshot.NodeState.LEAVING);
        for (int i = 0; i < 500; i++) {
            String key = "key-" + random.nextInt();
            Location location = ring.locate(key);
            int vnode = StorageKeys.vnodeOf(Tokens.of(key), vnodes);
            assertThat(location.vnode()).isEqualTo(vnode);
            assertThat(location.token()).isEqualTo(Tokens.of(key));
            assertThat(location.replicas()).extracting(RingSnapshot.Node::id)
                    .containsExactly("n" + replicas[vnode][0], "n" + replicas[vnode][1], "n" + replicas[vnode][2]);
            assertThat(ring.replicaAddresses(vnode)).containsExactlyElementsOf(
                    location.replicas().stream().map(RingSnapshot.Node::address).toList());
        }
    }

    @Test
    void aSingleVnodeRingPutsEveryKeyInVnodeZero() {
        RingSnapshot ring = RingSnapshot.fromProto(view(1, 1, 1).addAssignments(0).build(), "seed");
        assertThat(ring.locate("anything").vnode()).isZero();
    }

    @Test
    void rejectsMalformedRings() {
        assertThatThrownBy(() -> RingSnapshot.fromProto(view(12, 1, 2).build(), "seed"))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("power of two")
                .hasMessageContaining("seed");
        assertThatThrownBy(() -> RingSnapshot.fromProto(view(2, 1, 2).addAssignments(0).build(), "seed"))
                .hasMessageContaining("expected 2 assignments, got 1");
        assertThatThrownBy(() -> RingSnapshot.fromProto(view(2, 1, 2).addAssignments(0).addAssignments(2).build(), "s"))
                .hasMessageContaining("vnode 1 names node index 2 of 2");
        assertThatThrownBy(() -> RingSnapshot.fromProto(view(1, 2, 2).addAssignments(1).addAssignments(1).build(), "s"))
                .hasMessageContaining("lists node n1 twice");
        assertThatThrownBy(() -> RingSnapshot.fromProto(view(1, 3, 2).build(), "s"))
                .hasMessageContaining("replicas_per_vnode 3 with 2 nodes");
        RingView duplicateIds = view(1, 1, 1).addNodes(RingNode.newBuilder().setId("n0").setAddress("h:1"))
                .addAssignments(0).build();
        assertThatThrownBy(() -> RingSnapshot.fromProto(duplicateIds, "s")).hasMessageContaining("duplicate node id n0");
        RingView noAddress = RingView.newBuilder().setVnodeCount(1).setReplicasPerVnode(1)
                .addNodes(RingNode.newBuilder().setId("x")).addAssignments(0).build();
        assertThatThrownBy(() -> RingSnapshot.fromProto(noAddress, "s")).hasMessageContaining("empty id or address");
    }

    @Test
    void replicasOfChecksTheVnode() {
        RingSnapshot ring = RingSnapshot.fromProto(view(2, 1, 1).addAssignments(0).addAssignments(0).build(), "seed");
        assertThat(ring.replicasOf(1)).extracting(RingSnapshot.Node::id).containsExactly("n0");
        assertThatThrownBy(() -> ring.replicasOf(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void bulkPortsAreReadWithTheirEdgesAndNameWhereLargeValuesGo() {
        RingView.Builder b = view(1, 2, 2);
        b.setNodes(0, b.getNodes(0).toBuilder().setBulkPort(65_535));
        b.addAssignments(0).addAssignments(1);
        RingSnapshot ring = RingSnapshot.fromProto(b.build(), "seed");
        assertThat(ring.nodes().get(0).bulkPort()).isEqualTo(65_535);
        assertThat(ring.nodes().get(0).bulkAddress()).isEqualTo("10.0.0.0:65535");
        assertThat(ring.bulkAddressOf("10.0.0.0:7000")).isEqualTo("10.0.0.0:65535");
        // No bulk port: large values go to the node's one address.
        assertThat(ring.nodes().get(1).bulkPort()).isZero();
        assertThat(ring.bulkAddressOf("10.0.0.1:7000")).isEqualTo("10.0.0.1:7000");
        assertThat(ring.bulkAddressOf("elsewhere:1")).isEqualTo("elsewhere:1");

        b.setNodes(1, b.getNodes(1).toBuilder().setBulkPort(65_536));
        assertThatThrownBy(() -> RingSnapshot.fromProto(b.build(), "seed"))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("bulk port 65536");
        assertThatThrownBy(() -> new RingSnapshot.Node("n", "h:1", "r", RingSnapshot.NodeState.ACTIVE, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bulkPort must be in [0, 65535]");
    }
}
