package io.ringkv.coordinator.version;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The state of one key in a causal keyspace: a dotted version vector set (Almeida, Baquero et
 * al., "Scalable and Accurate Causality Tracking for Eventually Consistent Stores"; riak's
 * {@code dvvset.erl}). It holds every write not superseded by a write that saw it, each tagged
 * with a dot (replica id, counter), and one version vector covering everything it has seen.
 *
 * <p>Per replica id it keeps a counter {@code n} and the values of dots {@code n, n-1, ...,
 * n-k+1}, newest first; dots up to {@code n-k} are known and superseded. That shape suffices
 * because a context is a version vector, so a write supersedes a prefix of each replica's dots,
 * and only replica {@code r} mints dots {@code (r, _)}.
 *
 * <p>Two rules keep that true, and both are the caller's: {@link #update} runs at the replica
 * whose id it is given, on that replica's current stored set for the key, serialised per key
 * (two updates minting the same dot for different values lose one of them); and other replicas
 * take the result with {@link #sync}, never by re-running {@code update}. Immutable and
 * thread-safe.
 */
public final class DvvSet {
    private static final int FORMAT_V1 = 1;
    private static final String WHAT = "DVV set";
    private static final int FLAG_TOMBSTONE = 1;
    /** Smallest encoded entry: one-byte id with its length, counter and value count. */
    private static final int MIN_ENTRY_BYTES = 4;
    /** Smallest encoded sibling: flags, timestamp and length, one byte each. */
    private static final int MIN_SIBLING_BYTES = 3;
    private static final DvvSet EMPTY = new DvvSet(List.of());

    /** One replica's dots: {@code values.get(i)} is the value of dot {@code (id, counter - i)}. */
    private record Entry(String id, long counter, List<Sibling> values) {
        Entry {
            if (counter < 1 || values.size() > counter) {
                throw new IllegalArgumentException(id + ": " + values.size() + " values for counter " + counter);
            }
            values = List.copyOf(values);
        }
    }

    /** Sorted by id, unique ids. */
    private final List<Entry> entries;
    /** {@link #values()}, computed on first use; racy publication is safe, the list is immutable. */
    private List<Sibling> distinctValues;

    private DvvSet(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The state of a key never written. */
    public static DvvSet empty() {
        return EMPTY;
    }

    /**
     * The coordinator's write at replica {@code replicaId}: a new event that supersedes exactly
     * the siblings {@code context} covers and keeps every other sibling of this set as a
     * concurrent sibling. Called on the coordinator's own stored set; see the class comment.
     *
     * <p>A retry is not a new sibling: if this set already holds a sibling with the same content
     * and the context tells it nothing new (this set has seen all of it and holds none of the
     * siblings it covers), as when a client resubmits a put through the same coordinator, the
     * set is returned unchanged. Only such no-op writes are dropped, so a set's clock still
     * accounts for everything it knows: equal {@link #join()}s mean equal sets.
     *
     * @param context the causal context the client read, {@link VersionVector#empty()} for a blind write
     */
    public DvvSet update(VersionVector context, Sibling value, String replicaId) {
        Objects.requireNonNull(value, "value");
        Codec.checkId(replicaId);
        DvvSet seen = sync(fromContext(context), this);
        // sync only raises counters and drops siblings, so same clock and count mean nothing changed.
        boolean contextIsNews = seen.storedSize() != storedSize() || !seen.join().equals(join());
        if (!contextIsNews && holdsContent(value)) {
            return this;
        }
        return seen.event(replicaId, value);
    }

    private boolean holdsContent(Sibling value) {
        for (Entry e : entries) {
            for (Sibling s : e.values) {
                if (s.sameContent(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A write with no context: it supersedes nothing and becomes a sibling of everything here. */
    public DvvSet update(Sibling value, String replicaId) {
        return update(VersionVector.empty(), value, replicaId);
    }

    /**
     * Merges two replicas' states of one key: the result has seen everything either has and
     * keeps exactly the siblings that neither side knows to be superseded. Commutative,
     * associative and idempotent.
     */
    public static DvvSet sync(DvvSet a, DvvSet b) {
        if (a.entries.isEmpty()) {
            return b;
        }
        if (b.entries.isEmpty()) {
            return a;
        }
        List<Entry> merged = new ArrayList<>(a.entries.size() + b.entries.size());
        int i = 0;
        int j = 0;
        while (i < a.entries.size() || j < b.entries.size()) {
            if (j == b.entries.size()) {
                merged.add(a.entries.get(i++));
            } else if (i == a.entries.size()) {
                merged.add(b.entries.get(j++));
            } else {
                Entry x = a.entries.get(i);
                Entry y = b.entries.get(j);
                int order = x.id.compareTo(y.id);
                if (order < 0) {
                    merged.add(x);
                    i++;
                } else if (order > 0) {
                    merged.add(y);
                    j++;
                } else {
                    merged.add(merge(x, y));
                    i++;
                    j++;
                }
            }
        }
        return new DvvSet(merged);
    }

    /**
     * Two replicas' view of one id's dots. A dot's value survives if its dot is above both
     * sides' superseded prefix; the side with the larger counter holds every surviving value.
     */
    private static Entry merge(Entry x, Entry y) {
        Entry high = x.counter >= y.counter ? x : y;
        Entry low = high == x ? y : x;
        long highFloor = high.counter - high.values.size();
        long lowFloor = low.counter - low.values.size();
        if (highFloor >= lowFloor) {
            return high;
        }
        int keep = (int) (high.counter - lowFloor);
        return new Entry(high.id, high.counter, high.values.subList(0, keep));
    }

    /** A new dot at {@code replicaId} carrying {@code value}. */
    private DvvSet event(String replicaId, Sibling value) {
        List<Entry> next = new ArrayList<>(entries.size() + 1);
        boolean placed = false;
        for (Entry e : entries) {
            int order = e.id.compareTo(replicaId);
            if (order == 0) {
                List<Sibling> values = new ArrayList<>(e.values.size() + 1);
                values.add(value);
                values.addAll(e.values);
                next.add(new Entry(e.id, Math.addExact(e.counter, 1), values));
                placed = true;
            } else {
                if (order > 0 && !placed) {
                    next.add(new Entry(replicaId, 1, List.of(value)));
                    placed = true;
                }
                next.add(e);
            }
        }
        if (!placed) {
            next.add(new Entry(replicaId, 1, List.of(value)));
        }
        return new DvvSet(next);
    }

    private static DvvSet fromContext(VersionVector context) {
        Objects.requireNonNull(context, "context");
        List<Entry> entries = new ArrayList<>(context.counters().size());
        context.counters().forEach((id, counter) -> entries.add(new Entry(id, counter, List.of())));
        return new DvvSet(entries);
    }

    /** The causal context to hand a client that read this set: it covers every sibling here. */
    public VersionVector join() {
        TreeMap<String, Long> counters = new TreeMap<>();
        for (Entry e : entries) {
            counters.put(e.id, e.counter);
        }
        return new VersionVector(counters);
    }

    /**
     * The concurrent siblings a reader sees, each content once: siblings with equal content
     * (retries through different coordinators) are shown as one, with the latest timestamp so
     * a tombstone is purged no earlier than its newest copy allows. Empty if never written.
     */
    public List<Sibling> values() {
        List<Sibling> cached = distinctValues;
        if (cached == null) {
            cached = distinct();
            distinctValues = cached;
        }
        return cached;
    }

    private List<Sibling> distinct() {
        Map<Content, Sibling> byContent = new LinkedHashMap<>();
        for (Entry e : entries) {
            for (Sibling s : e.values) {
                byContent.merge(new Content(s), s,
                        (old, add) -> add.timestampMillis() > old.timestampMillis() ? add : old);
            }
        }
        return List.copyOf(byContent.values());
    }

    /** Hashes a sibling's content once, so grouping n siblings reads each value O(1) times. */
    private record Content(Sibling sibling, int hash) {
        Content(Sibling sibling) {
            this(sibling, 31 * Arrays.hashCode(sibling.value()) + Boolean.hashCode(sibling.tombstone()));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Content c && hash == c.hash && sibling.sameContent(c.sibling);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The number of siblings a reader sees: {@code values().size()}. */
    public int size() {
        return values().size();
    }

    /**
     * The number of siblings stored, counting separately equal-content siblings that {@link
     * #values()} shows once; what a cap on a key's stored size should count.
     */
    public int storedSize() {
        int n = 0;
        for (Entry e : entries) {
            n += e.values.size();
        }
        return n;
    }

    /** True if {@code other} has seen strictly more than this set: this set is obsolete. */
    public boolean less(DvvSet other) {
        return join().compare(other.join()) == Causality.BEFORE;
    }

    /**
     * Encodes as {@code [format][varint entries]}, per replica id in order {@code [varint
     * idLength][id][varint counter][varint valueCount]}, per value newest first {@code
     * [flags][varint timestampMillis][varint length][bytes]}, then a CRC32C of all of that.
     * One allocation of the exact size; each value is copied once.
     */
    public byte[] encode() {
        byte[][] ids = new byte[entries.size()][];
        long size = 1 + Codec.varintSize(entries.size()) + Codec.CRC_BYTES;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            ids[i] = Codec.idBytes(e.id);
            size += Codec.varintSize(ids[i].length) + ids[i].length + Codec.varintSize(e.counter)
                    + Codec.varintSize(e.values.size());
            for (Sibling s : e.values) {
                size += 1 + Codec.varintSize(s.timestampMillis()) + Codec.varintSize(s.value().length)
                        + s.value().length;
            }
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("DVV set of " + size + " bytes is too large to encode");
        }
        Codec.Writer out = new Codec.Writer((int) size).put(FORMAT_V1).varint(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            out.lengthPrefixed(ids[i]).varint(e.counter).varint(e.values.size());
            for (Sibling s : e.values) {
                out.put(s.tombstone() ? FLAG_TOMBSTONE : 0).varint(s.timestampMillis()).lengthPrefixed(s.value());
            }
        }
        return out.finishWithCrc();
    }

    /**
     * Decodes what {@link #encode()} wrote; the returned set owns fresh copies of the values.
     *
     * @throws IllegalArgumentException if {@code bytes} is truncated, garbled (checksum) or not
     *                                  canonical; never returns a wrong set
     */
    public static DvvSet decode(byte[] bytes) {
        Codec.Reader in = Codec.Reader.checked(bytes, 2, WHAT);
        int format = in.u8();
        if (format != FORMAT_V1) {
            throw in.corrupt("unknown format " + format);
        }
        int count = (int) in.varint(in.remaining() / MIN_ENTRY_BYTES, "entry count");
        List<Entry> entries = new ArrayList<>(count);
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
            long maxValues = Math.min(counter, in.remaining() / MIN_SIBLING_BYTES);
            int valueCount = (int) in.varint(maxValues, "value count");
            List<Sibling> values = new ArrayList<>(valueCount);
            for (int v = 0; v < valueCount; v++) {
                int flags = in.u8();
                if ((flags & ~FLAG_TOMBSTONE) != 0) {
                    throw in.corrupt("unknown sibling flags " + flags);
                }
                long timestampMillis = in.varint(Long.MAX_VALUE, "timestampMillis");
                int length = (int) in.varint(in.remaining(), "value length");
                boolean tombstone = (flags & FLAG_TOMBSTONE) != 0;
                if (tombstone && length != 0) {
                    throw in.corrupt("tombstone with a " + length + "-byte value");
                }
                values.add(new Sibling(in.bytes(length), tombstone, timestampMillis));
            }
            entries.add(new Entry(id, counter, values));
            previous = id;
        }
        in.expectEnd();
        return new DvvSet(entries);
    }

    /** Equal sets have seen the same events and hold the same siblings under the same dots. */
    @Override
    public boolean equals(Object o) {
        return o instanceof DvvSet other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DvvSet[");
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            sb.append(i == 0 ? "" : ", ").append(e.id).append(':').append(e.counter).append(e.values);
        }
        return sb.append(']').toString();
    }
}
