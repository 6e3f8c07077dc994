package io.ringkv.coordinator.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Checks of the planner's rules written against the public API only, as an oracle independent of the planner's code. */
final class RingAssertions {

    private RingAssertions() {
    }

    static List<String> ids(Ring ring, int vnode) {
        return ring.replicas(vnode).stream().map(Node::id).toList();
    }

    /** Every ACTIVE node holds floor or ceil of R*Q/A replicas, as the initial ring promises. */
    static void assertBalanced(Ring ring) {
        assertCounts(ring, true);
    }

    /** Every ACTIVE node holds R*Q/A replicas give or take one, as every ring promises. */
    static void assertWithinOneOfMean(Ring ring) {
        assertCounts(ring, false);
    }

    private static void assertCounts(Ring ring, boolean strict) {
        int active = ring.activeNodes().size();
        if (active == 0) {
            assertThat(ring.replicasPerVnode()).isZero();
            return;
        }
        assertThat(ring.replicasPerVnode()).isEqualTo(Math.min(ring.replicationFactor(), active));
        long total = (long) ring.replicasPerVnode() * ring.vnodeCount();
        long lo = strict ? total / active : Math.max(0, Math.ceilDiv(total - active, active));
        long hi = strict ? Math.ceilDiv(total, active) : Math.floorDiv(total + active, active);
        ring.replicaCounts().forEach((id, count) -> assertThat((long) count)
                .as("replicas of %s in %s (mean %s)", id, ring, (double) total / active)
                .isBetween(lo, hi));
    }

    /** Sum over vnodes of replicas minus distinct racks. */
    static int rackRepeats(Ring ring) {
        int repeats = 0;
        for (int v = 0; v < ring.vnodeCount(); v++) {
            repeats += ring.replicasPerVnode() - ring.distinctRacks(v);
        }
        return repeats;
    }

    /**
     * The most (vnode, rack) pairs any balanced ring of these nodes can have: a rack whose nodes hold
     * T replicas meets at most min(T, Q) vnodes, and the extra replicas are best spent on racks below Q.
     */
    static long maxDistinctRackPairs(List<Node> nodes, int q, int n) {
        Map<String, Integer> rackSizes = new TreeMap<>();
        nodes.stream().filter(Node::isActive).forEach(node -> rackSizes.merge(node.rack(), 1, Integer::sum));
        int active = rackSizes.values().stream().mapToInt(Integer::intValue).sum();
        if (active == 0) {
            return 0;
        }
        long total = (long) Math.min(n, active) * q;
        long floor = total / active;
        long extras = total % active;
        long pairs = 0;
        long usefulExtras = 0;
        for (int size : rackSizes.values()) {
            pairs += Math.min(size * floor, q);
            usefulExtras += Math.min(size, Math.max(0, q - size * floor));
        }
        return pairs + Math.min(extras, usefulExtras);
    }

    static void assertRegister(Ring before, Ring after, Node node) {
        assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(after.node(node.id())).contains(node.withState(NodeState.JOINING));
        assertOthersUnchanged(before, after, node.id());
        for (int v = 0; v < before.vnodeCount(); v++) {
            assertThat(ids(after, v)).isEqualTo(ids(before, v));
        }
        assertWithinOneOfMean(after);
    }

    /**
     * The join rules: only slots that then name the newcomer change, at most ceil(N*Q/(k+1)) + 1 of
     * them, each donor giving within one of an even share, counts within one of the mean. Movement and
     * shares may break only if no ring keeps them (checked with {@link MinimalPlans}).
     */
    static void assertJoin(Ring before, Ring after, Node node) {
        String id = node.id();
        assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(after.vnodeCount()).isEqualTo(before.vnodeCount());
        assertThat(after.replicationFactor()).isEqualTo(before.replicationFactor());
        assertThat(after.node(id)).contains(node.withState(NodeState.ACTIVE));
        assertOthersUnchanged(before, after, id);
        assertWithinOneOfMean(after);
        int q = before.vnodeCount();
        int n = before.replicationFactor();
        int k = before.activeNodes().size();
        if (k < n) {
            for (int v = 0; v < q; v++) {
                List<String> expected = new ArrayList<>(ids(before, v));
                expected.add(id);
                assertThat(ids(after, v)).as("vnode %d after joining %s to %d < N nodes", v, id, k).isEqualTo(expected);
            }
            return;
        }
        Map<String, Integer> gives = new HashMap<>();
        before.activeNodes().forEach(donor -> gives.put(donor.id(), 0));
        int moves = 0;
        boolean onlyOntoNewcomer = true;
        for (int v = 0; v < q; v++) {
            List<String> old = ids(before, v);
            List<String> now = ids(after, v);
            assertThat(now).as("vnode %d", v).hasSameSizeAs(old);
            for (int p = 0; p < old.size(); p++) {
                if (!old.get(p).equals(now.get(p))) {
                    onlyOntoNewcomer &= now.get(p).equals(id);
                    gives.merge(old.get(p), 1, Integer::sum);
                    moves++;
                }
            }
        }
        if (!onlyOntoNewcomer) {
            assertThat(MinimalPlans.joinExists(before, false))
                    .as("a slot changed to another node than %s although a plan without that existed", id)
                    .isFalse();
            return;
        }
        // The brief asks for at most ceil(N*Q/(k+1)) + N; counts within one of the mean give + 1.
        assertThat((long) moves).as("replicas moved when node %d joins", k + 1)
                .isLessThanOrEqualTo(Math.ceilDiv((long) n * q, k + 1) + 1);
        int t = moves;
        boolean even = gives.values().stream().allMatch(given -> Math.abs((long) given * k - t) <= k);
        if (!even) {
            assertThat(MinimalPlans.joinExists(before, true))
                    .as("donors gave %s (%d over %d), not within one of even, although a plan with even shares existed",
                            gives, t, k)
                    .isFalse();
        }
    }

    /**
     * The removal rules: only the removed node's slots change, each other node receiving within one of
     * an even share, counts within one of the mean. Movement and shares may break only if no ring keeps
     * them (checked with {@link MinimalPlans}).
     */
    static void assertRemove(Ring before, Ring after, String id) {
        assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(after.node(id)).isEmpty();
        assertOthersUnchanged(before, after, id);
        assertWithinOneOfMean(after);
        Node removed = before.node(id).orElseThrow();
        int q = before.vnodeCount();
        int remaining = before.activeNodes().size() - (removed.isActive() ? 1 : 0);
        if (!removed.isActive() || remaining < before.replicationFactor()) {
            for (int v = 0; v < q; v++) {
                List<String> expected = new ArrayList<>(ids(before, v));
                expected.remove(id);
                assertThat(ids(after, v)).as("vnode %d without %s", v, id).isEqualTo(expected);
            }
            return;
        }
        Map<String, Integer> receives = new HashMap<>();
        after.activeNodes().forEach(node -> receives.put(node.id(), 0));
        int handed = 0;
        boolean onlyRemovedSlots = true;
        for (int v = 0; v < q; v++) {
            List<String> old = ids(before, v);
            List<String> now = ids(after, v);
            assertThat(now).hasSameSizeAs(old);
            for (int p = 0; p < old.size(); p++) {
                if (old.get(p).equals(id)) {
                    receives.merge(now.get(p), 1, Integer::sum);
                    handed++;
                } else if (!now.get(p).equals(old.get(p))) {
                    onlyRemovedSlots = false;
                }
            }
        }
        if (!onlyRemovedSlots) {
            assertThat(MinimalPlans.removeExists(before, id, false))
                    .as("a slot not held by %s changed although a plan without that existed", id)
                    .isFalse();
            return;
        }
        int c = handed;
        boolean even = receives.values().stream().allMatch(got -> Math.abs((long) got * remaining - c) <= remaining);
        if (!even) {
            assertThat(MinimalPlans.removeExists(before, id, true))
                    .as("recipients got %s (%d over %d), not within one of even, although an even plan existed",
                            receives, c, remaining)
                    .isFalse();
        }
    }

    private static void assertOthersUnchanged(Ring before, Ring after, String id) {
        List<Node> old = before.nodes().stream().filter(node -> !node.id().equals(id)).toList();
        List<Node> now = after.nodes().stream().filter(node -> !node.id().equals(id)).toList();
        assertThat(now).isEqualTo(old);
    }
}
