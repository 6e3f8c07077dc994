package io.ringkv.client;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a read found: nothing, one value, or several concurrent siblings (CAUSAL keyspaces), with
 * the opaque causal context to pass to the next put of the key and the serving node's ring epoch.
 *
 * <p>Arrays are handed over, not copied (see {@link Versioned}).
 */
public record GetResult(boolean found, List<Versioned> values, byte[] context, long ringEpoch) {
    public GetResult {
        values = List.copyOf(values);
        Objects.requireNonNull(context, "context");
    }

    /**
     * The value with the newest timestamp, if any. In an LWW keyspace that is the value; with
     * siblings it silently picks one, so CAUSAL applications should merge {@link #values()} instead.
     */
    public Optional<Versioned> latest() {
        return values.stream().max(Comparator.comparingLong(Versioned::timestampMillis));
    }

    /** True when concurrent writes left more than one value for the application to merge. */
    public boolean hasSiblings() {
        return values.size() > 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GetResult other && found == other.found && ringEpoch == other.ringEpoch
                && values.equals(other.values) && Arrays.equals(context, other.context);
    }

    @Override
    public int hashCode() {
        return Objects.hash(found, values, Arrays.hashCode(context), ringEpoch);
    }

    @Override
    public String toString() {
        return "GetResult[found=" + found + ", values=" + values + ", context=" + context.length
                + " bytes, ringEpoch=" + ringEpoch + "]";
    }
}
