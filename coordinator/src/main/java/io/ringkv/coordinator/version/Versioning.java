package io.ringkv.coordinator.version;

import java.util.List;
import java.util.Objects;

/**
 * What the replica layer needs of a keyspace's conflict mode, for a key's state {@code S}:
 * stamp a coordinator's write, merge two replicas' states (write apply, read repair, handoff,
 * anti-entropy), and show siblings and the causal context to a reader. Storage encoding stays
 * with the caller ({@link LwwVersion#encode()}, {@link DvvSet#encode()}).
 *
 * @param <S> the stored state of one key
 */
public sealed interface Versioning<S> permits Versioning.Lww, Versioning.Causal {

    /**
     * The coordinator's new state for a write over its stored state.
     *
     * @param stored  the coordinator's current state of the key, {@code null} if absent
     * @param context the opaque context the client read, empty for a blind write
     * @throws IllegalArgumentException if {@code context} is malformed
     */
    S write(S stored, byte[] context, Sibling value);

    /** Merges two replicas' states of one key; commutative, associative and idempotent. */
    S merge(S a, S b);

    /** The values a reader sees, tombstones included. */
    List<Sibling> siblings(S state);

    /** The opaque context a reader gets back, to pass with its next write. */
    byte[] context(S state);

    static Lww lww(HybridLogicalClock clock, String nodeId) {
        return new Lww(clock, nodeId);
    }

    static Causal causal(String replicaId) {
        return new Causal(replicaId);
    }

    /** A last-writer-wins key's state: the winning write and its version. */
    record LwwValue(LwwVersion version, Sibling sibling) {
        public LwwValue {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(sibling, "sibling");
        }
    }

    /** Last writer wins by hybrid logical clock, ties by node id; concurrent writes lose all but one. */
    final class Lww implements Versioning<LwwValue> {
        private final HybridLogicalClock clock;
        private final String nodeId;

        private Lww(HybridLogicalClock clock, String nodeId) {
            this.clock = Objects.requireNonNull(clock, "clock");
            this.nodeId = Codec.checkId(nodeId);
        }

        /**
         * Stamps the write later than both the stored version and the version the client read,
         * so a client's write wins over what it saw even when this node's clock lags.
         *
         * @throws ClockDriftException if either version is too far ahead of this node's clock
         */
        @Override
        public LwwValue write(LwwValue stored, byte[] context, Sibling value) {
            Objects.requireNonNull(value, "value");
            if (context.length > 0) {
                clock.observe(LwwVersion.decode(context).hlc());
            }
            if (stored != null) {
                clock.observe(stored.version().hlc());
            }
            return new LwwValue(new LwwVersion(clock.now(), nodeId), value);
        }

        @Override
        public LwwValue merge(LwwValue a, LwwValue b) {
            return b.version().isNewerThan(a.version()) ? b : a;
        }

        @Override
        public List<Sibling> siblings(LwwValue state) {
            return List.of(state.sibling());
        }

        @Override
        public byte[] context(LwwValue state) {
            return state.version().encode();
        }
    }

    /** Dotted version vector sets: every concurrent write is kept as a sibling. */
    final class Causal implements Versioning<DvvSet> {
        private final String replicaId;

        private Causal(String replicaId) {
            this.replicaId = Codec.checkId(replicaId);
        }

        /** Must run on this replica's stored set, serialised per key; see {@link DvvSet}. */
        @Override
        public DvvSet write(DvvSet stored, byte[] context, Sibling value) {
            VersionVector seen = context.length == 0 ? VersionVector.empty() : VersionVector.decode(context);
            return (stored == null ? DvvSet.empty() : stored).update(seen, value, replicaId);
        }

        @Override
        public DvvSet merge(DvvSet a, DvvSet b) {
            return DvvSet.sync(a, b);
        }

        @Override
        public List<Sibling> siblings(DvvSet state) {
            return state.values();
        }

        @Override
        public byte[] context(DvvSet state) {
            return state.join().encode();
        }
    }
}
