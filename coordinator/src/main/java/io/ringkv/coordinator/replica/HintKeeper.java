package io.ringkv.coordinator.replica;

import io.ringkv.coordinator.transport.ReplicaWrite;

/**
 * Where a replica puts a write it receives as a sloppy-quorum fallback ({@link ReplicaWrite#isHint()}):
 * kept for the named primary, not applied. Throws when it cannot keep it (store full, the primary
 * down too long), so the fallback does not acknowledge and the write does not count toward W.
 */
@FunctionalInterface
public interface HintKeeper {
    void keep(ReplicaWrite write);

    /** For nodes that keep no hints: every hinted write is refused. */
    HintKeeper REFUSE = w -> {
        throw new IllegalStateException("this node keeps no hints (hint for " + w.hintFor() + ")");
    };
}
