package io.ringkv.coordinator.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Plans rings: the first ring of a cluster, and the next ring after each membership change. Pure
 * functions of their arguments, so every node computes the same ring.
 *
 * <p>Let A be the number of ACTIVE nodes, R = min(N, A) and mean = R*Q/A. The rules, highest
 * priority first:
 * <ol>
 *   <li><b>Shape.</b> Every vnode has R distinct ACTIVE replicas.</li>
 *   <li><b>Balance.</b> Every ACTIVE node holds within one of the mean. {@link #initial} holds
 *       exactly {@code floor(mean)} or {@code ceil(mean)}; {@link #apply} does too whenever it can
 *       without breaking rule 3 (it can differ only when the mean is a whole number).</li>
 *   <li><b>Minimal movement.</b> When node k+1 joins (k >= N), only slots that then name it change,
 *       at most {@code ceil(N*Q/(k+1)) + 1} of them, and each donor gives within one of an even share
 *       (floor or ceil of it whenever possible). When fewer than N nodes were ACTIVE, every vnode
 *       instead gains the newcomer as its last replica. When an ACTIVE node is removed, only its slots
 *       change, each remaining node receiving within one of an even share; when fewer than N nodes
 *       remain it is simply dropped from every list. A replacement takes the slot's position in the
 *       list, which is the preference order. {@link RingChange.Register} changes no slot. In rare rings
 *       (a few replicas that must move all share vnodes with the nodes that must take them) no plan
 *       keeps rules 2 and 3 together; then balance wins: the move keeps counts as close to the mean as
 *       the vnodes allow and a few extra single-slot moves between other nodes restore balance.</li>
 *   <li><b>Racks</b>, maximised under the rules above. A vnode's rack repeats are its replica count
 *       minus its number of distinct racks.
 *       <ul>
 *         <li>{@link #initial} is rack-distinct (no repeats anywhere) exactly when
 *             {@link #racksCanBeDistinct} holds. That condition is necessary for any balanced ring, so
 *             {@code initial} is rack-distinct whenever that is possible at all; otherwise it still
 *             reaches the largest possible number of (vnode, rack) pairs among balanced rings.</li>
 *         <li>{@link #apply} has the fewest rack repeats among all rings that keep rules 1-3 for that
 *             change, at the tightest level it reaches (counts floor/ceil and shares floor/ceil; then
 *             shares within one; then counts within one; then any shares). So it is rack-distinct
 *             whenever such a ring is. It cannot promise more: under minimal movement, what is possible
 *             depends on which vnodes the nodes already share, and repeats forced by an earlier change
 *             (say a rack growing ahead of the others when there are exactly N racks) are only undone as
 *             far as later moves allow.</li>
 *       </ul>
 *   </li>
 * </ol>
 * Everything else (which of several equally good slots moves, who is primary in the first ring) is
 * settled by a fixed scramble of vnode and node numbers, so that nodes share vnodes with many
 * different nodes: a failed node's load then spreads over the cluster instead of a few neighbours.
 */
public final class Planner {

    private Planner() {
    }

    /**
     * The first ring of a cluster, epoch 1: ACTIVE nodes share the vnodes; JOINING and LEAVING nodes
     * are listed without vnodes. The same nodes in any order give the same ring.
     *
     * @throws IllegalArgumentException on duplicate ids, a vnode count that is not a power of two in
     *     1..65536, or a replication factor outside 1..16
     */
    public static Ring initial(List<Node> nodes, int vnodeCount, int replicationFactor) {
        Ring.requireValidShape(vnodeCount, replicationFactor);
        List<Node> table = sortedById(nodes);
        return Ring.of(1, vnodeCount, replicationFactor, table,
                InitialLayout.layout(table, vnodeCount, replicationFactor));
    }

    /**
     * The ring after {@code change}, with epoch + 1.
     *
     * @throws IllegalArgumentException if the change does not fit the ring: joining a node that is
     *     already ACTIVE, registering an id that is already listed, removing an id that is not
     * @throws IllegalStateException if {@code old} is so unbalanced (built by hand, not by this
     *     planner) that no plan keeps the movement rules
     */
    public static Ring apply(Ring old, RingChange change) {
        Objects.requireNonNull(old, "ring must not be null");
        Objects.requireNonNull(change, "change must not be null");
        return switch (change) {
            case RingChange.Register register -> register(old, register.node());
            case RingChange.Join join -> join(old, join.node());
            case RingChange.Remove remove -> remove(old, remove.nodeId());
        };
    }

    /**
     * Whether a balanced ring of these nodes can place every vnode's replicas on distinct racks.
     * With A ACTIVE nodes, R = min(N, A), f = floor(R*Q/A) and h = R*Q mod A (the number of nodes
     * that must hold f + 1), it holds exactly when every rack r with s_r ACTIVE nodes has
     * {@code s_r * f <= Q} and {@code sum over racks of min(s_r, Q - s_r * f) >= h}: some way of handing
     * out the h extra replicas leaves every rack with at most Q replicas, one per vnode.
     * Only ACTIVE nodes count; true when there are none.
     */
    public static boolean racksCanBeDistinct(List<Node> nodes, int vnodeCount, int replicationFactor) {
        Ring.requireValidShape(vnodeCount, replicationFactor);
        TreeMap<String, Integer> rackSizes = new TreeMap<>();
        int active = 0;
        for (Node node : nodes) {
            if (node.isActive()) {
                rackSizes.merge(node.rack(), 1, Integer::sum);
                active++;
            }
        }
        if (active == 0) {
            return true;
        }
        long total = (long) Math.min(replicationFactor, active) * vnodeCount;
        long floor = total / active;
        long extras = total % active;
        long room = 0;
        for (int size : rackSizes.values()) {
            long spare = vnodeCount - size * floor;
            if (spare < 0) {
                return false;
            }
            room += Math.min(size, spare);
        }
        return room >= extras;
    }

    private static Ring register(Ring old, Node node) {
        old.node(node.id()).ifPresent(existing -> {
            throw new IllegalArgumentException("cannot register node " + node.id() + ": it is already in the ring as "
                    + existing.state());
        });
        List<Node> table = new ArrayList<>(old.nodes());
        table.add(node.withState(NodeState.JOINING));
        table = sortedById(table);
        return rebuilt(old, table, remapped(old, table));
    }

    private static Ring join(Ring old, Node node) {
        old.node(node.id()).ifPresent(existing -> {
            if (existing.isActive()) {
                throw new IllegalArgumentException("cannot join node " + node.id() + ": it is already ACTIVE");
            }
        });
        List<Node> table = new ArrayList<>(old.nodes());
        table.removeIf(n -> n.id().equals(node.id()));
        table.add(node.withState(NodeState.ACTIVE));
        table = sortedById(table);
        int[][] rows = remapped(old, table);
        int newcomer = indexIn(table, node.id());
        int[] donors = activeIndexes(table, newcomer);
        int vnodeCount = old.vnodeCount();
        if (donors.length < old.replicationFactor()) {
            // Every vnode already lists every ACTIVE node, so it can only grow by one.
            int[][] grown = new int[vnodeCount][];
            for (int v = 0; v < vnodeCount; v++) {
                grown[v] = Arrays.copyOf(rows[v], rows[v].length + 1);
                grown[v][rows[v].length] = newcomer;
            }
            return rebuilt(old, table, grown);
        }
        return rebuilt(old, table, Handover.join(rows, newcomer, racks(table), donors, salt(node.id())));
    }

    private static Ring remove(Ring old, String nodeId) {
        Node leaving = old.node(nodeId).orElseThrow(() ->
                new IllegalArgumentException("cannot remove node " + nodeId + ": it is not in the ring"));
        List<Node> table = new ArrayList<>(old.nodes());
        table.remove(leaving);
        int[][] rows = old.assignments();
        if (leaving.isActive()) {
            int leavingIndex = old.indexOf(nodeId);
            int[] recipients = activeIndexes(old.nodes(), leavingIndex);
            if (recipients.length < old.replicationFactor()) {
                // Every vnode lists every ACTIVE node, so each simply loses the leaving one.
                for (int v = 0; v < rows.length; v++) {
                    int[] row = rows[v];
                    int[] shrunk = new int[row.length - 1];
                    int n = 0;
                    for (int node : row) {
                        if (node != leavingIndex) {
                            shrunk[n++] = node;
                        }
                    }
                    rows[v] = shrunk;
                }
            } else {
                rows = Handover.remove(rows, leavingIndex, racks(old.nodes()), recipients, salt(nodeId));
            }
        }
        return rebuilt(old, table, translate(rows, old.nodes(), table));
    }

    private static Ring rebuilt(Ring old, List<Node> table, int[][] rows) {
        return Ring.of(old.epoch() + 1, old.vnodeCount(), old.replicationFactor(), table, rows);
    }

    /** The old ring's assignments with indexes into {@code table} instead of the old node table. */
    private static int[][] remapped(Ring old, List<Node> table) {
        return translate(old.assignments(), old.nodes(), table);
    }

    private static int[][] translate(int[][] rows, List<Node> from, List<Node> to) {
        int[] map = new int[from.size()];
        for (int i = 0; i < from.size(); i++) {
            map[i] = indexIn(to, from.get(i).id());
        }
        int[][] result = new int[rows.length][];
        for (int v = 0; v < rows.length; v++) {
            result[v] = new int[rows[v].length];
            for (int p = 0; p < rows[v].length; p++) {
                result[v][p] = map[rows[v][p]];
            }
        }
        return result;
    }

    private static int indexIn(List<Node> sortedTable, String id) {
        int lo = 0;
        int hi = sortedTable.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int cmp = sortedTable.get(mid).id().compareTo(id);
            if (cmp == 0) {
                return mid;
            }
            if (cmp < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    private static int[] activeIndexes(List<Node> table, int except) {
        return IntStream.range(0, table.size())
                .filter(i -> i != except && table.get(i).isActive())
                .toArray();
    }

    /** Rack number per node index; numbers follow rack names so they do not depend on input order. */
    private static int[] racks(List<Node> table) {
        TreeMap<String, Integer> numbers = new TreeMap<>();
        for (Node node : table) {
            numbers.putIfAbsent(node.rack(), 0);
        }
        int next = 0;
        for (var entry : numbers.entrySet()) {
            entry.setValue(next++);
        }
        return table.stream().mapToInt(n -> numbers.get(n.rack())).toArray();
    }

    /** Seeds the tie-break scramble from the node's id, which is the same on every node. */
    private static long salt(String nodeId) {
        return Mix.mix(nodeId.hashCode(), nodeId.length());
    }

    private static List<Node> sortedById(List<Node> nodes) {
        Objects.requireNonNull(nodes, "node list must not be null");
        List<Node> sorted = new ArrayList<>(nodes.size());
        for (Node node : nodes) {
            sorted.add(Objects.requireNonNull(node, "node list must not contain null"));
        }
        sorted.sort(Comparator.comparing(Node::id));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i - 1).id().equals(sorted.get(i).id())) {
                throw new IllegalArgumentException("duplicate node id " + sorted.get(i).id());
            }
        }
        return sorted;
    }
}
