package io.ringkv.coordinator.version;

/** How one causal history relates to another: the answer of {@link VersionVector#compare}. */
public enum Causality {
    /** This happened before the other: the other has seen everything this has, and more. */
    BEFORE,
    /** This happened after the other: this has seen everything the other has, and more. */
    AFTER,
    /** Both have seen exactly the same events. */
    EQUAL,
    /** Each has seen something the other has not: concurrent writes, to be kept as siblings. */
    CONCURRENT;

    /** The same relation seen from the other side. */
    public Causality reverse() {
        return switch (this) {
            case BEFORE -> AFTER;
            case AFTER -> BEFORE;
            case EQUAL, CONCURRENT -> this;
        };
    }
}
