package io.ringkv.coordinator.version;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A version vector: for each replica id, how many of that replica's events are known. Absent
 * ids count 0, and zero entries are dropped, so equal vectors are equal records.
 *
 * <p>This is the opaque causal context a client reads and passes back with its next write.
 * Encoded as {@code [format][varint count]} then, per replica in id order, {@code [varint
 * idLength][id UTF-8][varint counter]}; the encoding is canonical (one byte string per vector).
 */
public record VersionVector(SortedMap<String, Long> counters) {
    private static final int FORMAT_V1 = 1;
    private static final String WHAT = "version vector";
    /** Smallest encoded entry: a one-byte id with its length and a one-byte counter. */
    private static final int MIN_ENTRY_BYTES = 3;
    private static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

    public VersionVector {
        Objects.requireNonNull(counters, "counters");
        TreeMap<String, Long> copy = new TreeMap<>();
        counters.forEach((id, counter) -> {
            Codec.checkId(id);
            if (counter == null || counter < 0) {
                throw new IllegalArgumentException("counter for " + id + " is " + counter);
            }
            if (counter > 0) {
                copy.put(id, counter);
            }
        });
        counters = Collections.unmodifiableSortedMap(copy);
    }

    public static VersionVector empty() {
        return EMPTY;
    }

    public static VersionVector of(Map<String, Long> counters) {
        return new VersionVector(new TreeMap<>(counters));
    }

    /** How many of {@code replicaId}'s events this vector has seen; 0 if none. */
    public long counter(String replicaId) {
        return counters.getOrDefault(replicaId, 0L);
    }

    public boolean isEmpty() {
        return counters.isEmpty();
    }

    /** This vector with {@code replicaId}'s counter one higher: a new event at that replica. */
    public VersionVector increment(String replicaId) {
        TreeMap<String, Long> next = new TreeMap<>(counters);
        next.merge(replicaId, 1L, Math::addExact);
        return new VersionVector(next);
    }

    /** The least vector that descends both: the pointwise maximum. */
    public VersionVector merge(VersionVector other) {
        TreeMap<String, Long> next = new TreeMap<>(counters);
        other.counters.forEach((id, counter) -> next.merge(id, counter, Math::max));
        return new VersionVector(next);
    }

    /** True if this vector has seen everything {@code other} has (equal vectors descend each other). */
    public boolean descends(VersionVector other) {
        for (Map.Entry<String, Long> e : other.counters.entrySet()) {
            if (counter(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** How this vector's history relates to {@code other}'s. */
    public Causality compare(VersionVector other) {
        boolean thisDescends = descends(other);
        boolean otherDescends = other.descends(this);
        if (thisDescends && otherDescends) {
            return Causality.EQUAL;
        }
        if (thisDescends) {
            return Causality.AFTER;
        }
        return otherDescends ? Causality.BEFORE : Causality.CONCURRENT;
    }

    public byte[] encode() {
        byte[][] ids = new byte[counters.size()][];
        int size = 1 + Codec.varintSize(counters.size());
        int i = 0;
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            ids[i] = Codec.idBytes(e.getKey());
            size += Codec.varintSize(ids[i].length) + ids[i].length + Codec.varintSize(e.getValue());
            i++;
        }
        Codec.Writer out = new Codec.Writer(size).put(FORMAT_V1).varint(counters.size());
        Iterator<Long> values = counters.values().iterator();
        for (byte[] id : ids) {
            out.lengthPrefixed(id).varint(values.next());
        }
        return out.finish();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not exactly one canonically encoded vector */
    public static VersionVector decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        Codec.Reader in = new Codec.Reader(bytes, 0, bytes.length, WHAT);
        int format = in.u8();
        if (format != FORMAT_V1) {
            throw in.corrupt("unknown format " + format);
        }
        TreeMap<String, Long> counters = readEntries(in);
        in.expectEnd();
        return new VersionVector(counters);
    }

    private static TreeMap<String, Long> readEntries(Codec.Reader in) {
        int count = (int) in.varint(in.remaining() / MIN_ENTRY_BYTES, "entry count");
        TreeMap<String, Long> counters = new TreeMap<>();
        String previous = null;
        for (int i = 0; i < count; i++) {
            String id = in.id();
            if (previous != null && previous.compareTo(id) >= 0) {
                throw in.corrupt("replica ids not in strictly increasing order");
            }
            long counter = in.varint(Long.MAX_VALUE, "counter");
            if (counter == 0) {
                throw in.corrupt("zero counter for " + id);
            }
            counters.put(id, counter);
            previous = id;
        }
        return counters;
    }
}
