package io.ringkv.coordinator.ring;

import java.util.Objects;

/**
 * One member of the ring's node table: a stable id, where to reach it, the rack it shares failures
 * with, and its life-cycle state.
 *
 * @param id unique, stable node id; the ring's node table is sorted by it
 * @param address {@code host:port} of the node's server
 * @param rack failure domain; the planner spreads a vnode's replicas over distinct racks
 * @param state life-cycle state; only ACTIVE nodes own replicas
 */
public record Node(String id, String address, String rack, NodeState state) {

    public Node {
        requireNonBlank(id, "id");
        requireNonBlank(rack, "rack");
        Objects.requireNonNull(state, "node state must not be null");
        validateAddress(id, address);
    }

    /** This node with another state; the planner uses it to activate or register nodes. */
    public Node withState(NodeState newState) {
        return newState == state ? this : new Node(id, address, rack, newState);
    }

    /** Whether this node owns vnode replicas. */
    public boolean isActive() {
        return state == NodeState.ACTIVE;
    }

    private static void requireNonBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("node " + what + " must not be blank, got " + quoted(value));
        }
    }

    private static void validateAddress(String id, String address) {
        if (address == null) {
            throw new IllegalArgumentException("node " + id + ": address must be host:port, got null");
        }
        // lastIndexOf so that bracketed IPv6 hosts such as [::1]:7000 are accepted.
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1 || address.isBlank()) {
            throw new IllegalArgumentException("node " + id + ": address must be host:port, got " + quoted(address));
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("node " + id + ": address port is not a number in " + quoted(address));
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node " + id + ": address port must be 1..65535, got " + port);
        }
    }

    private static String quoted(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}
