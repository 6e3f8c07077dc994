package io.ringkv.coordinator.request;

import io.ringkv.coordinator.transport.ReplicaWrite;

/**
 * Where a coordinated write goes for a replica that did not acknowledge it: the replica failed,
 * timed out, answered after the outcome with a failure, or was still silent at the deadline.
 * {@code target} is never the coordinator itself and {@code write} is a plain write (not marked
 * as a hint). Implementations keep it for later delivery or drop it; they return quickly, never
 * throw, and never change the write's outcome: a hint does not count toward W.
 */
@FunctionalInterface
public interface HintSink {
    void hint(String target, ReplicaWrite write);

    /** Keeps nothing: a node without hinted handoff. */
    HintSink NONE = (target, write) -> { };
}
