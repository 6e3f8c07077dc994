package io.ringkv.coordinator.version;

import java.util.Arrays;
import java.util.Objects;

/**
 * One written value of a key, or a tombstone for a delete, with the coordinator's write time
 * (used to purge tombstones after the grace period). In a causal keyspace a delete is a
 * sibling like any write, so a delete concurrent with a write keeps both.
 *
 * <p>The value array is owned by the sibling and is not copied, since values can be megabytes:
 * callers hand it over and must not modify it afterwards, nor the array {@link #value()}
 * returns. Equality compares contents.
 */
public record Sibling(byte[] value, boolean tombstone, long timestampMillis) {
    private static final byte[] EMPTY = new byte[0];

    public Sibling {
        Objects.requireNonNull(value, "value");
        if (tombstone && value.length != 0) {
            throw new IllegalArgumentException("a tombstone carries no value, got " + value.length + " bytes");
        }
        if (timestampMillis < 0) {
            throw new IllegalArgumentException("timestampMillis " + timestampMillis + " is negative");
        }
    }

    public static Sibling of(byte[] value, long timestampMillis) {
        return new Sibling(value, false, timestampMillis);
    }

    public static Sibling tombstone(long timestampMillis) {
        return new Sibling(EMPTY, true, timestampMillis);
    }

    /**
     * True if both write the same thing: equal bytes and both deletes or both not, whatever
     * their timestamps. Such siblings are one value to a reader.
     */
    public boolean sameContent(Sibling other) {
        return tombstone == other.tombstone && Arrays.equals(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sibling s && timestampMillis == s.timestampMillis && sameContent(s);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tombstone, timestampMillis, Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return tombstone
                ? "Sibling[tombstone, timestampMillis=" + timestampMillis + "]"
                : "Sibling[" + value.length + " bytes, timestampMillis=" + timestampMillis + "]";
    }
}
