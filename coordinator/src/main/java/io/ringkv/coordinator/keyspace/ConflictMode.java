package io.ringkv.coordinator.keyspace;

import java.util.Locale;

/** How a keyspace orders concurrent writes. */
public enum ConflictMode {
    /** Hybrid logical clock timestamps: the latest write wins, concurrent ones are lost. */
    LWW,
    /** Dotted version vectors: concurrent writes are kept as siblings for the application to merge. */
    CAUSAL;

    public static ConflictMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad conflict mode '" + text + "': expected lww or causal");
        }
    }
}
