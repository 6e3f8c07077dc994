package io.ringkv.coordinator.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The epoch-1 placement: balanced per-node counts, racks spread as far as balance allows, and
 * preference positions (who is primary) balanced as well.
 *
 * <p>It works in three steps. (1) Counts: every ACTIVE node gets {@code floor(R*Q/A)} replicas and
 * {@code R*Q mod A} of them one more, the extras going first to racks whose total stays at most Q.
 * (2) Racks to vnodes: racks, largest first, each pick the vnodes that still need the most
 * replicas, one copy per vnode while the rack's total is at most Q; remaining needs stay within one
 * of each other, so every vnode ends with exactly R and a rack with total T sits in min(T, Q)
 * vnodes. (3) Nodes to their rack's vnodes: each vnode takes the rack's nodes with the most
 * replicas left to place (Ryser's construction), so no node lands twice on a vnode. Ties are broken
 * by a fixed scramble so that any two nodes share few vnodes and neighbouring vnodes differ.
 */
final class InitialLayout {

    private InitialLayout() {
    }

    static int[][] layout(List<Node> table, int vnodeCount, int replicationFactor) {
        int[] active = IntStream.range(0, table.size())
                .filter(i -> table.get(i).isActive())
                .toArray();
        int activeCount = active.length;
        int perVnode = Math.min(replicationFactor, activeCount);
        if (activeCount == 0) {
            return new int[vnodeCount][0];
        }
        int[][] members = racks(table, active);
        int[] count = counts(members, table.size(), vnodeCount, perVnode, activeCount);
        int[] rackTotal = new int[members.length];
        for (int rack = 0; rack < members.length; rack++) {
            for (int node : members[rack]) {
                rackTotal[rack] += count[node];
            }
        }
        int[][] copies = racksToVnodes(rackTotal, vnodeCount, perVnode);
        int[][] rows = nodesToVnodes(members, count, rackTotal, copies, vnodeCount, perVnode);
        balancePositions(rows, table.size(), perVnode);
        return rows;
    }

    /** Table indexes of the ACTIVE nodes grouped by rack, racks in name order, nodes in id order. */
    private static int[][] racks(List<Node> table, int[] active) {
        TreeMap<String, List<Integer>> byRack = new TreeMap<>();
        for (int index : active) {
            byRack.computeIfAbsent(table.get(index).rack(), k -> new ArrayList<>()).add(index);
        }
        int[][] members = new int[byRack.size()][];
        int rack = 0;
        for (List<Integer> nodes : byRack.values()) {
            members[rack++] = nodes.stream().mapToInt(Integer::intValue).toArray();
        }
        return members;
    }

    private static int[] counts(int[][] members, int tableSize, int vnodeCount, int perVnode, int activeCount) {
        long total = (long) perVnode * vnodeCount;
        int floor = (int) (total / activeCount);
        int extras = (int) (total % activeCount);
        int[] rackExtras = new int[members.length];
        // Extras first go, round-robin, to racks whose total stays at most Q: there they cost no
        // rack repeat. Only what is left is forced onto racks that then repeat in some vnode.
        boolean placed = true;
        while (extras > 0 && placed) {
            placed = false;
            for (int rack = 0; rack < members.length && extras > 0; rack++) {
                long room = vnodeCount - (long) members[rack].length * floor - rackExtras[rack];
                if (rackExtras[rack] < members[rack].length && room > 0) {
                    rackExtras[rack]++;
                    extras--;
                    placed = true;
                }
            }
        }
        while (extras > 0) {
            for (int rack = 0; rack < members.length && extras > 0; rack++) {
                if (rackExtras[rack] < members[rack].length) {
                    rackExtras[rack]++;
                    extras--;
                }
            }
        }
        int[] count = new int[tableSize];
        for (int rack = 0; rack < members.length; rack++) {
            for (int i = 0; i < members[rack].length; i++) {
                count[members[rack][i]] = floor + (i < rackExtras[rack] ? 1 : 0);
            }
        }
        return count;
    }

    /** How many replicas each rack has in each vnode: {@code copies[rack][vnode]}. */
    private static int[][] racksToVnodes(int[] rackTotal, int vnodeCount, int perVnode) {
        int[][] copies = new int[rackTotal.length][vnodeCount];
        int[] need = new int[vnodeCount];
        Arrays.fill(need, perVnode);
        Integer[] order = new Integer[rackTotal.length];
        for (int rack = 0; rack < order.length; rack++) {
            order[rack] = rack;
        }
        Arrays.sort(order, (a, b) -> rackTotal[a] != rackTotal[b]
                ? Integer.compare(rackTotal[b], rackTotal[a])
                : Integer.compare(a, b));
        boolean[] picked = new boolean[vnodeCount];
        for (int rack : order) {
            int base = rackTotal[rack] / vnodeCount;
            int rest = rackTotal[rack] % vnodeCount;
            if (base > 0) {
                for (int v = 0; v < vnodeCount; v++) {
                    need[v] -= base;
                    copies[rack][v] = base;
                }
            }
            if (rest == 0) {
                continue;
            }
            // The vnodes that need the most go first; this keeps all needs within one of each
            // other, which is what guarantees every later rack finds enough vnodes.
            int[] scrambled = Mix.scrambled(vnodeCount, Mix.mix(1, rack));
            int maxNeed = Arrays.stream(need).max().orElse(0);
            Arrays.fill(picked, false);
            int taken = 0;
            for (int level = maxNeed; level > 0 && taken < rest; level--) {
                for (int i = 0; i < vnodeCount && taken < rest; i++) {
                    int v = scrambled[i];
                    if (need[v] == level && !picked[v]) {
                        picked[v] = true;
                        taken++;
                    }
                }
            }
            for (int v = 0; v < vnodeCount; v++) {
                if (picked[v]) {
                    need[v]--;
                    copies[rack][v]++;
                }
            }
        }
        for (int v = 0; v < vnodeCount; v++) {
            if (need[v] != 0) {
                throw new IllegalStateException("initial layout left vnode " + v + " needing " + need[v]);
            }
        }
        return copies;
    }

    private static int[][] nodesToVnodes(int[][] members, int[] count, int[] rackTotal, int[][] copies,
            int vnodeCount, int perVnode) {
        int[][] rows = new int[vnodeCount][perVnode];
        int[] filled = new int[vnodeCount];
        for (int rack = 0; rack < members.length; rack++) {
            int[] rackMembers = members[rack];
            int[] remaining = new int[rackMembers.length];
            for (int i = 0; i < rackMembers.length; i++) {
                remaining[i] = count[rackMembers[i]];
            }
            boolean[] chosen = new boolean[rackMembers.length];
            int placed = 0;
            // Ryser's construction: each vnode takes the members with the most replicas still to place.
            // It cannot get stuck because every member places at most Q and the vnodes' copies differ
            // by at most one; ties are scrambled so that nodes share vnodes with many different nodes,
            // which keeps later joins and removals free to hand replicas out evenly.
            for (int v : Mix.scrambled(vnodeCount, Mix.mix(2, rack))) {
                Arrays.fill(chosen, false);
                for (int copy = 0; copy < copies[rack][v]; copy++) {
                    int best = -1;
                    long bestTie = 0;
                    for (int i = 0; i < rackMembers.length; i++) {
                        if (chosen[i] || remaining[i] == 0) {
                            continue;
                        }
                        long tie = Mix.mix(Mix.mix(v, rack), rackMembers[i]);
                        if (best < 0 || remaining[i] > remaining[best]
                                || (remaining[i] == remaining[best] && tie < bestTie)) {
                            best = i;
                            bestTie = tie;
                        }
                    }
                    if (best < 0) {
                        throw new IllegalStateException("initial layout ran out of nodes in rack " + rack
                                + " for vnode " + v);
                    }
                    chosen[best] = true;
                    remaining[best]--;
                    rows[v][filled[v]++] = rackMembers[best];
                    placed++;
                }
            }
            if (placed != rackTotal[rack]) {
                throw new IllegalStateException("initial layout placed " + placed + " of rack " + rack + "'s "
                        + rackTotal[rack] + " replicas");
            }
        }
        return rows;
    }

    /**
     * Orders each vnode's replicas so every node is primary (and second, third, ...) about equally
     * often; position is preference, and the primary carries most of a vnode's reads.
     */
    private static void balancePositions(int[][] rows, int tableSize, int perVnode) {
        int[] atPosition = new int[tableSize * perVnode];
        for (int v = 0; v < rows.length; v++) {
            int[] row = rows[v];
            for (int pos = 0; pos < perVnode; pos++) {
                int best = pos;
                for (int j = pos + 1; j < perVnode; j++) {
                    int a = atPosition[row[j] * perVnode + pos];
                    int b = atPosition[row[best] * perVnode + pos];
                    if (a < b || (a == b && Mix.mix(v, row[j]) < Mix.mix(v, row[best]))) {
                        best = j;
                    }
                }
                int chosen = row[best];
                row[best] = row[pos];
                row[pos] = chosen;
                atPosition[chosen * perVnode + pos]++;
            }
        }
    }
}
