package io.ringkv.coordinator.version;

import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.VersionKind;
import java.util.List;

/**
 * Merges stored records by their versions: the one rule replicas apply on write and
 * coordinators apply when reconciling reads. LWW keeps the record with the greater
 * {@link LwwVersion}; CAUSAL records hold a {@link DvvSet} as their value and merge by
 * {@link DvvSet#sync}.
 */
public final class Records {
    private Records() {
    }

    /**
     * The merge of {@code stored} (may be null) and {@code incoming}. Returns {@code stored}
     * itself when the incoming record adds nothing, so callers can skip a write.
     */
    public static Record merge(Record stored, Record incoming) {
        if (stored == null) {
            return incoming;
        }
        requireSameKind(stored.kind(), incoming.kind());
        if (stored.kind() == VersionKind.LWW) {
            return newerLww(incoming.version(), stored.version()) ? incoming : stored;
        }
        DvvSet mine = DvvSet.decode(stored.value());
        DvvSet merged = DvvSet.sync(mine, DvvSet.decode(incoming.value()));
        return merged.equals(mine) ? stored : causal(merged);
    }

    /** Refuses to merge records of two conflict modes: the keyspace's mode changed under stored data. */
    public static void requireSameKind(VersionKind stored, VersionKind incoming) {
        if (stored != incoming) {
            throw new IllegalArgumentException("cannot merge a " + incoming + " record into a "
                    + stored + " one: the keyspace's conflict mode changed");
        }
    }

    /** Whether a last-writer-wins record of {@code incoming} version supersedes one of {@code stored} version. */
    public static boolean newerLww(byte[] incoming, byte[] stored) {
        return LwwVersion.decode(incoming).compareTo(LwwVersion.decode(stored)) > 0;
    }

    /** The record that holds a causal set: version = its context, tombstone when every sibling is one. */
    public static Record causal(DvvSet set) {
        List<Sibling> siblings = set.values();
        boolean allDeleted = !siblings.isEmpty() && siblings.stream().allMatch(Sibling::tombstone);
        long writeTime = siblings.stream().mapToLong(Sibling::timestampMillis).max().orElse(0);
        return new Record(VersionKind.CAUSAL, set.join().encode(), allDeleted, writeTime, set.encode());
    }

    /** True when {@code a} and {@code b} hold the same version (and so the same content). */
    public static boolean sameVersion(Record a, Record b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.kind() != b.kind()) {
            return false;
        }
        return a.kind() == VersionKind.LWW ? java.util.Arrays.equals(a.version(), b.version())
                : DvvSet.decode(a.value()).equals(DvvSet.decode(b.value()));
    }
}
