package io.ringkv.coordinator.ring;

/** Where a node stands in the ring's life cycle; only {@link #ACTIVE} nodes own vnode replicas. */
public enum NodeState {
    /** Registered and addressable, but owns no vnodes yet. */
    JOINING,
    /** Owns its share of vnode replicas. */
    ACTIVE,
    /** On its way out: still listed so peers can reach it while its data streams away, owns no vnodes. */
    LEAVING
}
