package io.ringkv.coordinator.ring;

import java.util.Arrays;

/**
 * Moves replica slots for a join or a removal: a joining node takes slots from the others, a
 * removed node's slots go to the others, and nothing else changes.
 *
 * <p>Which slots move is a minimum-cost flow whose bounds are the rules and whose cost counts the
 * rack repeats the move adds, so among the plans that keep the rules it picks one with the fewest
 * repeats. The rules are tried from tight to loose, and the first level that admits a plan wins:
 * <ol>
 *   <li>counts end at floor or ceil of the mean, and each donor gives (each recipient receives)
 *       floor or ceil of an even share;</li>
 *   <li>counts as above, shares within one of even;</li>
 *   <li>counts within one of the mean, shares within one of even;</li>
 *   <li>counts within one of the mean, any shares.</li>
 * </ol>
 * Levels 2 and 3 differ from level 1 only when the even share or the mean is a whole number; they
 * and level 4 are needed when the few slots that must move sit in vnodes the nodes that must take
 * them are already in. If no level admits a plan, balance still wins: the move is made with counts
 * as close to the mean as the vnodes allow, then single-slot moves from the fullest to the emptiest
 * node bring every count within one of the mean. Only that last resort changes slots other
 * than the newcomer's or the leaving node's, and it does not look for the fewest rack repeats.
 */
final class Handover {

    private static final int SOURCE = 0;
    private static final int SINK = 1;

    private Handover() {
    }

    /** How tight counts and shares must be; the order of the constants is the order they are tried. */
    private enum Level {
        STRICT(true, Share.STRICT),
        STRICT_COUNTS(true, Share.WITHIN_ONE),
        WITHIN_ONE(false, Share.WITHIN_ONE),
        WITHIN_ONE_COUNTS(false, Share.ANY);

        final boolean strictCounts;
        final Share share;

        Level(boolean strictCounts, Share share) {
            this.strictCounts = strictCounts;
            this.share = share;
        }
    }

    private enum Share { STRICT, WITHIN_ONE, ANY }

    /** A chosen set of slot changes and the rack repeats they add. */
    private record Plan(int[] vnodes, int[] positions, int[] newOwners, long addedRepeats) {
    }

    /** Inclusive range of whole numbers. */
    private record Range(long lo, long hi) {
        boolean isEmpty() {
            return lo > hi;
        }

        Range intersect(long otherLo, long otherHi) {
            return new Range(Math.max(lo, otherLo), Math.min(hi, otherHi));
        }
    }

    /** Counts allowed for each of {@code participants} nodes sharing {@code total} replicas. */
    static long[] countRange(long total, int participants, boolean strict) {
        long floor = total / participants;
        long ceil = floor + (total % participants == 0 ? 0 : 1);
        // |count - mean| <= 1 is [ceil - 1, floor + 1]; it differs from [floor, ceil] only for a whole mean.
        return strict ? new long[] {floor, ceil} : new long[] {Math.max(0, ceil - 1), floor + 1};
    }

    private static Range shareRange(long amount, int participants, Share share) {
        long floor = amount / participants;
        long ceil = floor + (amount % participants == 0 ? 0 : 1);
        return switch (share) {
            case STRICT -> new Range(floor, ceil);
            case WITHIN_ONE -> new Range(Math.max(0, ceil - 1), floor + 1);
            case ANY -> new Range(0, Long.MAX_VALUE / 4);
        };
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
        int k = donors.length;
        int[] count = counts(rows, rackOf.length);
        long total = (long) rows[0].length * vnodeCount;
        for (Level level : Level.values()) {
            long[] counts = countRange(total, k + 1, level.strictCounts);
            Plan best = null;
            for (long take : byClosenessToMean(counts[0], Math.min(counts[1], vnodeCount), total, k + 1)) {
                long[] lo = new long[k];
                long[] hi = new long[k];
                boolean possible = true;
                Range share = shareRange(take, k, level.share);
                for (int d = 0; d < k && possible; d++) {
                    int c = count[donors[d]];
                    Range gives = new Range(c - counts[1], c - counts[0]).intersect(0, c)
                            .intersect(share.lo(), share.hi());
                    possible = !gives.isEmpty();
                    lo[d] = gives.lo();
                    hi[d] = gives.hi();
                }
                Plan plan = possible ? planJoin(rows, newcomer, rackOf, donors, (int) take, lo, hi, false, salt) : null;
                if (plan != null && (best == null || plan.addedRepeats() < best.addedRepeats())) {
                    best = plan;
                }
            }
            if (best != null) {
                return applied(rows, best);
            }
        }
        // Last resort: move onto the newcomer as well as possible, then restore balance.
        long[] counts = countRange(total, k + 1, false);
        long take = countRange(total, k + 1, true)[0];
        long[] lo = new long[k];
        long[] hi = new long[k];
        for (int d = 0; d < k; d++) {
            int c = count[donors[d]];
            Range gives = new Range(c - counts[1], c - counts[0]).intersect(0, c);
            lo[d] = Math.max(0, gives.lo());
            hi[d] = Math.max(lo[d], gives.hi());
        }
        Plan plan = planJoin(rows, newcomer, rackOf, donors, (int) take, lo, hi, true, salt);
        if (plan == null) {
            throw new IllegalStateException("no plan lets the joining node take " + take + " replicas");
        }
        int[][] result = applied(rows, plan);
        int[] everyone = Arrays.copyOf(donors, k + 1);
        everyone[k] = newcomer;
        repair(result, rackOf, everyone, counts, salt);
        return result;
    }

    private static long[] byClosenessToMean(long lo, long hi, long total, int participants) {
        if (lo > hi) {
            return new long[0];
        }
        long[] candidates = new long[(int) (hi - lo + 1)];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = lo + i;
        }
        // Closest to the mean first; on a tie the smaller take, which moves less.
        return Arrays.stream(candidates).boxed()
                .sorted((a, b) -> {
                    long da = Math.abs(a * participants - total);
                    long db = Math.abs(b * participants - total);
                    return da != db ? Long.compare(da, db) : Long.compare(a, b);
                })
                .mapToLong(Long::longValue).toArray();
    }

    private static Plan planJoin(int[][] rows, int newcomer, int[] rackOf, int[] donors, int take, long[] lo,
            long[] hi, boolean soft, long salt) {
        int vnodeCount = rows.length;
        int k = donors.length;
        int[] slotOf = new int[rackOf.length];
        Arrays.fill(slotOf, -1);
        for (int d = 0; d < k; d++) {
            slotOf[donors[d]] = d;
        }
        int firstVnode = 2 + k;
        MinCostFlow flow = new MinCostFlow(firstVnode + vnodeCount);
        long[] caps = new long[k];
        for (int d = 0; d < k; d++) {
            caps[d] = 0;
        }
        for (int[] row : rows) {
            for (int node : row) {
                caps[slotOf[node]]++;
            }
        }
        int[] mandatory = sourceEdges(flow, lo, hi, caps, take, soft);
        if (mandatory == null) {
            return null;
        }
        Edges edges = new Edges(rows[0].length * vnodeCount);
        int newRack = rackOf[newcomer];
        for (int v : Mix.scrambled(vnodeCount, salt)) {
            int[] row = rows[v];
            for (int p = 0; p < row.length; p++) {
                int repeats = addedRepeats(row, p, newRack, rackOf);
                edges.add(flow.addEdge(2 + slotOf[row[p]], firstVnode + v, 1, repeats + 1), v, p, newcomer, repeats);
            }
        }
        for (int v = 0; v < vnodeCount; v++) {
            flow.addEdge(firstVnode + v, SINK, 1, 0);
        }
        return solve(flow, take, mandatory, lo, edges);
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
        for (Level level : Level.values()) {
            long[] counts = countRange(total, m, level.strictCounts);
            Range share = shareRange(given, m, level.share);
            long[] lo = new long[m];
            long[] hi = new long[m];
            boolean possible = true;
            for (int j = 0; j < m && possible; j++) {
                int c = count[recipients[j]];
                Range gets = new Range(counts[0] - c, counts[1] - c).intersect(0, given)
                        .intersect(share.lo(), share.hi());
                possible = !gets.isEmpty();
                lo[j] = gets.lo();
                hi[j] = gets.hi();
            }
            Plan plan = possible
                    ? planRemove(rows, vnodes, positions, rackOf, recipients, lo, hi, false)
                    : null;
            if (plan != null) {
                return applied(rows, plan);
            }
        }
        // Last resort: hand out as evenly as the vnodes allow, then restore balance.
        long[] counts = countRange(total, m, false);
        long[] lo = new long[m];
        long[] hi = new long[m];
        for (int j = 0; j < m; j++) {
            int c = count[recipients[j]];
            lo[j] = Math.max(0, Math.min(given, counts[0] - c));
            hi[j] = Math.max(lo[j], Math.min(given, counts[1] - c));
        }
        Plan plan = planRemove(rows, vnodes, positions, rackOf, recipients, lo, hi, true);
        if (plan == null) {
            throw new IllegalStateException("no plan hands out the " + given + " replicas of node index " + leaving);
        }
        int[][] result = applied(rows, plan);
        repair(result, rackOf, recipients, counts, salt);
        return result;
    }

    private static Plan planRemove(int[][] rows, int[] vnodes, int[] positions, int[] rackOf, int[] recipients,
            long[] lo, long[] hi, boolean soft) {
        int m = recipients.length;
        int given = vnodes.length;
        int firstVnode = 2 + m;
        MinCostFlow flow = new MinCostFlow(firstVnode + given);
        long[] caps = new long[m];
        Arrays.fill(caps, given);
        int[] mandatory = sourceEdges(flow, lo, hi, caps, given, soft);
        if (mandatory == null) {
            return null;
        }
        Edges edges = new Edges(given * m);
        int[] present = new int[rackOf.length];
        for (int i = 0; i < given; i++) {
            int[] row = rows[vnodes[i]];
            for (int node : row) {
                present[node] = i + 1;
            }
            for (int j = 0; j < m; j++) {
                int recipient = recipients[j];
                if (present[recipient] != i + 1) {
                    int repeats = addedRepeats(row, positions[i], rackOf[recipient], rackOf);
                    edges.add(flow.addEdge(2 + j, firstVnode + i, 1, repeats + 1), vnodes[i], positions[i],
                            recipient, repeats);
                }
            }
            flow.addEdge(firstVnode + i, SINK, 1, 0);
        }
        return solve(flow, given, mandatory, lo, edges);
    }

    /**
     * Source edges for each participant's share d. Hard bounds ({@code soft} false): lo units at cost 0
     * and hi - lo more at a cost above any rack cost, so a cheapest flow of the full amount uses the
     * optional units only as far as it must and meets every lower bound whenever any flow can. Soft
     * bounds: the same, plus units beyond hi (up to cap) at twice that cost, a convex penalty per unit
     * outside [lo, hi].
     *
     * @return the lower-bound edge per participant (-1 if none), or null if hard bounds cannot add up
     */
    private static int[] sourceEdges(MinCostFlow flow, long[] lo, long[] hi, long[] cap, int total, boolean soft) {
        long sumLo = 0;
        long sumHi = 0;
        for (int i = 0; i < lo.length; i++) {
            sumLo += lo[i];
            sumHi += hi[i];
        }
        if (!soft && (sumLo > total || sumHi < total)) {
            return null;
        }
        // A unit of flow costs at most 2 in rack terms, so this outweighs any difference in racks.
        long penalty = 2L * total + 3;
        int[] mandatory = new int[lo.length];
        for (int i = 0; i < lo.length; i++) {
            long first = Math.min(lo[i], cap[i]);
            long second = Math.min(hi[i], cap[i]) - first;
            mandatory[i] = first > 0 ? flow.addEdge(SOURCE, 2 + i, (int) first, 0) : -1;
            if (second > 0) {
                flow.addEdge(SOURCE, 2 + i, (int) second, penalty);
            }
            long third = cap[i] - Math.min(hi[i], cap[i]);
            if (soft && third > 0) {
                flow.addEdge(SOURCE, 2 + i, (int) third, 2 * penalty);
            }
        }
        return soft ? new int[0] : mandatory;
    }

    /** Middle edges of a flow and the slot change each one stands for. */
    private static final class Edges {
        final int[] id;
        final int[] vnode;
        final int[] position;
        final int[] owner;
        final int[] repeats;
        int size;

        Edges(int capacity) {
            id = new int[capacity];
            vnode = new int[capacity];
            position = new int[capacity];
            owner = new int[capacity];
            repeats = new int[capacity];
        }

        void add(int edgeId, int v, int p, int newOwner, int addedRepeats) {
            id[size] = edgeId;
            vnode[size] = v;
            position[size] = p;
            owner[size] = newOwner;
            repeats[size] = addedRepeats;
            size++;
        }
    }

    private static Plan solve(MinCostFlow flow, int total, int[] mandatory, long[] lo, Edges edges) {
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
        for (int e = 0; e < edges.size; e++) {
            if (flow.flowOn(edges.id[e]) > 0) {
                vnodes[n] = edges.vnode[e];
                positions[n] = edges.position[e];
                owners[n] = edges.owner[e];
                repeats += edges.repeats[e];
                n++;
            }
        }
        return new Plan(vnodes, positions, owners, repeats);
    }

    /**
     * Moves single slots from the fullest to the emptiest participant until every count is within
     * {@code counts}. Each move exists: the fuller node is in more vnodes than the emptier one, so
     * some vnode holds the first and not the second.
     */
    private static void repair(int[][] rows, int[] rackOf, int[] participants, long[] counts, long salt) {
        int[] count = counts(rows, rackOf.length);
        int[] order = Mix.scrambled(rows.length, Mix.mix(salt, 3));
        while (true) {
            int full = participants[0];
            int empty = participants[0];
            for (int node : participants) {
                if (count[node] > count[full]) {
                    full = node;
                }
                if (count[node] < count[empty]) {
                    empty = node;
                }
            }
            if (count[full] <= counts[1] && count[empty] >= counts[0]) {
                return;
            }
            int bestVnode = -1;
            int bestPosition = -1;
            int bestRepeats = Integer.MAX_VALUE;
            for (int v : order) {
                int position = -1;
                boolean hasEmpty = false;
                for (int p = 0; p < rows[v].length; p++) {
                    position = rows[v][p] == full ? p : position;
                    hasEmpty |= rows[v][p] == empty;
                }
                if (position >= 0 && !hasEmpty) {
                    int repeats = addedRepeats(rows[v], position, rackOf[empty], rackOf);
                    if (repeats < bestRepeats) {
                        bestVnode = v;
                        bestPosition = position;
                        bestRepeats = repeats;
                    }
                }
            }
            if (bestVnode < 0) {
                throw new IllegalStateException("cannot move a replica from node index " + full + " to " + empty);
            }
            rows[bestVnode][bestPosition] = empty;
            count[full]--;
            count[empty]++;
        }
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
