package io.ringkv.coordinator.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RingTest {

    private static final Node A = node("a", "r1", NodeState.ACTIVE);
    private static final Node B = node("b", "r2", NodeState.ACTIVE);
    private static final Node C = node("c", "r3", NodeState.ACTIVE);
    private static final Node D = node("d", "r1", NodeState.JOINING);
    private static final List<Node> NODES = List.of(A, B, C, D);

    static Node node(String id, String rack, NodeState state) {
        return new Node(id, id + ":7000", rack, state);
    }

    /** Q = 4, N = 2 over a, b, c; d is JOINING. */
    private static Ring sample() {
        return Ring.of(7, 4, 2, NODES, new int[][] {{0, 1}, {1, 2}, {2, 0}, {0, 1}});
    }

    @Test
    void exposesItsPlacement() {
        Ring ring = sample();
        assertThat(ring.epoch()).isEqualTo(7);
        assertThat(ring.vnodeCount()).isEqualTo(4);
        assertThat(ring.replicationFactor()).isEqualTo(2);
        assertThat(ring.replicasPerVnode()).isEqualTo(2);
        assertThat(ring.nodes()).containsExactly(A, B, C, D);
        assertThat(ring.activeNodes()).containsExactly(A, B, C);
        assertThat(ring.replicas(2)).containsExactly(C, A);
        assertThat(ring.replicaIndexes(1)).containsExactly(1, 2);
        assertThat(ring.replicaIndex(2, 1)).isZero();
        assertThat(ring.isReplica(1, "c")).isTrue();
        assertThat(ring.isReplica(1, "a")).isFalse();
        assertThat(ring.isReplica(1, "nobody")).isFalse();
        assertThat(ring.vnodesOf("a")).containsExactly(0, 2, 3);
        assertThat(ring.vnodesOf("d")).isEmpty();
        assertThat(ring.vnodesOf("nobody")).isEmpty();
        assertThat(ring.replicaCounts()).containsExactly(
                java.util.Map.entry("a", 3), java.util.Map.entry("b", 3), java.util.Map.entry("c", 2));
        assertThat(ring.node("d")).contains(D);
        assertThat(ring.node("x")).isEmpty();
        assertThat(ring.indexOf("c")).isEqualTo(2);
        assertThat(ring.indexOf("x")).isEqualTo(-1);
        assertThat(ring.distinctRacks(0)).isEqualTo(2);
        assertThat(ring.assignments()).isDeepEqualTo(new int[][] {{0, 1}, {1, 2}, {2, 0}, {0, 1}});
    }

    @Test
    void returnsCopiesAndUnmodifiableViews() {
        Ring ring = sample();
        ring.replicaIndexes(0)[0] = 2;
        ring.assignments()[0][0] = 2;
        assertThat(ring.replicas(0)).containsExactly(A, B);
        assertThatThrownBy(() -> ring.replicas(0).set(0, C)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ring.nodes().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(ring.replicas(0)).isSameAs(ring.replicas(0));
    }

    @Test
    void copiesTheArraysItIsBuiltFrom() {
        int[][] assignments = {{0, 1}, {1, 2}, {2, 0}, {0, 1}};
        Ring ring = Ring.of(7, 4, 2, NODES, assignments);
        assignments[0][0] = 2;
        assertThat(ring).isEqualTo(sample());
    }

    @Test
    void equalsByValue() {
        assertThat(sample()).isEqualTo(sample()).hasSameHashCodeAs(sample());
        assertThat(Ring.of(8, 4, 2, NODES, new int[][] {{0, 1}, {1, 2}, {2, 0}, {0, 1}})).isNotEqualTo(sample());
        assertThat(Ring.of(7, 4, 2, NODES, new int[][] {{1, 0}, {1, 2}, {2, 0}, {0, 1}})).isNotEqualTo(sample());
        assertThat(Ring.of(7, 4, 3, NODES, new int[][] {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 1, 2}}))
                .isNotEqualTo(Ring.of(7, 4, 4, NODES, new int[][] {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 1, 2}}));
    }

    @Test
    void vnodeOfReadsTheTokenAsUnsignedTopBits() {
        assertThat(Ring.vnodeOf(0L, 1024)).isZero();
        assertThat(Ring.vnodeOf(-1L, 1024)).isEqualTo(1023);
        assertThat(Ring.vnodeOf(Long.MIN_VALUE, 1024)).isEqualTo(512);
        assertThat(Ring.vnodeOf(Long.MAX_VALUE, 1024)).isEqualTo(511);
        assertThat(Ring.vnodeOf(1L << 54, 1024)).isEqualTo(1);
        assertThat(Ring.vnodeOf((1L << 54) - 1, 1024)).isZero();
        for (long token : new long[] {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertThat(Ring.vnodeOf(token, 1)).isZero();
        }
        assertThat(Ring.vnodeOf(Long.MIN_VALUE, 2)).isEqualTo(1);
        assertThat(Ring.vnodeOf(Long.MAX_VALUE, 2)).isZero();
        assertThat(Ring.vnodeOf(-1L, 65536)).isEqualTo(65535);
    }

    @Test
    void instanceVnodeOfMatchesTheStaticOne() {
        Ring ring = sample();
        for (long token : new long[] {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x4000_0000_0000_0000L, 12345L}) {
            assertThat(ring.vnodeOf(token)).isEqualTo(Ring.vnodeOf(token, 4));
            assertThat(ring.replicasOfToken(token)).isEqualTo(ring.replicas(Ring.vnodeOf(token, 4)));
        }
        Ring single = Ring.of(1, 1, 1, List.of(A), new int[][] {{0}});
        assertThat(single.vnodeOf(Long.MIN_VALUE)).isZero();
        assertThat(single.vnodeOf(-1L)).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 1000, -4, 131072})
    void rejectsVnodeCountsThatAreNotPowersOfTwoInRange(int q) {
        assertThatThrownBy(() -> Ring.vnodeOf(0, q)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> Ring.of(1, q, 1, List.of(), new int[Math.max(q, 0)][0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 17})
    void rejectsReplicationFactorsOutOfRange(int n) {
        assertThatThrownBy(() -> Ring.of(1, 1, n, List.of(A), new int[][] {{0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replication factor");
    }

    @Test
    void rejectsAVnodeThatNamesANodeTwice() {
        assertThatThrownBy(() -> Ring.of(1, 4, 2, NODES, new int[][] {{0, 1}, {1, 1}, {2, 0}, {0, 1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("vnode 1 names node b twice");
    }

    @Test
    void rejectsBadIndexes() {
        assertThatThrownBy(() -> Ring.of(1, 4, 2, NODES, new int[][] {{0, 1}, {1, 4}, {2, 0}, {0, 1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vnode 1 names node index 4");
        assertThatThrownBy(() -> Ring.of(1, 4, 2, NODES, new int[][] {{0, 1}, {1, 2}, {-1, 0}, {0, 1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vnode 2 names node index -1");
    }

    @Test
    void rejectsReplicasThatAreNotActive() {
        assertThatThrownBy(() -> Ring.of(1, 4, 2, NODES, new int[][] {{0, 1}, {1, 2}, {2, 0}, {3, 1}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vnode 3 names node d which is JOINING, not ACTIVE");
    }

    @Test
    void rejectsTheWrongNumberOfReplicas() {
        assertThatThrownBy(() -> Ring.of(1, 4, 2, NODES, new int[][] {{0, 1}, {1, 2, 0}, {2, 0}, {0, 1}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vnode 1 has 3 replicas, expected 2 = min(N=2, active nodes=3)");
        // With N = 5 but only three ACTIVE nodes every vnode must list all three.
        assertThatThrownBy(() -> Ring.of(1, 4, 5, NODES, new int[][] {{0, 1}, {1, 2}, {2, 0}, {0, 1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 3");
        assertThatThrownBy(() -> Ring.of(1, 4, 2, NODES, new int[][] {{0, 1}, null, {2, 0}, {0, 1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vnode 1 has no replica list");
        assertThatThrownBy(() -> Ring.of(1, 4, 2, NODES, new int[][] {{0, 1}, {1, 2}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected assignments for 4 vnodes");
    }

    @Test
    void rejectsAnUnsortedOrDuplicatedNodeTable() {
        assertThatThrownBy(() -> Ring.of(1, 1, 1, List.of(B, A), new int[][] {{0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sorted by id");
        assertThatThrownBy(() -> Ring.of(1, 1, 1, List.of(A, A), new int[][] {{0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate node id a");
    }

    @Test
    void rejectsANegativeEpoch() {
        assertThatThrownBy(() -> Ring.of(-1, 1, 1, List.of(A), new int[][] {{0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch");
    }

    @Test
    void aRingWithoutActiveNodesHasEmptyReplicaLists() {
        Ring ring = Ring.of(0, 2, 3, List.of(D), new int[][] {{}, {}});
        assertThat(ring.replicasPerVnode()).isZero();
        assertThat(ring.replicas(1)).isEmpty();
        assertThat(ring.replicaCounts()).isEmpty();
    }

    @Test
    void rejectsVnodesOutsideTheRing() {
        Ring ring = sample();
        assertThatThrownBy(() -> ring.replicas(4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ring.replicaIndexes(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ring.replicaIndex(0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
