package io.ringkv.coordinator.ring;

import java.util.Arrays;

/**
 * Moves replica slots for a join or a removal while touching nothing else: a joining node takes
 * slots from the others, a removed node's slots go to the others.
 *
 * <p>Which slots move is a minimum-cost flow. Its constraints are the hard rules: every changed
 * slot names the joining node (or was the removed node's), counts end within one of the mean, and
 * each donor gives (each recipient receives) within one of an even share. Its cost is the number
 * of rack repeats the move adds, so among all plans that keep the rules the flow picks one with the
 * fewest repeats. Only when no plan keeps the even-share rule is it dropped (never seen for rings the
 * planner made; it is kept so a hand-edited ring can still change).
 */
final class Handover {

    private static final int SOURCE = 0;
    private static final int SINK = 1;

    private Handover() {
    }

    /** A chosen set of slot changes and the rack repeats they add. */
    private record Plan(int[] vnodes, int[] positions, int[] newOwners, long addedRepeats) {
    }

    /**
     * The newcomer takes slots from the donors; every vnode keeps its length.
     *
     * @param rows replica indexes per vnode in the new ring's index space, without the newcomer
     * @param rackOf rack number per node index
     * @param donors indexes of the nodes that were ACTIVE before the join
     */
    static int[][] join(int[][] rows, int newcomer, int[] rackOf, int[] donors, long salt) {
        int vnodeCount = rows.length;
        int perVnode = rows[0].length;
        int[] count = counts(rows, rackOf.length);
        long total = (long) perVnode * vnodeCount;
        int floorMean = (int) (total / (donors.length + 1));
        boolean someHigh = total % (donors.length + 1) != 0;
        Plan best = null;
        for (boolean evenShares : new boolean[] {true, false}) {
            for (int take = floorMean; take <= floorMean + (someHigh ? 1 : 0); take++) {
                Plan plan = planJoin(rows, newcomer, rackOf, donors, count, floorMean, take, evenShares, salt);
                if (plan != null && (best == null || plan.addedRepeats() < best.addedRepeats())) {
                    best = plan;
                }
            }
            if (best != null) {
                break;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no balanced plan moves replicas only onto joining node index "
                    + newcomer + "; the ring was not balanced to begin with");
        }
        return applied(rows, best);
    }

    private static Plan planJoin(int[][] rows, int newcomer, int[] rackOf, int[] donors, int[] count,
            int floorMean, int take, boolean evenShares, long salt) {
        int vnodeCount = rows.length;
        int k = donors.length;
        if (take > vnodeCount) {
            return null;
        }
        int[] lo = new int[k];
        int[] hi = new int[k];
        for (int d = 0; d < k; d++) {
            int c = count[donors[d]];
            // The donor must end at floorMean or floorMean + 1.
            lo[d] = Math.max(0, c - floorMean - 1);
            hi[d] = Math.min(c, c - floorMean);
            if (evenShares) {
                lo[d] = Math.max(lo[d], take / k);
                hi[d] = Math.min(hi[d], take / k + (take % k == 0 ? 0 : 1));
            }
        }
        int[] slotOf = new int[rackOf.length];
        Arrays.fill(slotOf, -1);
        for (int d = 0; d < k; d++) {
            slotOf[donors[d]] = d;
        }
        int firstVnode = 2 + k;
        int edges = rows[0].length * vnodeCount;
        int[] edgeId = new int[edges];
        int[] edgeVnode = new int[edges];
        int[] edgePosition = new int[edges];
        int[] edgeOwner = new int[edges];
        long[] edgeRepeats = new long[edges];
        MinCostFlow flow = new MinCostFlow(firstVnode + vnodeCount);
        int[] mandatory = sourceEdges(flow, lo, hi, take, vnodeCount);
        if (mandatory == null) {
            return null;
        }
        int newRack = rackOf[newcomer];
        int e = 0;
        for (int v : Mix.scrambled(vnodeCount, salt)) {
            int[] row = rows[v];
            for (int p = 0; p < row.length; p++) {
                int d = slotOf[row[p]];
                if (d < 0) {
                    throw new IllegalStateException("vnode " + v + " names node index " + row[p] + " which is not a donor");
                }
                long repeats = addedRepeats(row, p, newRack, rackOf);
                edgeId[e] = flow.addEdge(2 + d, firstVnode + v, 1, repeats + 1);
                edgeVnode[e] = v;
                edgePosition[e] = p;
                edgeOwner[e] = newcomer;
                edgeRepeats[e] = repeats;
                e++;
            }
        }
        for (int v = 0; v < vnodeCount; v++) {
            flow.addEdge(firstVnode + v, SINK, 1, 0);
        }
        return solve(flow, take, mandatory, lo, edgeId, edgeVnode, edgePosition, edgeOwner, edgeRepeats, e);
    }

    /**
     * The leaving node's slots go to the recipients; every vnode keeps its length.
     *
     * @param rows replica indexes per vnode in the old ring's index space
     * @param recipients indexes of the ACTIVE nodes that stay
     */
    static int[][] remove(int[][] rows, int leaving, int[] rackOf, int[] recipients, long salt) {
        int vnodeCount = rows.length;
        int[] count = counts(rows, rackOf.length);
        int m = recipients.length;
        long total = (long) rows[0].length * vnodeCount;
        int floorMean = (int) (total / m);
        int given = count[leaving];
        int[] vnodes = new int[given];
        int[] positions = new int[given];
        int n = 0;
        for (int v : Mix.scrambled(vnodeCount, salt)) {
            for (int p = 0; p < rows[v].length; p++) {
                if (rows[v][p] == leaving) {
                    vnodes[n] = v;
                    positions[n++] = p;
                }
            }
        }
        Plan best = null;
        for (boolean evenShares : new boolean[] {true, false}) {
            best = planRemove(rows, vnodes, positions, rackOf, recipients, count, floorMean, given, evenShares);
            if (best != null) {
                break;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no balanced plan hands out the replicas of node index " + leaving
                    + " without moving others; the ring was not balanced to begin with");
        }
        return applied(rows, best);
    }

    private static Plan planRemove(int[][] rows, int[] vnodes, int[] positions, int[] rackOf, int[] recipients,
            int[] count, int floorMean, int given, boolean evenShares) {
        int m = recipients.length;
        int[] lo = new int[m];
        int[] hi = new int[m];
        for (int j = 0; j < m; j++) {
            int c = count[recipients[j]];
            // The recipient must end at floorMean or floorMean + 1.
            lo[j] = Math.max(0, floorMean - c);
            hi[j] = floorMean + 1 - c;
            if (evenShares) {
                lo[j] = Math.max(lo[j], given / m);
                hi[j] = Math.min(hi[j], given / m + (given % m == 0 ? 0 : 1));
            }
        }
        int firstVnode = 2 + m;
        MinCostFlow flow = new MinCostFlow(firstVnode + given);
        int[] mandatory = sourceEdges(flow, lo, hi, given, given);
        if (mandatory == null) {
            return null;
        }
        int edges = given * m;
        int[] edgeId = new int[edges];
        int[] edgeVnode = new int[edges];
        int[] edgePosition = new int[edges];
        int[] edgeOwner = new int[edges];
        long[] edgeRepeats = new long[edges];
        int[] present = new int[rackOf.length];
        int e = 0;
        for (int i = 0; i < given; i++) {
            int[] row = rows[vnodes[i]];
            for (int node : row) {
                present[node] = i + 1;
            }
            for (int j = 0; j < m; j++) {
                int recipient = recipients[j];
                if (present[recipient] == i + 1) {
                    continue;
                }
                long repeats = addedRepeats(row, positions[i], rackOf[recipient], rackOf);
                edgeId[e] = flow.addEdge(2 + j, firstVnode + i, 1, repeats + 1);
                edgeVnode[e] = vnodes[i];
                edgePosition[e] = positions[i];
                edgeOwner[e] = recipient;
                edgeRepeats[e] = repeats;
                e++;
            }
            flow.addEdge(firstVnode + i, SINK, 1, 0);
        }
        return solve(flow, given, mandatory, lo, edgeId, edgeVnode, edgePosition, edgeOwner, edgeRepeats, e);
    }

    /**
     * Source edges with a lower bound: {@code lo} units at cost 0 and {@code hi - lo} more at a cost
     * above any rack cost, so a cheapest flow uses the optional units only when it must.
     *
     * @return the mandatory edge per participant (-1 if none), or null if the bounds cannot add up to total
     */
    private static int[] sourceEdges(MinCostFlow flow, int[] lo, int[] hi, int total, int slots) {
        long sumLo = 0;
        long sumHi = 0;
        for (int i = 0; i < lo.length; i++) {
            if (hi[i] < lo[i]) {
                return null;
            }
            sumLo += lo[i];
            sumHi += hi[i];
        }
        if (sumLo > total || sumHi < total) {
            return null;
        }
        // Each unit of flow costs at most 2 in rack terms, so this outweighs any rack saving.
        long optionalCost = 2L * slots + 3;
        int[] mandatory = new int[lo.length];
        for (int i = 0; i < lo.length; i++) {
            mandatory[i] = lo[i] > 0 ? flow.addEdge(SOURCE, 2 + i, lo[i], 0) : -1;
            if (hi[i] > lo[i]) {
                flow.addEdge(SOURCE, 2 + i, hi[i] - lo[i], optionalCost);
            }
        }
        return mandatory;
    }

    private static Plan solve(MinCostFlow flow, int total, int[] mandatory, int[] lo, int[] edgeId,
            int[] edgeVnode, int[] edgePosition, int[] edgeOwner, long[] edgeRepeats, int edges) {
        if (flow.run(SOURCE, SINK, total) < total) {
            return null;
        }
        for (int i = 0; i < mandatory.length; i++) {
            if (mandatory[i] >= 0 && flow.flowOn(mandatory[i]) < lo[i]) {
                return null;
            }
        }
        int[] vnodes = new int[total];
        int[] positions = new int[total];
        int[] owners = new int[total];
        long repeats = 0;
        int n = 0;
        for (int e = 0; e < edges; e++) {
            if (flow.flowOn(edgeId[e]) > 0) {
                vnodes[n] = edgeVnode[e];
                positions[n] = edgePosition[e];
                owners[n] = edgeOwner[e];
                repeats += edgeRepeats[e];
                n++;
            }
        }
        return new Plan(vnodes, positions, owners, repeats);
    }

    private static int[][] applied(int[][] rows, Plan plan) {
        int[][] result = new int[rows.length][];
        for (int v = 0; v < rows.length; v++) {
            result[v] = rows[v].clone();
        }
        for (int i = 0; i < plan.vnodes().length; i++) {
            result[plan.vnodes()[i]][plan.positions()[i]] = plan.newOwners()[i];
        }
        return result;
    }

    /** Change in the vnode's rack repeats (replicas minus distinct racks) if position p gets a node of newRack: -1, 0 or 1. */
    static int addedRepeats(int[] row, int p, int newRack, int[] rackOf) {
        int oldRack = rackOf[row[p]];
        if (oldRack == newRack) {
            return 0;
        }
        boolean oldRackStays = false;
        boolean newRackThere = false;
        for (int i = 0; i < row.length; i++) {
            if (i != p) {
                oldRackStays |= rackOf[row[i]] == oldRack;
                newRackThere |= rackOf[row[i]] == newRack;
            }
        }
        return (oldRackStays ? 0 : 1) - (newRackThere ? 0 : 1);
    }

    private static int[] counts(int[][] rows, int tableSize) {
        int[] count = new int[tableSize];
        for (int[] row : rows) {
            for (int node : row) {
                count[node]++;
            }
        }
        return count;
    }
}
