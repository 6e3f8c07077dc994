package io.ringkv.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * An acknowledged write: the causal context of the value just written (for a later conditional
 * put), its timestamp, and the serving node's ring epoch.
 */
public record PutResult(byte[] context, long timestampMillis, long ringEpoch) {
    public PutResult {
        Objects.requireNonNull(context, "context");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PutResult other && timestampMillis == other.timestampMillis
                && ringEpoch == other.ringEpoch && Arrays.equals(context, other.context);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(context), timestampMillis, ringEpoch);
    }

    @Override
    public String toString() {
        return "PutResult[context=" + context.length + " bytes, timestampMillis=" + timestampMillis
                + ", ringEpoch=" + ringEpoch + "]";
    }
}
