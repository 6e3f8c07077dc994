package io.ringkv.coordinator.ring;

import static io.ringkv.coordinator.ring.RingAssertions.assertBalanced;
import static io.ringkv.coordinator.ring.RingAssertions.assertJoin;
import static io.ringkv.coordinator.ring.RingAssertions.assertRegister;
import static io.ringkv.coordinator.ring.RingAssertions.assertRemove;
import static io.ringkv.coordinator.ring.RingAssertions.maxDistinctRackPairs;
import static io.ringkv.coordinator.ring.RingAssertions.rackRepeats;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.coordinator.testing.Seeds.Gen;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The planner's rules over random clusters: 1-64 nodes on 1-8 racks (random, so often unequal),
 * N 1-5, Q in {16, 64, 256, 1024}. Where a change breaks minimal movement or even shares, the test
 * asks {@link MinimalPlans} whether any ring could have kept them. A failure prints the seed of the
 * failing case; rerun with {@code -Dringkv.test.seed=...} to reproduce it (see {@link Seeds}).
 */
class PlannerPropertiesTest {

    /** A cluster to plan: its nodes (ACTIVE, in generation order), Q and N. */
    record Cluster(List<Node> nodes, int vnodeCount, int replicationFactor) {
        Ring initial() {
            return Planner.initial(nodes, vnodeCount, replicationFactor);
        }

        @Override
        public String toString() {
            Map<String, Long> perRack = nodes.stream()
                    .collect(Collectors.groupingBy(Node::rack, TreeMap::new, Collectors.counting()));
            return "Cluster[" + nodes.size() + " nodes, nodes per rack " + perRack.values() + ", Q=" + vnodeCount
                    + ", N=" + replicationFactor + "]";
        }
    }

    /**
     * One step of a random change sequence, resolved against the ring it is applied to: kind 0 joins
     * a new node, 1 removes the node {@code pick} (any state), 2 registers a new node, 3 joins a
     * registered node (or a new one if there is none).
     */
    record Step(int kind, int pick, int rack) {
    }

    static Cluster cluster(Gen gen) {
        int count = gen.between(1, 64);
        int racks = gen.between(1, 8);
        int n = gen.between(1, 5);
        int q = gen.oneOf(16, 64, 256, 1024);
        return cluster(gen.list(count, count, g -> g.between(0, racks - 1)), q, n);
    }

    private static Cluster cluster(List<Integer> rackOfNode, int q, int n) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < rackOfNode.size(); i++) {
            nodes.add(node("n" + String.format("%02d", i), "rack-" + rackOfNode.get(i), NodeState.ACTIVE));
        }
        return new Cluster(nodes, q, n);
    }

    static Node node(String id, String rack, NodeState state) {
        return new Node(id, id + ".ringkv.test:7000", rack, state);
    }

    static List<Step> steps(Gen gen) {
        return gen.list(1, 6, g -> new Step(g.between(0, 3), g.between(0, 1000), g.between(0, 8)));
    }

    @Test
    void initialIsBalancedAndAsRackDistinctAsAnyBalancedRing() {
        Seeds.check(300, PlannerPropertiesTest::cluster, cluster -> {
            Ring ring = cluster.initial();
            int q = cluster.vnodeCount();
            assertThat(ring.epoch()).isEqualTo(1);
            assertThat(ring.replicasPerVnode())
                    .isEqualTo(Math.min(cluster.replicationFactor(), cluster.nodes().size()));
            assertBalanced(ring);

            long best = maxDistinctRackPairs(cluster.nodes(), q, cluster.replicationFactor());
            long pairs = (long) ring.replicasPerVnode() * q - rackRepeats(ring);
            assertThat(pairs).as("(vnode, rack) pairs, the most any balanced ring can have").isEqualTo(best);

            // The guarantee: rack-distinct exactly when the condition holds (it is necessary for any balanced ring).
            boolean possible = best == (long) ring.replicasPerVnode() * q;
            assertThat(Planner.racksCanBeDistinct(cluster.nodes(), q, cluster.replicationFactor())).isEqualTo(possible);
            assertThat(rackRepeats(ring) == 0).as("rack-distinct").isEqualTo(possible);
        });
    }

    @Test
    void initialDoesNotDependOnInputOrder() {
        record Case(Cluster cluster, List<Node> shuffled) {
        }
        Seeds.check(100, gen -> {
            Cluster cluster = cluster(gen);
            List<Node> shuffled = new ArrayList<>(cluster.nodes());
            Collections.shuffle(shuffled, gen.random());
            return new Case(cluster, shuffled);
        }, c -> assertThat(Planner.initial(c.shuffled(), c.cluster().vnodeCount(), c.cluster().replicationFactor()))
                .isEqualTo(c.cluster().initial()));
    }

    @Test
    void joinMovesLittleAndOnlyOntoTheNewNode() {
        record Case(Cluster cluster, int rack) {
        }
        Seeds.check(300, gen -> new Case(cluster(gen), gen.between(0, 8)), c -> {
            Ring before = c.cluster().initial();
            Node joining = node("joiner", "rack-" + c.rack(), NodeState.ACTIVE);
            Ring after = Planner.apply(before, new RingChange.Join(joining));
            assertJoin(before, after, joining);
        });
    }

    @Test
    void removeHandsOutOnlyTheRemovedNodesReplicas() {
        record Case(Cluster cluster, int pick) {
        }
        Seeds.check(300, gen -> new Case(cluster(gen), gen.between(0, 1000)), c -> {
            Ring before = c.cluster().initial();
            String id = before.nodes().get(c.pick() % before.nodes().size()).id();
            Ring after = Planner.apply(before, new RingChange.Remove(id));
            assertRemove(before, after, id);
        });
    }

    @Test
    void everyStepOfAChangeSequenceKeepsTheRules() {
        record Case(Cluster cluster, List<Step> steps) {
        }
        Seeds.check(200, gen -> new Case(cluster(gen), steps(gen)), c -> {
            Cluster cluster = c.cluster();
            List<Step> steps = c.steps();
            Ring ring = cluster.initial();
            int fresh = 0;
            for (Step step : steps) {
                Ring before = ring;
                List<Node> joining = before.nodes().stream().filter(n -> n.state() != NodeState.ACTIVE).toList();
                switch (step.kind()) {
                    case 0 -> {
                        Node node = node("new-" + fresh++, "rack-" + step.rack(), NodeState.ACTIVE);
                        ring = Planner.apply(before, new RingChange.Join(node));
                        assertJoin(before, ring, node);
                    }
                    case 1 -> {
                        if (before.nodes().isEmpty()) {
                            continue;
                        }
                        String id = before.nodes().get(step.pick() % before.nodes().size()).id();
                        ring = Planner.apply(before, new RingChange.Remove(id));
                        assertRemove(before, ring, id);
                    }
                    case 2 -> {
                        Node node = node("new-" + fresh++, "rack-" + step.rack(), NodeState.JOINING);
                        ring = Planner.apply(before, new RingChange.Register(node));
                        assertRegister(before, ring, node);
                    }
                    default -> {
                        Node node = joining.isEmpty()
                                ? node("new-" + fresh++, "rack-" + step.rack(), NodeState.ACTIVE)
                                : joining.get(step.pick() % joining.size());
                        ring = Planner.apply(before, new RingChange.Join(node));
                        assertJoin(before, ring, node);
                    }
                }
                assertThat(ring.epoch()).isEqualTo(before.epoch() + 1);
            }
        });
    }
}
