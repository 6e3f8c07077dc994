package io.ringkv.storage.record;

/** How a record's opaque version bytes are to be read. */
public enum VersionKind {
    /** A hybrid-logical-clock timestamp and node id: last writer wins. */
    LWW,
    /** A dotted version vector set: the value holds every concurrent sibling. */
    CAUSAL
}
