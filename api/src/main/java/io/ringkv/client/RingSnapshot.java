package io.ringkv.client;

import io.ringkv.api.v1.RingView;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.Tokens;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, validated copy of the cluster's ring at one epoch: the node table and, for each
 * vnode, its ordered replica list. Decoding rejects a malformed ring, so routing never indexes
 * outside it.
 */
public final class RingSnapshot {
    /**
     * A node of the ring as the ring describes it.
     *
     * @param bulkPort the port of its bulk lane at the address's host (requests with large values), or 0
     */
    public record Node(String id, String address, String rack, NodeState state, int bulkPort) {
        public Node {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(rack, "rack");
            Objects.requireNonNull(state, "state");
            if (bulkPort < 0 || bulkPort > 65_535) {
                throw new IllegalArgumentException("bulkPort must be in [0, 65535], was " + bulkPort);
            }
        }

        /** A node without a bulk lane. */
        public Node(String id, String address, String rack, NodeState state) {
            this(id, address, rack, state, 0);
        }

        /** Where requests with large values go: {@code host:bulkPort}, or the address when it has no bulk lane. */
        public String bulkAddress() {
            if (bulkPort == 0) {
                return address;
            }
            int colon = address.lastIndexOf(':');
            return address.substring(0, colon) + ":" + bulkPort;
        }
    }

    /** A node's part in the ring's life: joining (no vnodes yet), active, or leaving. */
    public enum NodeState { UNSPECIFIED, JOINING, ACTIVE, LEAVING }

    private final long epoch;
    private final int vnodeCount;
    private final int replicasPerVnode;
    private final List<Node> nodes;
    // Precomputed per vnode because routing reads them on every request and the ring is immutable.
    private final List<List<Node>> replicas;
    private final List<List<String>> replicaAddresses;
    private final Map<String, String> bulkAddresses;

    private RingSnapshot(long epoch, int vnodeCount, int replicasPerVnode, List<Node> nodes,
                         List<List<Node>> replicas) {
        this.epoch = epoch;
        this.vnodeCount = vnodeCount;
        this.replicasPerVnode = replicasPerVnode;
        this.nodes = List.copyOf(nodes);
        this.replicas = List.copyOf(replicas);
        List<List<String>> addresses = new ArrayList<>(replicas.size());
        for (List<Node> list : replicas) {
            addresses.add(list.stream().map(Node::address).toList());
        }
        this.replicaAddresses = List.copyOf(addresses);
        Map<String, String> bulk = new HashMap<>();
        for (Node n : this.nodes) {
            if (n.bulkPort() != 0) {
                bulk.put(n.address(), n.bulkAddress());
            }
        }
        this.bulkAddresses = Map.copyOf(bulk);
    }

    /**
     * Decodes the compact wire form: replicas of vnode v are
     * {@code nodes[assignments[v * replicas_per_vnode + i]]}.
     *
     * @throws ProtocolViolationException if the view is inconsistent (its node is named in it)
     */
    static RingSnapshot fromProto(RingView view, String fromNode) {
        int vnodeCount = view.getVnodeCount();
        int perVnode = view.getReplicasPerVnode();
        if (vnodeCount <= 0 || Integer.bitCount(vnodeCount) != 1) {
            throw bad("vnode_count must be a power of two, was " + Integer.toUnsignedString(vnodeCount), fromNode);
        }
        if (perVnode < 0 || perVnode > view.getNodesCount()) {
            throw bad("replicas_per_vnode " + Integer.toUnsignedString(perVnode) + " with "
                    + view.getNodesCount() + " nodes", fromNode);
        }
        if ((long) vnodeCount * perVnode != view.getAssignmentsCount()) {
            throw bad("expected " + (long) vnodeCount * perVnode + " assignments, got "
                    + view.getAssignmentsCount(), fromNode);
        }
        List<Node> nodes = new ArrayList<>(view.getNodesCount());
        Set<String> ids = new HashSet<>();
        for (io.ringkv.api.v1.RingNode n : view.getNodesList()) {
            if (n.getId().isEmpty() || n.getAddress().isEmpty()) {
                throw bad("node with empty id or address: " + n.getId() + "@" + n.getAddress(), fromNode);
            }
            if (!ids.add(n.getId())) {
                throw bad("duplicate node id " + n.getId(), fromNode);
            }
            if (n.getBulkPort() > 65_535) {
                throw bad("node " + n.getId() + " has bulk port " + Integer.toUnsignedString(n.getBulkPort()), fromNode);
            }
            nodes.add(new Node(n.getId(), n.getAddress(), n.getRack(), stateOf(n.getState()), n.getBulkPort()));
        }
        List<List<Node>> replicas = new ArrayList<>(vnodeCount);
        for (int v = 0; v < vnodeCount; v++) {
            Node[] list = new Node[perVnode];
            for (int i = 0; i < perVnode; i++) {
                int index = view.getAssignments(v * perVnode + i);
                if (index < 0 || index >= nodes.size()) {
                    throw bad("vnode " + v + " names node index " + Integer.toUnsignedString(index)
                            + " of " + nodes.size(), fromNode);
                }
                list[i] = nodes.get(index);
                for (int j = 0; j < i; j++) {
                    if (list[j] == list[i]) {
                        throw bad("vnode " + v + " lists node " + list[i].id() + " twice", fromNode);
                    }
                }
            }
            replicas.add(List.of(list));
        }
        return new RingSnapshot(view.getEpoch(), vnodeCount, perVnode, nodes, replicas);
    }

    public long epoch() {
        return epoch;
    }

    /** The number of vnodes Q (a power of two, fixed for the life of the cluster). */
    public int vnodeCount() {
        return vnodeCount;
    }

    public int replicasPerVnode() {
        return replicasPerVnode;
    }

    /** Every node of the ring, in the ring's order. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The ordered replicas of {@code vnode}, primary first. */
    public List<Node> replicasOf(int vnode) {
        Objects.checkIndex(vnode, vnodeCount);
        return replicas.get(vnode);
    }

    /** The vnode that owns {@code token}: its top log2(Q) bits. */
    public int vnodeOf(long token) {
        return StorageKeys.vnodeOf(token, vnodeCount);
    }

    /** Where {@code key} lives in this ring. */
    public Location locate(String key) {
        Objects.requireNonNull(key, "key");
        long token = Tokens.of(key);
        int vnode = vnodeOf(token);
        return new Location(key, token, vnode, replicas.get(vnode), epoch);
    }

    List<String> replicaAddresses(int vnode) {
        return replicaAddresses.get(vnode);
    }

    /** Where the node at {@code address} takes requests with large values: its bulk address, or {@code address}. */
    String bulkAddressOf(String address) {
        String bulk = bulkAddresses.get(address);
        return bulk == null ? address : bulk;
    }

    /** Whether both rings name the same bulk ports. */
    boolean sameBulkPorts(RingSnapshot other) {
        return bulkAddresses.equals(other.bulkAddresses);
    }

    /** Every node address in the ring, in the ring's order. */
    List<String> addresses() {
        return nodes.stream().map(Node::address).toList();
    }

    @Override
    public String toString() {
        return "RingSnapshot[epoch=" + epoch + ", vnodeCount=" + vnodeCount + ", replicasPerVnode="
                + replicasPerVnode + ", nodes=" + nodes.size() + "]";
    }

    private static NodeState stateOf(io.ringkv.api.v1.NodeState state) {
        return switch (state) {
            case JOINING -> NodeState.JOINING;
            case ACTIVE -> NodeState.ACTIVE;
            case LEAVING -> NodeState.LEAVING;
            case NODE_STATE_UNSPECIFIED, UNRECOGNIZED -> NodeState.UNSPECIFIED;
        };
    }

    private static ProtocolViolationException bad(String message, String fromNode) {
        return new ProtocolViolationException("malformed ring: " + message, fromNode);
    }
}
