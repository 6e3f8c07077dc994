package io.ringkv.coordinator.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable, validated placement of {@code Q} equal vnodes on the ACTIVE nodes of a cluster:
 * for every vnode an ordered list of {@code min(N, active nodes)} distinct replicas, the first
 * being the most preferred.
 *
 * <p>The token space of signed 64-bit Murmur3 tokens, read as unsigned, is cut into {@code Q}
 * equal ranges, so vnode 0 holds the smallest unsigned tokens. The node table is sorted by id and
 * replicas are stored as indexes into it, which is also the compact wire form
 * ({@link #of(long, int, int, List, int[][])} and {@link #replicaIndexes(int)}). Rings are never
 * modified: the {@link Planner} makes a new ring with the next epoch. Accessors never return
 * anything the caller could use to change the ring.
 */
public final class Ring {

    /** Largest vnode count a ring may have; vnode numbers must fit in 16 bits. */
    public static final int MAX_VNODE_COUNT = 65536;

    /** Largest replication factor a ring may be planned with. */
    public static final int MAX_REPLICATION_FACTOR = 16;

    private final long epoch;
    private final int vnodeCount;
    private final int tokenShift;
    private final int replicationFactor;
    private final int replicasPerVnode;
    private final List<Node> nodes;
    private final List<Node> activeNodes;
    private final Map<String, Integer> indexById;
    /** Replica indexes, vnode-major: vnode v's replicas are at [v * replicasPerVnode, (v + 1) * replicasPerVnode). */
    private final int[] replicaTable;
    /** The same replicas as Node lists, built once because they are read on every request. */
    private final List<List<Node>> replicaLists;

    private Ring(long epoch, int vnodeCount, int replicationFactor, List<Node> nodes, int replicasPerVnode,
            int[] replicaTable) {
        this.epoch = epoch;
        this.vnodeCount = vnodeCount;
        this.tokenShift = 64 - Integer.numberOfTrailingZeros(vnodeCount);
        this.replicationFactor = replicationFactor;
        this.replicasPerVnode = replicasPerVnode;
        this.nodes = nodes;
        this.activeNodes = nodes.stream().filter(Node::isActive).toList();
        Map<String, Integer> byId = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            byId.put(nodes.get(i).id(), i);
        }
        this.indexById = Map.copyOf(byId);
        this.replicaTable = replicaTable;
        List<List<Node>> lists = new ArrayList<>(vnodeCount);
        Node[] scratch = new Node[replicasPerVnode];
        for (int v = 0; v < vnodeCount; v++) {
            for (int i = 0; i < replicasPerVnode; i++) {
                scratch[i] = nodes.get(replicaTable[v * replicasPerVnode + i]);
            }
            lists.add(List.of(scratch));
        }
        this.replicaLists = Collections.unmodifiableList(lists);
    }

    /**
     * Builds and validates a ring; this is the form the wire format maps to.
     *
     * @param epoch version of the ring, at least 0; a newer ring has a larger epoch
     * @param vnodeCount Q, a power of two in 1..{@value #MAX_VNODE_COUNT}
     * @param replicationFactor N the ring was planned with, 1..{@value #MAX_REPLICATION_FACTOR}
     * @param nodes the node table, sorted by id with no duplicates
     * @param assignments {@code assignments[v]} = indexes into {@code nodes} of vnode v's replicas,
     *     in preference order; each must list {@code min(N, number of ACTIVE nodes)} distinct ACTIVE
     *     nodes. The arrays are copied.
     * @throws IllegalArgumentException if any of the above does not hold, saying which vnode is wrong
     */
    public static Ring of(long epoch, int vnodeCount, int replicationFactor, List<Node> nodes,
            int[][] assignments) {
        if (epoch < 0) {
            throw new IllegalArgumentException("ring epoch must be >= 0, got " + epoch);
        }
        requireValidShape(vnodeCount, replicationFactor);
        Objects.requireNonNull(nodes, "node list must not be null");
        Objects.requireNonNull(assignments, "assignments must not be null");
        List<Node> table = List.copyOf(nodes);
        for (int i = 1; i < table.size(); i++) {
            int cmp = table.get(i - 1).id().compareTo(table.get(i).id());
            if (cmp == 0) {
                throw new IllegalArgumentException("duplicate node id " + table.get(i).id());
            }
            if (cmp > 0) {
                throw new IllegalArgumentException("nodes must be sorted by id, but " + table.get(i - 1).id()
                        + " comes before " + table.get(i).id());
            }
        }
        int active = (int) table.stream().filter(Node::isActive).count();
        int perVnode = Math.min(replicationFactor, active);
        if (assignments.length != vnodeCount) {
            throw new IllegalArgumentException("expected assignments for " + vnodeCount + " vnodes, got "
                    + assignments.length);
        }
        int[] flat = new int[vnodeCount * perVnode];
        for (int v = 0; v < vnodeCount; v++) {
            int[] replicas = assignments[v];
            if (replicas == null || replicas.length != perVnode) {
                throw new IllegalArgumentException("vnode " + v + " has "
                        + (replicas == null ? "no replica list" : replicas.length + " replicas")
                        + ", expected " + perVnode + " = min(N=" + replicationFactor + ", active nodes="
                        + active + ")");
            }
            for (int i = 0; i < perVnode; i++) {
                int index = replicas[i];
                if (index < 0 || index >= table.size()) {
                    throw new IllegalArgumentException("vnode " + v + " names node index " + index
                            + ", but the node table has " + table.size() + " nodes");
                }
                Node node = table.get(index);
                if (!node.isActive()) {
                    throw new IllegalArgumentException("vnode " + v + " names node " + node.id() + " which is "
                            + node.state() + ", not ACTIVE");
                }
                for (int j = 0; j < i; j++) {
                    if (replicas[j] == index) {
                        throw new IllegalArgumentException("vnode " + v + " names node " + node.id() + " twice");
                    }
                }
                flat[v * perVnode + i] = index;
            }
        }
        return new Ring(epoch, vnodeCount, replicationFactor, table, perVnode, flat);
    }

    /** Rejects a vnode count or replication factor no ring may have. */
    static void requireValidShape(int vnodeCount, int replicationFactor) {
        if (vnodeCount < 1 || vnodeCount > MAX_VNODE_COUNT || Integer.bitCount(vnodeCount) != 1) {
            throw new IllegalArgumentException("vnode count must be a power of two in 1.." + MAX_VNODE_COUNT
                    + ", got " + vnodeCount);
        }
        if (replicationFactor < 1 || replicationFactor > MAX_REPLICATION_FACTOR) {
            throw new IllegalArgumentException("replication factor must be in 1.." + MAX_REPLICATION_FACTOR
                    + ", got " + replicationFactor);
        }
    }

    /**
     * The vnode holding {@code token} in a ring of {@code vnodeCount} vnodes: the top
     * {@code log2(vnodeCount)} bits of the token read as unsigned.
     *
     * @throws IllegalArgumentException if vnodeCount is not a power of two in 1..65536
     */
    public static int vnodeOf(long token, int vnodeCount) {
        if (vnodeCount < 1 || vnodeCount > MAX_VNODE_COUNT || Integer.bitCount(vnodeCount) != 1) {
            throw new IllegalArgumentException("vnode count must be a power of two in 1.." + MAX_VNODE_COUNT
                    + ", got " + vnodeCount);
        }
        // Java masks shift distances to 6 bits, so a shift by 64 (Q = 1) would keep the whole token.
        return vnodeCount == 1 ? 0 : (int) (token >>> (64 - Integer.numberOfTrailingZeros(vnodeCount)));
    }

    /** The vnode holding {@code token} in this ring. */
    public int vnodeOf(long token) {
        return vnodeCount == 1 ? 0 : (int) (token >>> tokenShift);
    }

    /** Version of this ring; the planner makes each change's ring with epoch + 1. */
    public long epoch() {
        return epoch;
    }

    /** Q, the fixed number of vnodes. */
    public int vnodeCount() {
        return vnodeCount;
    }

    /** N, the replication factor the ring was planned with. */
    public int replicationFactor() {
        return replicationFactor;
    }

    /** Replicas each vnode has: {@code min(N, number of ACTIVE nodes)}. */
    public int replicasPerVnode() {
        return replicasPerVnode;
    }

    /** The node table, sorted by id; positions are the indexes used by {@link #replicaIndexes(int)}. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The ACTIVE nodes, sorted by id. */
    public List<Node> activeNodes() {
        return activeNodes;
    }

    /** The node with this id, if it is in the table (in any state). */
    public Optional<Node> node(String id) {
        Integer index = indexById.get(id);
        return index == null ? Optional.empty() : Optional.of(nodes.get(index));
    }

    /** Position of the node in {@link #nodes()}, or -1 if it is not in the table. */
    public int indexOf(String nodeId) {
        Integer index = indexById.get(nodeId);
        return index == null ? -1 : index;
    }

    /** The replicas of {@code vnode} in preference order; the list is shared and unmodifiable. */
    public List<Node> replicas(int vnode) {
        return replicaLists.get(checkVnode(vnode));
    }

    /** The replicas of the vnode holding {@code token}; the request path's one-call lookup. */
    public List<Node> replicasOfToken(long token) {
        return replicaLists.get(vnodeOf(token));
    }

    /** Whether the node is one of the vnode's replicas. */
    public boolean isReplica(int vnode, String nodeId) {
        checkVnode(vnode);
        Integer index = indexById.get(nodeId);
        if (index == null) {
            return false;
        }
        int base = vnode * replicasPerVnode;
        for (int i = 0; i < replicasPerVnode; i++) {
            if (replicaTable[base + i] == index) {
                return true;
            }
        }
        return false;
    }

    /** Indexes into {@link #nodes()} of the vnode's replicas, in preference order; a fresh copy. */
    public int[] replicaIndexes(int vnode) {
        int base = checkVnode(vnode) * replicasPerVnode;
        return Arrays.copyOfRange(replicaTable, base, base + replicasPerVnode);
    }

    /** Index into {@link #nodes()} of the vnode's replica at {@code position}, without copying. */
    public int replicaIndex(int vnode, int position) {
        checkVnode(vnode);
        if (position < 0 || position >= replicasPerVnode) {
            throw new IndexOutOfBoundsException("replica position " + position + " not in 0.." + (replicasPerVnode - 1));
        }
        return replicaTable[vnode * replicasPerVnode + position];
    }

    /** All vnodes' replica indexes, {@code [vnode][position]}: the argument {@link #of} takes; a fresh copy. */
    public int[][] assignments() {
        int[][] copy = new int[vnodeCount][];
        for (int v = 0; v < vnodeCount; v++) {
            copy[v] = Arrays.copyOfRange(replicaTable, v * replicasPerVnode, (v + 1) * replicasPerVnode);
        }
        return copy;
    }

    /** The vnodes the node replicates, ascending; empty if it owns none or is not in the table. */
    public int[] vnodesOf(String nodeId) {
        Integer index = indexById.get(nodeId);
        if (index == null) {
            return new int[0];
        }
        int[] found = new int[vnodeCount];
        int n = 0;
        for (int v = 0; v < vnodeCount; v++) {
            int base = v * replicasPerVnode;
            for (int i = 0; i < replicasPerVnode; i++) {
                if (replicaTable[base + i] == index) {
                    found[n++] = v;
                    break;
                }
            }
        }
        return Arrays.copyOf(found, n);
    }

    /** Number of vnode replicas each ACTIVE node holds (zero included), in id order. */
    public Map<String, Integer> replicaCounts() {
        int[] counts = new int[nodes.size()];
        for (int index : replicaTable) {
            counts[index]++;
        }
        Map<String, Integer> result = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).isActive()) {
                result.put(nodes.get(i).id(), counts[i]);
            }
        }
        return Collections.unmodifiableMap(result);
    }

    /** Number of distinct racks among the vnode's replicas; equals {@link #replicasPerVnode()} when they are rack-distinct. */
    public int distinctRacks(int vnode) {
        List<Node> replicas = replicas(vnode);
        int distinct = 0;
        for (int i = 0; i < replicas.size(); i++) {
            boolean seen = false;
            for (int j = 0; j < i && !seen; j++) {
                seen = replicas.get(j).rack().equals(replicas.get(i).rack());
            }
            if (!seen) {
                distinct++;
            }
        }
        return distinct;
    }

    private int checkVnode(int vnode) {
        if (vnode < 0 || vnode >= vnodeCount) {
            throw new IndexOutOfBoundsException("vnode " + vnode + " not in 0.." + (vnodeCount - 1));
        }
        return vnode;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ring other
                && epoch == other.epoch
                && vnodeCount == other.vnodeCount
                && replicationFactor == other.replicationFactor
                && nodes.equals(other.nodes)
                && Arrays.equals(replicaTable, other.replicaTable);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, vnodeCount, replicationFactor, nodes, Arrays.hashCode(replicaTable));
    }

    @Override
    public String toString() {
        return "Ring[epoch=" + epoch + ", Q=" + vnodeCount + ", N=" + replicationFactor + ", nodes="
                + nodes.size() + " (" + activeNodes.size() + " active), replicas/vnode=" + replicasPerVnode + "]";
    }
}
