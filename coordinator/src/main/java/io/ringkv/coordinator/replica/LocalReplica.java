package io.ringkv.coordinator.replica;

import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.version.DvvSet;
import io.ringkv.coordinator.version.Records;
import io.ringkv.coordinator.version.Sibling;
import io.ringkv.coordinator.version.VersionVector;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import io.ringkv.storage.record.VersionKind;
import java.util.concurrent.CompletableFuture;

/**
 * The records this node holds as a replica. Writes merge by version under the engine's per-key
 * lock, so concurrent writes of one key never lose each other; an older version than the stored
 * one is acknowledged and ignored, which makes replica writes idempotent and safe to repeat
 * (read repair, hints, retries).
 */
public final class LocalReplica {
    private final ChunkingEngine engine;
    private final Keyspaces keyspaces;
    private final StorageLimits limits;
    private final HintKeeper hints;

    public LocalReplica(ChunkingEngine engine, Keyspaces keyspaces, StorageLimits limits) {
        this(engine, keyspaces, limits, HintKeeper.REFUSE);
    }

    /** A replica whose sloppy-quorum hints (writes meant for another node) go to {@code hints}. */
    public LocalReplica(ChunkingEngine engine, Keyspaces keyspaces, StorageLimits limits, HintKeeper hints) {
        this.engine = engine;
        this.keyspaces = keyspaces;
        this.limits = limits;
        this.hints = hints;
    }

    /**
     * Merges the write into the stored record: an older version is acknowledged and dropped. A
     * write marked as a hint for another node is handed to the hint keeper instead. Returns once
     * the write is durable.
     */
    public void apply(ReplicaWrite write) {
        StorageEngine.awaitDurable(applyAsync(write));
    }

    /**
     * {@link #apply}, returning once the write is applied (readable): the future completes when it
     * is durable. A hint is kept before this returns.
     */
    public CompletableFuture<Void> applyAsync(ReplicaWrite write) {
        if (write.isHint()) {
            keyspaces.resolve(write.keyspace());
            hints.keep(write);
            return CompletableFuture.completedFuture(null);
        }
        return update(write, false).durable();
    }

    /**
     * {@link #applyAsync} of a write that {@link #appliesWithoutWaiting}, or {@code null}, with
     * nothing done, when the key's lock is held by another writer right now: an event loop's way to
     * apply a write without ever waiting for a lock.
     */
    public CompletableFuture<Void> tryApplyAsync(ReplicaWrite write) {
        if (!appliesWithoutWaiting(write)) {
            return null;
        }
        ChunkingEngine.Updated updated = update(write, true);
        return updated == null ? null : updated.durable();
    }

    /** Merges {@code write} in under the key's lock; with {@code onlyIfFree}, null when another writer holds it. */
    private ChunkingEngine.Updated update(ReplicaWrite write, boolean onlyIfFree) {
        Keyspace ks = keyspaces.resolve(write.keyspace());
        byte[] key = StorageKeys.encode(write.key(), limits);
        // The incoming record is what a write most likely stores: a large one has its chunks written
        // before the key's lock, which small writes of the key then never wait behind.
        if (write.record().kind() == VersionKind.LWW) {
            return onlyIfFree ? engine.tryUpdateByHeadAsync(ks.namespace(), key, PROBE_PREFIX_BYTES, mergeLww(write))
                    : engine.updateByHeadAsync(ks.namespace(), key, PROBE_PREFIX_BYTES, write.encoded(), mergeLww(write));
        }
        return onlyIfFree ? engine.tryUpdateAsync(ks.namespace(), key, merge(write))
                : engine.updateAsync(ks.namespace(), key, write.encoded(), merge(write));
    }

    /**
     * {@link #merge} of a last-writer-wins record, from the stored record's head alone: the newer
     * version wins whatever the values, so replacing a record of megabytes (by a small one, say, on an
     * event loop) reads its first chunk's head instead of every chunk.
     */
    private static java.util.function.UnaryOperator<byte[]> mergeLww(ReplicaWrite write) {
        return current -> {
            if (current == null) {
                return write.encoded();
            }
            RecordCodec.Head head = RecordCodec.headOf(current);
            if (head == null) {
                throw new io.ringkv.storage.record.CorruptRecordException(
                        "the stored record's header does not fit in its first " + current.length + " bytes");
            }
            Records.requireSameKind(head.kind(), VersionKind.LWW);
            return Records.newerLww(write.record().version(), head.version()) ? write.encoded() : current;
        };
    }

    /** Merges a replica write into the stored record: an older version keeps the stored one. */
    private static java.util.function.UnaryOperator<byte[]> merge(ReplicaWrite write) {
        return current -> {
            if (current == null) {
                return write.encoded();
            }
            Record old = RecordCodec.decode(current);
            Record merged = Records.merge(old, write.record());
            if (merged == old) {
                return current;
            }
            return merged == write.record() ? write.encoded() : RecordCodec.encode(merged);
        };
    }

    /** Records above this many encoded bytes are stored in chunks: large records. */
    public int largeRecordBytes() {
        return engine.config().thresholdBytes();
    }

    /** Whether {@code write} is not a hint and its record is stored in chunks: megabytes to copy and checksum. */
    public boolean isLarge(ReplicaWrite write) {
        return !write.isHint() && write.encoded().length > engine.config().thresholdBytes();
    }

    /**
     * Whether {@link #applyAsync} of {@code write} returns without waiting on I/O other than the
     * log append (no hint store, no chunks of a large value), so an event loop may call it.
     */
    private boolean appliesWithoutWaiting(ReplicaWrite write) {
        return !write.isHint() && !isLarge(write);
    }

    /**
     * Coordinates a write in a CAUSAL keyspace on this replica: under the key's lock, applies
     * {@code sibling} as a new event of {@code selfId} that supersedes what {@code context} saw,
     * stores the resulting set and returns it as a record for the other replicas to merge.
     */
    public Record coordinateCausal(Keyspace ks, String key, VersionVector context, Sibling sibling, String selfId) {
        byte[] stored = engine.update(ks.namespace(), StorageKeys.encode(key, limits), current -> {
            DvvSet set = current == null ? DvvSet.empty() : DvvSet.decode(RecordCodec.decode(current).value());
            return RecordCodec.encode(Records.causal(set.update(context, sibling, selfId)));
        });
        return RecordCodec.decode(stored);
    }

    /** This replica's record of a key, or null. */
    public Record get(String keyspace, String key) {
        Keyspace ks = keyspaces.resolve(keyspace);
        byte[] raw = engine.get(ks.namespace(), StorageKeys.encode(key, limits));
        return raw == null ? null : RecordCodec.decode(raw);
    }

    /** This replica's encoded record of a key, or null: what the replica service sends as is. */
    public byte[] getEncoded(String keyspace, String key) {
        Keyspace ks = keyspaces.resolve(keyspace);
        return engine.get(ks.namespace(), StorageKeys.encode(key, limits));
    }

    /**
     * {@link #getEncoded} when the record is stored inline, {@link ChunkingEngine.InlineValue#CHUNKED}
     * (nothing read but the record's frame) when it is in chunks, null when absent.
     */
    public ChunkingEngine.InlineValue tryGetEncoded(String keyspace, String key) {
        Keyspace ks = keyspaces.resolve(keyspace);
        return engine.getInline(ks.namespace(), StorageKeys.encode(key, limits));
    }

    /**
     * What one look at this replica's record of a key tells: its full read reply when the record is
     * stored inline or absent ({@code reply}), else, when it is one live LWW value stored in chunks,
     * that value's length and version ({@code reply} null; {@code chunkedValueBytes} -1 for any
     * other chunked record).
     */
    public record Probe(ReadReply reply, long chunkedValueBytes, byte[] version) {
    }

    /** Enough of a record's head to hold its header: an LWW version is a dozen bytes. */
    private static final int PROBE_PREFIX_BYTES = 4096;

    /**
     * {@link Probe} of {@code key}: an inline record read whole (as {@link #tryRead} would), a chunked
     * one by its first bytes only, so a caller can tell a large value from its header without reading
     * its megabytes.
     */
    public Probe probe(String keyspace, String key) {
        Keyspace ks = keyspaces.resolve(keyspace);
        ChunkingEngine.ValuePrefix found = engine.getPrefix(ks.namespace(), StorageKeys.encode(key, limits),
                PROBE_PREFIX_BYTES);
        if (found == null) {
            return new Probe(ReadReply.ABSENT, -1, null);
        }
        if (found.inline()) {
            return new Probe(replyOf(found.prefix()), -1, null);
        }
        RecordCodec.Head head = RecordCodec.headOf(found.prefix());
        if (head == null || head.kind() != VersionKind.LWW || head.tombstone()) {
            return new Probe(null, -1, null);
        }
        return new Probe(null, head.valueLength(), head.version());
    }

    /** What a digest read answers: the stored record's digest, version and encoded size. */
    public record Summary(long digest, byte[] version, long size) {
    }

    /**
     * The digest, version and size of this replica's record of a key, or null: for a large record
     * read from its first and last chunks only, so a digest read of megabytes reads kilobytes.
     */
    public Summary summary(String keyspace, String key) {
        Keyspace ks = keyspaces.resolve(keyspace);
        ChunkingEngine.ValueEnds ends = engine.getEnds(ks.namespace(), StorageKeys.encode(key, limits), 4);
        if (ends == null) {
            return null;
        }
        if (ends.head().length == ends.length()) {
            // The whole record is at hand: check it as a full read would.
            return new Summary(digestOf(ends.head()), RecordCodec.version(ends.head()), ends.length());
        }
        return new Summary(digestOf(ends.tail()), RecordCodec.versionOfHead(ends.head()), ends.length());
    }

    /**
     * {@link #read}, or null, with nothing read but the record's frame, when a full read needs the
     * chunks of a large record: an event loop answers small reads itself and hands large ones to a
     * thread, so the megabytes of one never hold up the small requests queued behind it. A digest
     * read is always answered: it reads a large record's first and last chunks (256 KiB each), or
     * the whole record when its last chunk is shorter than the 4-byte digest.
     */
    public ReadReply tryRead(ReplicaRead read) {
        if (read.digestOnly()) {
            return read(read);
        }
        ChunkingEngine.InlineValue found = tryGetEncoded(read.keyspace(), read.key());
        if (found == null) {
            return ReadReply.ABSENT;
        }
        return found.chunked() ? null : replyOf(found.value());
    }

    public ReadReply read(ReplicaRead read) {
        if (read.digestOnly()) {
            Summary summary = summary(read.keyspace(), read.key());
            return summary == null ? ReadReply.ABSENT : new ReadReply(null, summary.digest(), summary.version(), true);
        }
        Keyspace ks = keyspaces.resolve(read.keyspace());
        byte[] raw = engine.get(ks.namespace(), StorageKeys.encode(read.key(), limits));
        return raw == null ? ReadReply.ABSENT : replyOf(raw);
    }

    private static ReadReply replyOf(byte[] encoded) {
        Record r = RecordCodec.decode(encoded);
        return new ReadReply(r, digestOf(encoded), r.version(), true);
    }

    /** The digest of an encoded record: its trailing CRC32C, which the encoding already paid for. */
    public static long digestOf(byte[] encodedRecord) {
        int n = encodedRecord.length;
        return (encodedRecord[n - 4] & 0xffL) << 24 | (encodedRecord[n - 3] & 0xffL) << 16
                | (encodedRecord[n - 2] & 0xffL) << 8 | (encodedRecord[n - 1] & 0xffL);
    }

    public ChunkingEngine engine() {
        return engine;
    }
}
