package io.ringkv.coordinator.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PreferenceListTest {

    private static final List<String> ALL = List.of("a", "b", "c", "d", "e");

    /** Q = 8, N = 3 over a..e on three racks; f is JOINING and must never be chosen. */
    private static final Ring RING = Ring.of(3, 8, 3,
            List.of(RingTest.node("a", "r1", NodeState.ACTIVE), RingTest.node("b", "r2", NodeState.ACTIVE),
                    RingTest.node("c", "r3", NodeState.ACTIVE), RingTest.node("d", "r1", NodeState.ACTIVE),
                    RingTest.node("e", "r2", NodeState.ACTIVE), RingTest.node("f", "r3", NodeState.JOINING)),
            new int[][] {
                {0, 1, 2}, // v0: a b c
                {1, 2, 3}, // v1: b c d
                {2, 3, 4}, // v2: c d e
                {3, 4, 0}, // v3: d e a
                {4, 0, 1}, // v4: e a b
                {0, 2, 4}, // v5: a c e
                {1, 3, 0}, // v6: b d a
                {2, 4, 1}, // v7: c e b
            });

    private static List<String> ids(List<Replica> replicas) {
        return replicas.stream().map(Replica::nodeId).toList();
    }

    @Test
    void allLiveGivesThePrimariesThenTheClockwiseFallbacks() {
        PreferenceList list = PreferenceList.of(RING, 0, Set.copyOf(ALL));
        assertThat(list.vnode()).isZero();
        assertThat(ids(list.primaries())).containsExactly("a", "b", "c");
        assertThat(list.primaries()).allMatch(r -> r.live() && r.role() == Replica.Role.PRIMARY);
        // v1 adds d, v2 adds e.
        assertThat(ids(list.fallbacks())).containsExactly("d", "e");
        assertThat(list.fallbacks()).allMatch(r -> r.live() && r.role() == Replica.Role.FALLBACK);
        assertThat(list.downPrimaries()).isEmpty();
        assertThat(ids(list.sloppyTargets())).containsExactly("a", "b", "c");
    }

    @Test
    void theWalkWrapsAroundTheRing() {
        // v7's walk goes on at v0 (a) and v1 (d).
        assertThat(ids(PreferenceList.of(RING, 7, Set.copyOf(ALL)).fallbacks())).containsExactly("a", "d");
    }

    @Test
    void downPrimariesAreTaggedAndReplacedByFallbacksInOrder() {
        PreferenceList list = PreferenceList.of(RING, 0, Set.of("a", "c", "d", "e"));
        assertThat(ids(list.primaries())).containsExactly("a", "b", "c");
        assertThat(list.primaries()).extracting(Replica::live).containsExactly(true, false, true);
        assertThat(ids(list.livePrimaries())).containsExactly("a", "c");
        assertThat(ids(list.downPrimaries())).containsExactly("b");
        assertThat(ids(list.sloppyTargets())).containsExactly("a", "c", "d");
        assertThat(list.sloppyTargets()).extracting(Replica::role)
                .containsExactly(Replica.Role.PRIMARY, Replica.Role.PRIMARY, Replica.Role.FALLBACK);
    }

    @Test
    void fallbacksSkipPrimariesDownNodesAndNodesThatAreNotActive() {
        PreferenceList list = PreferenceList.of(RING, 0, Set.of("a", "b", "c", "e", "f", "stranger"));
        assertThat(ids(list.fallbacks())).containsExactly("e");
        assertThat(ids(list.firstLiveFallbacks(5))).containsExactly("e");
        assertThat(list.firstLiveFallbacks(0)).isEmpty();
        assertThatThrownBy(() -> list.firstLiveFallbacks(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withTooFewLiveNodesTheSloppyTargetsAreShort() {
        PreferenceList list = PreferenceList.of(RING, 2, Set.of("c"));
        assertThat(ids(list.sloppyTargets())).containsExactly("c");
        assertThat(PreferenceList.of(RING, 2, Set.of()).sloppyTargets()).isEmpty();
    }

    @Test
    void isDeterministicAndTheFallbackOrderDoesNotDependOnWhoIsDown() {
        for (int v = 0; v < RING.vnodeCount(); v++) {
            PreferenceList all = PreferenceList.of(RING, v, Set.copyOf(ALL));
            assertThat(PreferenceList.of(RING, v, Set.copyOf(ALL))).isEqualTo(all);
            for (String down : ALL) {
                List<String> expected = ids(all.fallbacks()).stream().filter(id -> !id.equals(down)).toList();
                PreferenceList partial = PreferenceList.of(RING, v,
                        Set.copyOf(ALL.stream().filter(id -> !id.equals(down)).toList()));
                assertThat(ids(partial.fallbacks())).isEqualTo(expected);
            }
        }
    }

    @Test
    void fallbacksCoverEveryOtherActiveNodeOnAPlannedRing() {
        List<Node> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            nodes.add(RingTest.node("n" + i, "r" + (i % 4), NodeState.ACTIVE));
        }
        Ring ring = Planner.initial(nodes, 64, 3);
        Set<String> live = Set.copyOf(nodes.stream().map(Node::id).toList());
        for (int v = 0; v < ring.vnodeCount(); v++) {
            PreferenceList list = PreferenceList.of(ring, v, live);
            assertThat(list.primaries().size() + list.fallbacks().size()).isEqualTo(20);
        }
    }

    @Test
    void rejectsInconsistentLists() {
        Node a = RingTest.node("a", "r1", NodeState.ACTIVE);
        assertThatThrownBy(() -> new PreferenceList(0, List.of(),
                List.of(new Replica(a, Replica.Role.FALLBACK, false))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be live");
        assertThatThrownBy(() -> new PreferenceList(0, List.of(new Replica(a, Replica.Role.PRIMARY, true)),
                List.of(new Replica(a, Replica.Role.FALLBACK, true))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> PreferenceList.of(RING, 8, Set.of())).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
