package io.ringkv.coordinator.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test oracle: does any ring exist that makes a change with minimal movement and counts within one
 * of the mean (and, optionally, shares within one of even)? Decided by a plain max-flow with lower
 * bounds, written apart from the planner's own min-cost flow, and only consulted when the planner
 * broke one of those rules, to check it had no choice.
 */
final class MinimalPlans {

    private MinimalPlans() {
    }

    /** For a join of one more ACTIVE node into {@code before} (which has at least N active nodes). */
    static boolean joinExists(Ring before, boolean evenShares) {
        List<Node> donors = before.activeNodes();
        int k = donors.size();
        int q = before.vnodeCount();
        long total = (long) before.replicasPerVnode() * q;
        int[] count = donors.stream().mapToInt(d -> before.vnodesOf(d.id()).length).toArray();
        // Counts within one of the mean total/(k+1): c*(k+1) in [total-(k+1), total+(k+1)].
        long tLo = Math.max(0, Math.ceilDiv(total - (k + 1), k + 1));
        long tHi = Math.min(q, Math.floorDiv(total + (k + 1), k + 1));
        for (long t = tLo; t <= tHi; t++) {
            long[] lo = new long[k];
            long[] hi = new long[k];
            for (int d = 0; d < k; d++) {
                lo[d] = Math.max(0, count[d] - Math.floorDiv(total + (k + 1), k + 1));
                hi[d] = Math.min(count[d], count[d] - Math.ceilDiv(total - (k + 1), k + 1));
                if (evenShares) {
                    lo[d] = Math.max(lo[d], Math.ceilDiv(t - k, k));
                    hi[d] = Math.min(hi[d], Math.floorDiv(t + k, k));
                }
            }
            boolean[][] allowed = new boolean[k][q];
            for (int d = 0; d < k; d++) {
                for (int v : before.vnodesOf(donors.get(d).id())) {
                    allowed[d][v] = true;
                }
            }
            if (feasible(lo, hi, allowed, new boolean[q], t)) {
                return true;
            }
        }
        return false;
    }

    /** For the removal of ACTIVE node {@code id} when at least N ACTIVE nodes remain. */
    static boolean removeExists(Ring before, String id, boolean evenShares) {
        List<Node> recipients = before.activeNodes().stream().filter(n -> !n.id().equals(id)).toList();
        int m = recipients.size();
        long total = (long) before.replicasPerVnode() * before.vnodeCount();
        int[] vnodes = before.vnodesOf(id);
        long given = vnodes.length;
        long[] lo = new long[m];
        long[] hi = new long[m];
        boolean[][] allowed = new boolean[m][vnodes.length];
        for (int j = 0; j < m; j++) {
            String node = recipients.get(j).id();
            long c = before.vnodesOf(node).length;
            lo[j] = Math.max(0, Math.ceilDiv(total - m, m) - c);
            hi[j] = Math.floorDiv(total + m, m) - c;
            if (evenShares) {
                lo[j] = Math.max(lo[j], Math.ceilDiv(given - m, m));
                hi[j] = Math.min(hi[j], Math.floorDiv(given + m, m));
            }
            for (int i = 0; i < vnodes.length; i++) {
                allowed[j][i] = !before.isReplica(vnodes[i], node);
            }
        }
        boolean[] required = new boolean[vnodes.length];
        Arrays.fill(required, true);
        return feasible(lo, hi, allowed, required, given);
    }

    /**
     * Is there an assignment of items to participants, each item to at most one participant (exactly
     * one if required) it is allowed for, participant p getting between lo[p] and hi[p] items, total items
     * exactly {@code total}? Circulation with lower bounds, reduced to one max-flow.
     */
    static boolean feasible(long[] lo, long[] hi, boolean[][] allowed, boolean[] required, long total) {
        int p = lo.length;
        int items = required.length;
        for (int i = 0; i < p; i++) {
            if (lo[i] > hi[i]) {
                return false;
            }
        }
        int s = 0;
        int t = 1;
        int superSource = 2;
        int superSink = 3;
        int firstParticipant = 4;
        int firstItem = firstParticipant + p;
        TinyFlow flow = new TinyFlow(firstItem + items);
        long[] excess = new long[firstItem + items];
        for (int i = 0; i < p; i++) {
            flow.add(s, firstParticipant + i, hi[i] - lo[i]);
            excess[firstParticipant + i] += lo[i];
            excess[s] -= lo[i];
            for (int j = 0; j < items; j++) {
                if (allowed[i][j]) {
                    flow.add(firstParticipant + i, firstItem + j, 1);
                }
            }
        }
        for (int j = 0; j < items; j++) {
            int low = required[j] ? 1 : 0;
            flow.add(firstItem + j, t, 1 - low);
            excess[t] += low;
            excess[firstItem + j] -= low;
        }
        // t -> s carries exactly `total`.
        excess[s] += total;
        excess[t] -= total;
        long need = 0;
        for (int v = 0; v < excess.length; v++) {
            if (excess[v] > 0) {
                flow.add(superSource, v, excess[v]);
                need += excess[v];
            } else if (excess[v] < 0) {
                flow.add(v, superSink, -excess[v]);
            }
        }
        return flow.maxFlow(superSource, superSink) == need;
    }

    /** Ford-Fulkerson with breadth-first augmenting paths; small graphs only. */
    private static final class TinyFlow {
        private final List<long[]> edges = new ArrayList<>(); // {from, to, capacity}
        private final List<List<Integer>> out;

        TinyFlow(int vertices) {
            out = new ArrayList<>();
            for (int i = 0; i < vertices; i++) {
                out.add(new ArrayList<>());
            }
        }

        void add(int from, int to, long capacity) {
            out.get(from).add(edges.size());
            edges.add(new long[] {from, to, capacity});
            out.get(to).add(edges.size());
            edges.add(new long[] {to, from, 0});
        }

        long maxFlow(int s, int t) {
            long flow = 0;
            while (true) {
                int[] via = new int[out.size()];
                Arrays.fill(via, -1);
                int[] queue = new int[out.size()];
                int head = 0;
                int tail = 0;
                queue[tail++] = s;
                via[s] = -2;
                while (head < tail && via[t] == -1) {
                    int u = queue[head++];
                    for (int e : out.get(u)) {
                        int v = (int) edges.get(e)[1];
                        if (edges.get(e)[2] > 0 && via[v] == -1) {
                            via[v] = e;
                            queue[tail++] = v;
                        }
                    }
                }
                if (via[t] == -1) {
                    return flow;
                }
                long push = Long.MAX_VALUE;
                for (int v = t; v != s; v = (int) edges.get(via[v])[0]) {
                    push = Math.min(push, edges.get(via[v])[2]);
                }
                for (int v = t; v != s; v = (int) edges.get(via[v])[0]) {
                    edges.get(via[v])[2] -= push;
                    edges.get(via[v] ^ 1)[2] += push;
                }
                flow += push;
            }
        }
    }
}
