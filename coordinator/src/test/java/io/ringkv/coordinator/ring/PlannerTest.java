package io.ringkv.coordinator.ring;

import static io.ringkv.coordinator.ring.RingAssertions.assertBalanced;
import static io.ringkv.coordinator.ring.RingAssertions.assertJoin;
import static io.ringkv.coordinator.ring.RingAssertions.assertRemove;
import static io.ringkv.coordinator.ring.RingAssertions.rackRepeats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private static List<Node> cluster(int nodes, int racks) {
        List<Node> list = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            list.add(RingTest.node(String.format("node-%02d", i), "rack-" + (i % racks), NodeState.ACTIVE));
        }
        return list;
    }

    @Test
    void initialSpreadsReplicasOverRacksAndBalancesCounts() {
        Ring ring = Planner.initial(cluster(6, 3), 64, 3);
        assertThat(ring.epoch()).isEqualTo(1);
        assertThat(ring.replicasPerVnode()).isEqualTo(3);
        assertThat(ring.replicaCounts().values()).containsOnly(32);
        assertThat(rackRepeats(ring)).isZero();
    }

    @Test
    void initialRepeatsRacksOnlyWhenThereAreTooFewOfThem() {
        Ring twoRacks = Planner.initial(cluster(6, 2), 64, 3);
        assertBalanced(twoRacks);
        assertThat(Planner.racksCanBeDistinct(cluster(6, 2), 64, 3)).isFalse();
        // Each vnode has three replicas on two racks: exactly one repeat each, never two.
        for (int v = 0; v < 64; v++) {
            assertThat(twoRacks.distinctRacks(v)).isEqualTo(2);
        }
    }

    @Test
    void initialBalancesWhoIsPrimary() {
        Ring ring = Planner.initial(cluster(64, 8), 1024, 5);
        int[] primaries = new int[64];
        for (int v = 0; v < 1024; v++) {
            primaries[ring.replicaIndex(v, 0)]++;
        }
        // 1024 / 64 = 16 primaries each.
        assertThat(Arrays.stream(primaries).min().orElseThrow()).isGreaterThanOrEqualTo(15);
        assertThat(Arrays.stream(primaries).max().orElseThrow()).isLessThanOrEqualTo(17);
    }

    @Test
    void initialListsJoiningAndLeavingNodesWithoutVnodes() {
        List<Node> nodes = new ArrayList<>(cluster(3, 3));
        nodes.add(RingTest.node("late", "rack-0", NodeState.JOINING));
        nodes.add(RingTest.node("old", "rack-1", NodeState.LEAVING));
        Ring ring = Planner.initial(nodes, 16, 2);
        assertThat(ring.nodes()).hasSize(5);
        assertThat(ring.vnodesOf("late")).isEmpty();
        assertThat(ring.vnodesOf("old")).isEmpty();
        assertThat(ring.replicaCounts()).containsOnlyKeys("node-00", "node-01", "node-02");
    }

    @Test
    void initialWithFewerNodesThanNPutsEveryNodeOnEveryVnode() {
        Ring ring = Planner.initial(cluster(2, 2), 16, 3);
        assertThat(ring.replicasPerVnode()).isEqualTo(2);
        assertThat(ring.replicaCounts().values()).containsOnly(16);
        assertThat(Planner.initial(List.of(), 16, 3).replicasPerVnode()).isZero();
    }

    @Test
    void initialRejectsBadInput() {
        assertThatThrownBy(() -> Planner.initial(List.of(RingTest.node("a", "r", NodeState.ACTIVE),
                RingTest.node("a", "s", NodeState.ACTIVE)), 16, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate node id a");
        assertThatThrownBy(() -> Planner.initial(cluster(3, 1), 12, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> Planner.initial(cluster(3, 1), 16, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replication factor");
    }

    @Test
    void registerThenJoinActivatesTheNode() {
        Ring ring = Planner.initial(cluster(4, 2), 64, 2);
        Node joiner = RingTest.node("node-09", "rack-1", NodeState.JOINING);
        Ring registered = Planner.apply(ring, new RingChange.Register(joiner));
        assertThat(registered.epoch()).isEqualTo(2);
        assertThat(registered.node("node-09")).contains(joiner);
        assertThat(registered.vnodesOf("node-09")).isEmpty();

        Ring joined = Planner.apply(registered, new RingChange.Join(joiner));
        assertThat(joined.epoch()).isEqualTo(3);
        assertJoin(registered, joined, joiner);
        assertThat(joined.vnodesOf("node-09")).hasSizeBetween(25, 26); // 128 / 5 = 25.6
    }

    @Test
    void removingAJoiningNodeOnlyDropsItFromTheTable() {
        Ring ring = Planner.apply(Planner.initial(cluster(4, 2), 64, 2),
                new RingChange.Register(RingTest.node("zz", "rack-0", NodeState.JOINING)));
        Ring removed = Planner.apply(ring, new RingChange.Remove("zz"));
        assertRemove(ring, removed, "zz");
        assertThat(removed.nodes()).hasSize(4);
    }

    @Test
    void removingDownToFewerThanNNodesShrinksEveryVnode() {
        Ring ring = Planner.initial(cluster(3, 3), 16, 3);
        Ring two = Planner.apply(ring, new RingChange.Remove("node-01"));
        assertThat(two.replicasPerVnode()).isEqualTo(2);
        assertRemove(ring, two, "node-01");
        Ring none = Planner.apply(Planner.apply(two, new RingChange.Remove("node-00")), new RingChange.Remove("node-02"));
        assertThat(none.replicasPerVnode()).isZero();
        Ring again = Planner.apply(none, new RingChange.Join(RingTest.node("fresh", "rack-9", NodeState.ACTIVE)));
        assertThat(again.replicaCounts()).containsEntry("fresh", 16);
    }

    @Test
    void rejectsChangesThatDoNotFitTheRing() {
        Ring ring = Planner.initial(cluster(3, 3), 16, 2);
        assertThatThrownBy(() -> Planner.apply(ring, new RingChange.Join(ring.nodes().get(0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already ACTIVE");
        assertThatThrownBy(() -> Planner.apply(ring, new RingChange.Register(ring.nodes().get(0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already in the ring");
        assertThatThrownBy(() -> Planner.apply(ring, new RingChange.Remove("ghost")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in the ring");
        assertThatThrownBy(() -> new RingChange.Remove(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void applyIsDeterministic() {
        Ring ring = Planner.initial(cluster(10, 3), 256, 3);
        RingChange join = new RingChange.Join(RingTest.node("node-77", "rack-2", NodeState.ACTIVE));
        assertThat(Planner.apply(ring, join)).isEqualTo(Planner.apply(ring, join));
        RingChange remove = new RingChange.Remove("node-04");
        assertThat(Planner.apply(ring, remove)).isEqualTo(Planner.apply(ring, remove));
    }

    /**
     * A deterministic example, not a general promise: with more racks than N, growing a cluster one
     * node at a time keeps every vnode rack-distinct.
     */
    @Test
    void growingOneNodeAtATimeOnFiveRacksStaysRackDistinct() {
        Ring ring = Planner.initial(cluster(3, 5), 1024, 3);
        for (int i = 3; i < 30; i++) {
            Node node = RingTest.node(String.format("node-%02d", i), "rack-" + (i % 5), NodeState.ACTIVE);
            Ring next = Planner.apply(ring, new RingChange.Join(node));
            assertJoin(ring, next, node);
            assertThat(rackRepeats(next)).as("rack repeats with %d nodes", i + 1).isZero();
            ring = next;
        }
    }

    /**
     * With exactly N racks a rack that grows ahead of the others must repeat in some vnodes; each
     * change then has the fewest repeats the movement rules allow, but cannot always undo earlier ones.
     */
    @Test
    void withExactlyNRacksUnevenGrowthForcesRepeats() {
        Ring ring = Planner.initial(cluster(3, 3), 1024, 3);
        Node fourth = RingTest.node("node-03", "rack-0", NodeState.ACTIVE);
        Ring four = Planner.apply(ring, new RingChange.Join(fourth));
        assertJoin(ring, four, fourth);
        // rack-0 now holds 2 * 768 = 1536 replicas, so at least 1536 - 1024 vnodes repeat it.
        assertThat(Planner.racksCanBeDistinct(four.nodes(), 1024, 3)).isFalse();
        assertThat(rackRepeats(four)).isEqualTo(512);
    }

    /** 64 nodes on 8 racks, Q = 1024, N = 5: the planner must be cheap enough to run on every change. */
    @Test
    void plansALargeRingQuickly() {
        List<Node> nodes = cluster(64, 8);
        Ring ring = Planner.initial(nodes, 1024, 5);
        Node joiner = RingTest.node("node-99", "rack-3", NodeState.ACTIVE);
        long initialMillis = bestOfMillis(() -> Planner.initial(nodes, 1024, 5));
        long joinMillis = bestOfMillis(() -> Planner.apply(ring, new RingChange.Join(joiner)));
        long removeMillis = bestOfMillis(() -> Planner.apply(ring, new RingChange.Remove("node-17")));
        assertThat(initialMillis).as("initial, ms").isLessThan(100);
        assertThat(joinMillis).as("join, ms").isLessThan(100);
        assertThat(removeMillis).as("remove, ms").isLessThan(100);
    }

    /** Best of a few runs after warming up, so a busy shared machine does not make the test flaky. */
    private static long bestOfMillis(Supplier<Ring> plan) {
        for (int i = 0; i < 3; i++) {
            plan.get();
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            plan.get();
            best = Math.min(best, System.nanoTime() - start);
        }
        return best / 1_000_000;
    }
}
