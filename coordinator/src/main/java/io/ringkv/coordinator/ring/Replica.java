package io.ringkv.coordinator.ring;

import java.util.Objects;

/**
 * One entry of a {@link PreferenceList}: a node, whether it is a true replica of the vnode or a
 * fallback standing in for one, and whether it was in the live set the list was built from.
 */
public record Replica(Node node, Role role, boolean live) {

    /** Why a node is on a preference list. */
    public enum Role {
        /** One of the vnode's replicas in the ring; only these count toward a strict quorum. */
        PRIMARY,
        /** Another ACTIVE node that may hold writes (with a hint) while a primary is down. */
        FALLBACK
    }

    public Replica {
        Objects.requireNonNull(node, "replica node must not be null");
        Objects.requireNonNull(role, "replica role must not be null");
    }

    /** The node's id, for convenience. */
    public String nodeId() {
        return node.id();
    }
}
