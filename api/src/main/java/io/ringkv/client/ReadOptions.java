package io.ringkv.client;

import java.util.Objects;

/**
 * Per-request read settings: the keyspace ("" means the client's default keyspace) and either a
 * consistency level or an explicit number {@code r} of replicas that must answer (0: use the level).
 */
public record ReadOptions(String keyspace, Consistency consistency, int r) {
    private static final ReadOptions DEFAULTS = new ReadOptions("", Consistency.DEFAULT, 0);

    public ReadOptions {
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(consistency, "consistency");
        if (r < 0) {
            throw new IllegalArgumentException("r must be >= 0, was " + r);
        }
        if (r > 0 && consistency != Consistency.DEFAULT) {
            // The wire format would let r win silently; refusing makes the caller say which one.
            throw new IllegalArgumentException("set either consistency or r, not both");
        }
    }

    /** The client's default keyspace and the keyspace's default R. */
    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    public ReadOptions withKeyspace(String keyspace) {
        return new ReadOptions(keyspace, consistency, r);
    }

    /** These options with {@code consistency}, replacing any explicit {@code r}. */
    public ReadOptions withConsistency(Consistency consistency) {
        return new ReadOptions(keyspace, consistency, 0);
    }

    /** These options with an explicit replica count, replacing any consistency level. */
    public ReadOptions withR(int r) {
        return new ReadOptions(keyspace, Consistency.DEFAULT, r);
    }
}
