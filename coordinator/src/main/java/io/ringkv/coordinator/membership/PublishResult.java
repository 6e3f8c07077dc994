package io.ringkv.coordinator.membership;

import io.ringkv.coordinator.ring.Ring;
import java.util.Optional;

/** What became of an attempt to publish a ring; {@link RingPublisher} returns these instead of throwing. */
public sealed interface PublishResult {

    /** The ring is stored; watchers will see it. */
    record Published(Ring ring) implements PublishResult {
    }

    /** Nothing was written: this node does not believe it leads. */
    record NotLeader() implements PublishResult {
    }

    /**
     * The check-and-set failed: the key changed since the snapshot the ring was planned from (another
     * leader wrote, or this node's plan was stale). {@code current} is the key as re-read (empty if
     * the re-read failed); {@code stillLeader} is this node's leadership as re-verified with Consul.
     */
    record Refused(Optional<RingSnapshot> current, boolean stillLeader) implements PublishResult {
    }

    /**
     * Consul did not answer. The write may or may not have happened (the answer can be lost after
     * the write): re-read before planning again.
     */
    record Unavailable(String reason) implements PublishResult {
    }

    /** Nothing to publish (for example {@code init} when a ring exists); the reason says why. */
    record Declined(String reason) implements PublishResult {
    }
}
