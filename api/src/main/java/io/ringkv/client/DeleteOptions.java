package io.ringkv.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-request delete settings: keyspace ("" means the client's default), consistency or explicit
 * {@code w}, and the causal {@code context} the tombstone supersedes (from a get).
 */
public record DeleteOptions(String keyspace, Consistency consistency, int w, byte[] context) {
    private static final DeleteOptions DEFAULTS = new DeleteOptions("", Consistency.DEFAULT, 0, new byte[0]);

    public DeleteOptions {
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(consistency, "consistency");
        context = Objects.requireNonNull(context, "context").clone();
        if (w < 0) {
            throw new IllegalArgumentException("w must be >= 0, was " + w);
        }
        if (w > 0 && consistency != Consistency.DEFAULT) {
            throw new IllegalArgumentException("set either consistency or w, not both");
        }
    }

    /** A blind delete in the client's default keyspace with the keyspace's default W. */
    public static DeleteOptions defaults() {
        return DEFAULTS;
    }

    public DeleteOptions withKeyspace(String keyspace) {
        return new DeleteOptions(keyspace, consistency, w, context);
    }

    /** These options with {@code consistency}, replacing any explicit {@code w}. */
    public DeleteOptions withConsistency(Consistency consistency) {
        return new DeleteOptions(keyspace, consistency, 0, context);
    }

    /** These options with an explicit acknowledgement count, replacing any consistency level. */
    public DeleteOptions withW(int w) {
        return new DeleteOptions(keyspace, Consistency.DEFAULT, w, context);
    }

    public DeleteOptions withContext(byte[] context) {
        return new DeleteOptions(keyspace, consistency, w, context);
    }

    @Override
    public byte[] context() {
        return context.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeleteOptions other && keyspace.equals(other.keyspace)
                && consistency == other.consistency && w == other.w && Arrays.equals(context, other.context);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyspace, consistency, w, Arrays.hashCode(context));
    }

    @Override
    public String toString() {
        return "DeleteOptions[keyspace=" + keyspace + ", consistency=" + consistency + ", w=" + w
                + ", context=" + context.length + " bytes]";
    }
}
