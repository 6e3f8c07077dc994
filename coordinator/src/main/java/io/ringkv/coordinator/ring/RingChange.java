package io.ringkv.coordinator.ring;

import java.util.Objects;

/** A membership change the {@link Planner} turns into the next ring (epoch + 1). */
public sealed interface RingChange permits RingChange.Join, RingChange.Remove, RingChange.Register {

    /**
     * The node becomes ACTIVE and takes its share of replicas from the others; a node already
     * registered (JOINING or LEAVING) is activated with the address and rack given here.
     */
    record Join(Node node) implements RingChange {
        public Join {
            Objects.requireNonNull(node, "joining node must not be null");
        }
    }

    /** The node leaves the ring; if it was ACTIVE its replicas are handed out to the others. */
    record Remove(String nodeId) implements RingChange {
        public Remove {
            if (nodeId == null || nodeId.isBlank()) {
                throw new IllegalArgumentException("node id to remove must not be blank");
            }
        }
    }

    /** The node is added as JOINING: listed and addressable, owning no vnodes. */
    record Register(Node node) implements RingChange {
        public Register {
            Objects.requireNonNull(node, "registered node must not be null");
        }
    }
}
