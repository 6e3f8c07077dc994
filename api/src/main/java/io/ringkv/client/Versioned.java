package io.ringkv.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stored value and the hybrid-logical-clock time of the write that made it.
 *
 * <p>The array is handed over, not copied: the client keeps no reference to it, so the caller
 * owns it (values can be megabytes, and a defensive copy would double that).
 */
public record Versioned(byte[] value, long timestampMillis) {
    public Versioned {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Versioned other && timestampMillis == other.timestampMillis
                && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(value) + Long.hashCode(timestampMillis);
    }

    @Override
    public String toString() {
        return "Versioned[" + value.length + " bytes, timestampMillis=" + timestampMillis + "]";
    }
}
