package io.ringkv.coordinator.keyspace;

import io.ringkv.storage.Namespace;
import java.util.regex.Pattern;

/**
 * A named keyspace: replication factor {@code n}, default read and write quorums, conflict mode,
 * and whether writes use a sloppy quorum (live fallbacks stand in for down primaries, keep the
 * write as a hint for them and count toward W; default false: only true replicas count).
 * Its records live in their own storage namespace.
 */
public record Keyspace(String name, int n, int r, int w, ConflictMode mode, boolean sloppy) {
    public static final String DEFAULT_NAME = "default";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");

    public Keyspace {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad keyspace name '" + name
                    + "': lower-case letters, digits and '_', starting with a letter, at most 48");
        }
        if (n < 1 || n > 16) {
            throw new IllegalArgumentException("keyspace " + name + ": N must be in [1, 16], was " + n);
        }
        if (r < 1 || r > n) {
            throw new IllegalArgumentException("keyspace " + name + ": R must be in [1, N=" + n + "], was " + r);
        }
        if (w < 1 || w > n) {
            throw new IllegalArgumentException("keyspace " + name + ": W must be in [1, N=" + n + "], was " + w);
        }
    }

    /** A keyspace with a strict quorum. */
    public Keyspace(String name, int n, int r, int w, ConflictMode mode) {
        this(name, n, r, w, mode, false);
    }

    /** The keyspace every cluster has: N=3, R=2, W=2, last writer wins. */
    public static Keyspace defaultKeyspace() {
        return new Keyspace(DEFAULT_NAME, 3, 2, 2, ConflictMode.LWW);
    }

    /** The storage namespace of this keyspace's records. */
    public Namespace namespace() {
        return name.equals(DEFAULT_NAME) ? Namespace.DATA : new Namespace("ks_" + name);
    }
}
