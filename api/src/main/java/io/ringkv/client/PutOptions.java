package io.ringkv.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-request write settings: keyspace ("" means the client's default), consistency or explicit
 * {@code w}, the causal {@code context} this write supersedes (from a get), and the conditions
 * {@code ifAbsent} / {@code ifMatch} (a lost condition fails with {@link ConditionFailedException}).
 *
 * <p>Byte arrays are copied in and out, so options can be shared between threads.
 */
public record PutOptions(String keyspace, Consistency consistency, int w, byte[] context,
                         boolean ifAbsent, byte[] ifMatch) {
    private static final PutOptions DEFAULTS =
            new PutOptions("", Consistency.DEFAULT, 0, new byte[0], false, new byte[0]);

    public PutOptions {
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(consistency, "consistency");
        context = Objects.requireNonNull(context, "context").clone();
        ifMatch = Objects.requireNonNull(ifMatch, "ifMatch").clone();
        if (w < 0) {
            throw new IllegalArgumentException("w must be >= 0, was " + w);
        }
        if (w > 0 && consistency != Consistency.DEFAULT) {
            throw new IllegalArgumentException("set either consistency or w, not both");
        }
        if (ifAbsent && ifMatch.length > 0) {
            throw new IllegalArgumentException("ifAbsent and ifMatch contradict each other");
        }
    }

    /** A blind write to the client's default keyspace with the keyspace's default W. */
    public static PutOptions defaults() {
        return DEFAULTS;
    }

    public PutOptions withKeyspace(String keyspace) {
        return new PutOptions(keyspace, consistency, w, context, ifAbsent, ifMatch);
    }

    /** These options with {@code consistency}, replacing any explicit {@code w}. */
    public PutOptions withConsistency(Consistency consistency) {
        return new PutOptions(keyspace, consistency, 0, context, ifAbsent, ifMatch);
    }

    /** These options with an explicit acknowledgement count, replacing any consistency level. */
    public PutOptions withW(int w) {
        return new PutOptions(keyspace, Consistency.DEFAULT, w, context, ifAbsent, ifMatch);
    }

    /** These options superseding the values read with {@code context} ({@link GetResult#context()}). */
    public PutOptions withContext(byte[] context) {
        return new PutOptions(keyspace, consistency, w, context, ifAbsent, ifMatch);
    }

    /** These options succeeding only if the key has no live value. */
    public PutOptions withIfAbsent(boolean ifAbsent) {
        return new PutOptions(keyspace, consistency, w, context, ifAbsent, ifMatch);
    }

    /** These options succeeding only if the key's current causal context equals {@code ifMatch}. */
    public PutOptions withIfMatch(byte[] ifMatch) {
        return new PutOptions(keyspace, consistency, w, context, ifAbsent, ifMatch);
    }

    @Override
    public byte[] context() {
        return context.clone();
    }

    @Override
    public byte[] ifMatch() {
        return ifMatch.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PutOptions other && keyspace.equals(other.keyspace)
                && consistency == other.consistency && w == other.w && ifAbsent == other.ifAbsent
                && Arrays.equals(context, other.context) && Arrays.equals(ifMatch, other.ifMatch);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyspace, consistency, w, ifAbsent, Arrays.hashCode(context), Arrays.hashCode(ifMatch));
    }

    @Override
    public String toString() {
        return "PutOptions[keyspace=" + keyspace + ", consistency=" + consistency + ", w=" + w
                + ", context=" + context.length + " bytes, ifAbsent=" + ifAbsent
                + ", ifMatch=" + ifMatch.length + " bytes]";
    }
}
