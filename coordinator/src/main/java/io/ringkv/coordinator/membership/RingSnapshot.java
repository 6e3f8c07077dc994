package io.ringkv.coordinator.membership;

import io.ringkv.coordinator.ring.Ring;
import java.util.Objects;
import java.util.Optional;

/**
 * What the ring key held when it was read: the ring (empty if the key did not exist) and the key's
 * ModifyIndex (0 if it did not exist). A publish names the snapshot it was planned from and is
 * refused if the key has changed since (check-and-set on {@code modifyIndex}).
 */
public record RingSnapshot(Optional<Ring> ring, long modifyIndex) {

    /** The key does not exist: a publish planned from this creates it (cas=0). */
    public static final RingSnapshot ABSENT = new RingSnapshot(Optional.empty(), 0);

    public RingSnapshot {
        Objects.requireNonNull(ring, "ring must not be null (use Optional.empty())");
        if (modifyIndex < 0 || (ring.isEmpty() != (modifyIndex == 0))) {
            throw new IllegalArgumentException("a snapshot has a ring exactly when its ModifyIndex is positive, got "
                    + ring.map(Ring::toString).orElse("no ring") + " at index " + modifyIndex);
        }
    }

    /** The stored ring's epoch, 0 when there is none. */
    public long epoch() {
        return ring.map(Ring::epoch).orElse(0L);
    }
}
