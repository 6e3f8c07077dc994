package io.ringkv.storage.chunk;

import io.ringkv.storage.Bytes;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.Entry;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Mutation;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.NamespaceStats;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.WriteBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * Stores values of any size over an engine that is only good at small ones.
 *
 * <p>A value up to the threshold is stored inline behind a one-byte frame. A larger value is
 * cut into chunks written under {@code [storedKey][id][index]} in the namespace's
 * {@link Namespace#chunks() chunk namespace}, and only then is its manifest written under the
 * key, in one atomic batch with the deletion of the chunks of the value it replaces. Readers
 * therefore see the old value or the new one whole; a reader that raced a replacement and
 * finds a chunk gone reads again. A per-key lock (striped) serialises writers of one key, so
 * concurrent replacements cannot orphan chunks. A writer that knows the value it most likely
 * stores (a replica write: the incoming record, unless the stored one is newer) writes that
 * value's chunks before it takes the lock, under an id of their own, and deletes them if it does
 * not store them: the lock is held for the decision and the manifest only, so a small write of the
 * key (or of its stripe) never waits for megabytes of chunks and their fsync.
 *
 * <p>The chunks may live in an engine of their own (a second RocksDB with its own log): then a
 * small write never shares a log append or an fsync with megabytes of chunks. The price is order:
 * a value's chunks are made durable before its manifest is written (the writing thread waits for
 * that fsync), and the chunks of the value it replaced are deleted once the new manifest is
 * durable, by a thread of this engine.
 *
 * <p>A crash can interrupt a write between its chunks and its manifest, or (chunks apart) between
 * the new manifest and the old chunks' deletion. So each such write keeps a journal entry
 * ({@link ChunkIntent}) for as long as chunks it wrote or replaced could be left behind: in the
 * chunk store, written with the first chunk and deleted once the manifest is durable; and, chunks
 * apart, in the frames' engine, written with the new frame and deleted once the old chunks' deletion
 * is durable. {@link #recoverInterruptedWrites} reads the journal after a restart, so it costs one
 * read per write in flight at the crash instead of a scan of every chunk
 * ({@link #collectOrphanChunks}, which a tool may still run).
 *
 * <p>Cost per write: one read of the key's current frame (to find chunks to delete), one
 * batch write; per small read: one read and one copy to strip the frame.
 */
public final class ChunkingEngine implements StorageEngine {
    private static final int STRIPES = 1024;
    /** {@code headBytes} of {@link #WHOLE}: an update's function gets the whole stored value. */
    private static final int WHOLE = -1;
    private static final int MAX_READ_ATTEMPTS = 16;
    /** Journal of the chunk store: new chunks whose manifest may not be durable yet. */
    public static final Namespace PENDING = new Namespace("chunks_pending");
    /** Journal of the frames' engine (chunks apart): replaced chunks whose deletion may not be durable yet. */
    public static final Namespace RETIRING = new Namespace("chunks_retiring");

    private final StorageEngine inner;
    private final StorageEngine chunkStore;
    /** Deletes replaced values' chunks from a separate chunk store; null when chunks share {@link #inner}. */
    private final ExecutorService retirer;
    /** Deletions scheduled and not yet done; {@link #flush()} waits for none. */
    private final AtomicInteger retiring = new AtomicInteger();
    private final ChunkingConfig config;
    private final StorageLimits limits;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    public ChunkingEngine(StorageEngine inner, ChunkingConfig config, StorageLimits limits) {
        this(inner, inner, config, limits);
    }

    /** Frames in {@code inner}, chunks in {@code chunkStore} (which may be {@code inner} itself). */
    public ChunkingEngine(StorageEngine inner, StorageEngine chunkStore, ChunkingConfig config, StorageLimits limits) {
        this(inner, chunkStore, config, limits, Thread.ofPlatform().daemon().name("ringkv-chunk-retire").factory());
    }

    /** As above, deleting replaced chunks on a thread of {@code retireThreads} (for its priority). */
    public ChunkingEngine(StorageEngine inner, StorageEngine chunkStore, ChunkingConfig config, StorageLimits limits,
                          ThreadFactory retireThreads) {
        this.inner = inner;
        this.chunkStore = chunkStore;
        // One thread, and none while there is nothing to delete.
        this.retirer = chunkStore == inner ? null : new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), retireThreads);
        this.config = config;
        this.limits = limits;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** The engine that holds the frames, for tools and tests. */
    public StorageEngine inner() {
        return inner;
    }

    /** The engine that holds the chunk namespaces: {@link #inner()} or one of their own. */
    public StorageEngine chunkStore() {
        return chunkStore;
    }

    /** Whether chunks live in an engine apart from the frames. */
    private boolean separate() {
        return retirer != null;
    }

    public ChunkingConfig config() {
        return config;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public byte[] get(Namespace ns, byte[] key) {
        return readRetrying(ns, key, frame -> unframe(ns, key, frame));
    }

    /**
     * {@code read} of the key's current frame, null when absent. {@code read} returns null when a chunk
     * it needs is gone (a writer replaced the value after its manifest was read): then the frame is
     * read again, up to {@link #MAX_READ_ATTEMPTS} times.
     */
    private <T> T readRetrying(Namespace ns, byte[] key, java.util.function.Function<byte[], T> read) {
        checkNamespace(ns);
        for (int attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
            byte[] frame = inner.get(ns, key);
            if (frame == null) {
                return null;
            }
            T result = read.apply(frame);
            if (result != null) {
                return result;
            }
        }
        throw new StorageException("value of a key in " + ns + " kept changing while being read ("
                + MAX_READ_ATTEMPTS + " attempts)");
    }

    @Override
    public void put(Namespace ns, byte[] key, byte[] value) {
        checkNamespace(ns);
        limits.checkValue(value.length);
        writeOne(ns, key, value);
    }

    @Override
    public void delete(Namespace ns, byte[] key) {
        checkNamespace(ns);
        writeOne(ns, key, null);
    }

    private void writeOne(Namespace ns, byte[] key, byte[] valueOrNull) {
        Prewritten pre = valueOrNull != null && valueOrNull.length > config.thresholdBytes()
                ? prewrite(ns, key, valueOrNull) : null;
        ReentrantLock lock = stripeOf(key);
        CompletableFuture<Void> durable = null;
        lock.lock();
        try {
            Staged staged = new Staged();
            stage(staged, ns, key, valueOrNull, inner.get(ns, key), pre);
            durable = applyAsync(staged);
        } finally {
            lock.unlock();
            if (pre != null && durable == null) {
                // Failed before its frame was written.
                discard(ns, key, pre);
            }
        }
        StorageEngine.awaitDurable(durable);
    }

    /**
     * What a write staged: the frames' batch, the durability of the chunks already written, and (with
     * a separate chunk store) the replaced chunks to delete once the frames are durable.
     */
    private static final class Staged {
        final WriteBatch frames = new WriteBatch();
        final List<CompletableFuture<Void>> chunkWrites = new ArrayList<>();
        WriteBatch retired;
        /** The {@link #RETIRING} entries to delete once {@link #retired} is durable: one per replaced value. */
        final List<byte[]> retiringIntents = new ArrayList<>(1);

        WriteBatch retired() {
            if (retired == null) {
                retired = new WriteBatch();
            }
            return retired;
        }
    }

    /**
     * Writes the staged batch; the future completes when it and the chunks written before it are
     * durable. The key's lock is not held while an fsync runs: a later writer of the key goes to the
     * log after this one, so its own sync covers this write too.
     */
    private CompletableFuture<Void> applyAsync(Staged staged) {
        CompletableFuture<Void> durable = inner.writeAsync(staged.frames);
        if (staged.retired != null) {
            retiring.incrementAndGet();
            durable.whenCompleteAsync((ok, failed) -> {
                try {
                    if (failed == null) {
                        CompletableFuture<Void> deleted = chunkStore.writeAsync(staged.retired);
                        if (!staged.retiringIntents.isEmpty()) {
                            StorageEngine.awaitDurable(deleted);
                            WriteBatch done = new WriteBatch();
                            for (byte[] intent : staged.retiringIntents) {
                                done.delete(RETIRING, intent);
                            }
                            inner.writeAsync(done);
                        }
                    }
                } catch (RuntimeException e) {
                    // Left to recoverInterruptedWrites at the next start: the value itself is written either way.
                } finally {
                    retired();
                }
            }, retirer);
        }
        if (staged.chunkWrites.isEmpty()) {
            return durable;
        }
        staged.chunkWrites.add(durable);
        return CompletableFuture.allOf(staged.chunkWrites.toArray(CompletableFuture[]::new));
    }

    /** What {@link #getInline} found: a value stored inline, or ({@code value} null) that the value is chunked. */
    public record InlineValue(byte[] value) {
        /** The value is stored in chunks, which {@link #getInline} did not read. */
        public static final InlineValue CHUNKED = new InlineValue(null);

        public boolean chunked() {
            return value == null;
        }
    }

    /**
     * {@link #get} of a value stored inline, reading its frame only: {@link InlineValue#CHUNKED}
     * when the value is in chunks, null when absent. An event loop answers small reads with it and
     * hands a chunked value, whose megabytes take milliseconds to read, to a thread that may wait.
     */
    public InlineValue getInline(Namespace ns, byte[] key) {
        checkNamespace(ns);
        byte[] frame = inner.get(ns, key);
        if (frame == null) {
            return null;
        }
        if (frame.length > 0 && frame[0] == Frames.MANIFEST) {
            return InlineValue.CHUNKED;
        }
        return new InlineValue(unframe(ns, key, frame));
    }

    /** A value's length and the bytes at its two ends. */
    public record ValueEnds(long length, byte[] head, byte[] tail) {
    }

    /**
     * A value's length and first bytes: the whole value when it is stored inline ({@code inline}
     * true), else at most {@code n} bytes of its first chunk.
     */
    public record ValuePrefix(long length, byte[] prefix, boolean inline) {
    }

    /**
     * {@link ValuePrefix} of {@code key}'s value, or null when absent: one frame read, and for a
     * chunked value one read of its first chunk, of which at most {@code n} bytes are copied.
     */
    public ValuePrefix getPrefix(Namespace ns, byte[] key, int n) {
        return readRetrying(ns, key, frame -> {
            Manifest m = manifestOf(frame);
            if (m == null) {
                byte[] value = unframe(ns, key, frame);
                return new ValuePrefix(value.length, value, true);
            }
            byte[] prefix = headOfChunked(ns, key, m, n);
            return prefix == null ? null : new ValuePrefix(m.totalBytes(), prefix, false);
        });
    }

    /** The first {@code n} bytes of a chunked value (at most its first chunk), or null when that chunk is missing. */
    private byte[] headOfChunked(Namespace ns, byte[] key, Manifest m, int n) {
        byte[] head = new byte[Math.min(n, m.chunkLength(0))];
        return readChunk(ns, key, m, 0, head, 0, head.length) ? head : null;
    }

    /**
     * The length of {@code key}'s value, its first bytes (the whole value when stored inline, else
     * its first chunk) and its last {@code tailBytes}, reading at most the two chunks they lie in;
     * null when absent. Unlike {@link #get}, a chunked value's checksum is not verified (that needs
     * every chunk): for callers that need a stored record's header and trailer, not its content.
     */
    public ValueEnds getEnds(Namespace ns, byte[] key, int tailBytes) {
        return readRetrying(ns, key, frame -> {
            Manifest m = manifestOf(frame);
            int lastIndex = m == null ? 0 : m.chunkCount() - 1;
            if (m == null || m.chunkLength(lastIndex) < tailBytes) {
                // Inline, or a tail that spans two chunks (a value just over a chunk boundary): read it whole.
                byte[] value = unframe(ns, key, frame);
                return value == null ? null : new ValueEnds(value.length, value, tailOf(value, tailBytes));
            }
            byte[] first = chunk(ns, key, m, 0);
            byte[] tail = first == null ? null
                    : lastIndex == 0 ? tailOf(first, tailBytes) : chunkTail(ns, key, m, lastIndex, tailBytes);
            return tail == null ? null : new ValueEnds(m.totalBytes(), first, tail);
        });
    }

    private byte[] chunk(Namespace ns, byte[] key, Manifest m, int index) {
        byte[] chunk = new byte[m.chunkLength(index)];
        return readChunk(ns, key, m, index, chunk, 0, chunk.length) ? chunk : null;
    }

    /**
     * Copies the first {@code length} bytes of chunk {@code index} into {@code dest} at {@code offset};
     * false when the chunk is gone (a writer replaced the value), and an exception when its size is
     * not the one the manifest names.
     */
    private boolean readChunk(Namespace ns, byte[] key, Manifest m, int index, byte[] dest, int offset, int length) {
        int stored = chunkStore.getInto(ns.chunks(), m.chunkKey(key, index), dest, offset, length);
        if (stored < 0) {
            return false;
        }
        if (stored != m.chunkLength(index)) {
            throw new StorageException("chunk " + index + " of a value in " + ns + " has " + stored
                    + " bytes, expected " + m.chunkLength(index));
        }
        return true;
    }

    /**
     * The last {@code n} bytes of chunk {@code index}, or null when it is gone. The chunk is read into
     * a buffer this thread keeps: a digest read wants 4 bytes of it, and should not leave a chunk's
     * worth of garbage each time.
     */
    private byte[] chunkTail(Namespace ns, byte[] key, Manifest m, int index, int n) {
        int length = m.chunkLength(index);
        byte[] buffer = CHUNK_BUFFER.get();
        if (buffer == null || buffer.length < length) {
            buffer = new byte[Math.max(length, config.chunkBytes())];
            CHUNK_BUFFER.set(buffer);
        }
        if (!readChunk(ns, key, m, index, buffer, 0, length)) {
            return null;
        }
        return Arrays.copyOfRange(buffer, Math.max(0, length - n), length);
    }

    private static final ThreadLocal<byte[]> CHUNK_BUFFER = new ThreadLocal<>();

    private static byte[] tailOf(byte[] bytes, int n) {
        return Arrays.copyOfRange(bytes, Math.max(0, bytes.length - n), bytes.length);
    }

    /**
     * The value an {@link #updateAsync} left (null when it deleted the key) and the future of its
     * durability (already complete when nothing was written).
     */
    public record Updated(byte[] value, CompletableFuture<Void> durable) {
    }

    /**
     * Atomically replaces the value of {@code key} with {@code fn(current)}, where current is
     * {@code null} when absent; a {@code null} result deletes the key, and returning the very
     * array it was given writes nothing. No other writer of the key runs in between. Returns the
     * new value once it is durable.
     */
    public byte[] update(Namespace ns, byte[] key, UnaryOperator<byte[]> fn) {
        Updated u = updateAsync(ns, key, fn);
        StorageEngine.awaitDurable(u.durable());
        return u.value();
    }

    /**
     * {@link #update}, returning once the new value is applied and readable: the wait for its
     * durability is the returned future's, so neither the key's lock nor the calling thread is held
     * through an fsync.
     */
    public Updated updateAsync(Namespace ns, byte[] key, UnaryOperator<byte[]> fn) {
        return underKeyLock(ns, key, null, fn, WHOLE, false);
    }

    /**
     * {@link #updateAsync} for a function that most likely returns {@code candidate} (that very
     * array): a candidate stored in chunks has them written and durable before the key's lock is
     * taken, so a writer of megabytes holds the lock (and the writers of the key behind it) for the
     * decision and its frame only. Chunks of a candidate {@code fn} does not return are deleted.
     */
    public Updated updateAsync(Namespace ns, byte[] key, byte[] candidate, UnaryOperator<byte[]> fn) {
        return underKeyLock(ns, key, candidate, fn, WHOLE, false);
    }

    /**
     * {@link #updateAsync}, or {@code null} without doing anything when another writer holds the
     * key's lock (striped: possibly a writer of another key) at this moment: for a caller that must
     * not wait, such as an event loop, which can hand the update to a thread that may.
     */
    public Updated tryUpdateAsync(Namespace ns, byte[] key, UnaryOperator<byte[]> fn) {
        return underKeyLock(ns, key, null, fn, WHOLE, true);
    }

    /**
     * {@link #updateAsync} for a function that decides from the stored value's head: {@code fn} gets
     * the stored value when it is inline, its first {@code headBytes} (or its whole first chunk, if
     * shorter) when it is in chunks, null when absent; returning that very array keeps the stored value.
     * Replacing a value of megabytes then reads one chunk's head, not every chunk: what a
     * last-writer-wins merge needs, which compares versions and never the values.
     */
    public Updated updateByHeadAsync(Namespace ns, byte[] key, int headBytes, UnaryOperator<byte[]> fn) {
        return underKeyLock(ns, key, null, fn, headBytes, false);
    }

    /** {@link #updateByHeadAsync} with a likely result whose chunks are written before the key's lock (see {@link #updateAsync(Namespace, byte[], byte[], UnaryOperator)}). */
    public Updated updateByHeadAsync(Namespace ns, byte[] key, int headBytes, byte[] candidate, UnaryOperator<byte[]> fn) {
        return underKeyLock(ns, key, candidate, fn, headBytes, false);
    }

    /** {@link #updateByHeadAsync}, or {@code null} without doing anything when the key's lock is held (see {@link #tryUpdateAsync}). */
    public Updated tryUpdateByHeadAsync(Namespace ns, byte[] key, int headBytes, UnaryOperator<byte[]> fn) {
        return underKeyLock(ns, key, null, fn, headBytes, true);
    }

    /**
     * Runs the update under the key's lock; with {@code onlyIfFree}, returns null at once when another
     * writer holds it. A chunked {@code candidate} (not with {@code onlyIfFree}, whose caller must not
     * wait) is written before the lock is taken.
     */
    private Updated underKeyLock(Namespace ns, byte[] key, byte[] candidate, UnaryOperator<byte[]> fn, int headBytes,
                                 boolean onlyIfFree) {
        checkNamespace(ns);
        Prewritten pre = null;
        if (candidate != null && !onlyIfFree && candidate.length > config.thresholdBytes()) {
            limits.checkValue(candidate.length);
            pre = prewrite(ns, key, candidate);
        }
        ReentrantLock lock = stripeOf(key);
        if (!onlyIfFree) {
            lock.lock();
        } else if (!lock.tryLock()) {
            return null;
        }
        Updated u = null;
        try {
            u = updateLocked(ns, key, fn, headBytes, pre);
            return u;
        } finally {
            lock.unlock();
            // Not stored: kept the current value, stored another, or failed before its frame was written.
            if (pre != null && (u == null || u.value() != pre.value())) {
                discard(ns, key, pre);
            }
        }
    }

    /** The manifest a stored frame is, or null for an inline frame or none. */
    private static Manifest manifestOf(byte[] frame) {
        return frame != null && frame.length > 0 && frame[0] == Frames.MANIFEST ? Manifest.decode(frame) : null;
    }

    /** A candidate's chunks, written (and, with a separate chunk store, durable) before its key's lock. */
    private record Prewritten(byte[] value, Manifest manifest, List<CompletableFuture<Void>> writes) {
    }

    private Prewritten prewrite(Namespace ns, byte[] key, byte[] value) {
        // The id must differ from the stored value's: the new chunks' keys would be the old ones'. Read
        // without the lock, it is the id stored now; another writer racing this one draws a random id too.
        Manifest stored = manifestOf(inner.get(ns, key));
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        Manifest m = writeChunks(ns, key, value, stored == null ? 0 : stored.id(), writes);
        return new Prewritten(value, m, writes);
    }

    /** Deletes the chunks of a candidate that was not stored, and its journal entry (left to the next start if this fails). */
    private void discard(Namespace ns, byte[] key, Prewritten pre) {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < pre.manifest().chunkCount(); i++) {
            batch.delete(ns.chunks(), pre.manifest().chunkKey(key, i));
        }
        batch.delete(PENDING, new ChunkIntent(ns, key, pre.manifest().id()).encode());
        try {
            chunkStore.writeAsync(batch);
        } catch (RuntimeException e) {
            // recoverInterruptedWrites deletes them at the next start: the journal entry names them.
        }
    }

    private Updated updateLocked(Namespace ns, byte[] key, UnaryOperator<byte[]> fn, int headBytes, Prewritten pre) {
        byte[] oldFrame = inner.get(ns, key);
        byte[] current = oldFrame == null ? null
                : headBytes == WHOLE || oldFrame.length == 0 || oldFrame[0] != Frames.MANIFEST
                        ? unframe(ns, key, oldFrame) : headOfChunked(ns, key, Manifest.decode(oldFrame), headBytes);
        if (oldFrame != null && current == null) {
            throw new StorageException("chunks of a key in " + ns + " are missing under the key's lock");
        }
        byte[] next = fn.apply(current);
        if (next == current) {
            // The function kept the value (an older version arrived): nothing to write.
            return new Updated(current, CompletableFuture.completedFuture(null));
        }
        Prewritten stored = pre != null && next == pre.value() ? pre : null;
        if (stored == null && next != null) {
            limits.checkValue(next.length);
        }
        Staged staged = new Staged();
        stage(staged, ns, key, next, oldFrame, stored);
        return new Updated(next, applyAsync(staged));
    }

    @Override
    public void write(WriteBatch batch) {
        StorageEngine.awaitDurable(writeAsync(batch));
    }

    @Override
    public CompletableFuture<Void> writeAsync(WriteBatch batch) {
        List<Mutation> mutations = batch.mutations();
        for (Mutation m : mutations) {
            checkNamespace(m.namespace());
            if (m instanceof Mutation.Put p) {
                limits.checkValue(p.value().length);
            }
        }
        ReentrantLock[] held = lockAll(mutations);
        try {
            Staged staged = new Staged();
            for (Mutation m : lastOfEachKey(mutations)) {
                byte[] oldFrame = inner.get(m.namespace(), m.key());
                byte[] value = m instanceof Mutation.Put p ? p.value() : null;
                stage(staged, m.namespace(), m.key(), value, oldFrame, null);
            }
            return applyAsync(staged);
        } finally {
            for (int i = held.length - 1; i >= 0; i--) {
                held[i].unlock();
            }
        }
    }

    /**
     * The batch's mutations with only the last of each key: they are staged against the frame stored
     * before the batch, so a second one of a key would not see the first's chunks, which would then
     * stay on disk with nothing naming them; the batch's outcome is the last mutation's either way.
     */
    static List<Mutation> lastOfEachKey(List<Mutation> mutations) {
        if (mutations.size() < 2) {
            return mutations;
        }
        Map<StoredKey, Mutation> last = new LinkedHashMap<>();
        for (Mutation m : mutations) {
            StoredKey k = new StoredKey(m.namespace(), ByteBuffer.wrap(m.key()));
            last.remove(k);
            last.put(k, m);
        }
        return last.size() == mutations.size() ? mutations : List.copyOf(last.values());
    }

    private record StoredKey(Namespace namespace, ByteBuffer key) { }

    /**
     * Writes chunks now (before the manifest; their durability futures go to {@code chunkWrites}),
     * unless {@code prewritten} holds them already (its value is {@code value}), and stages the frame
     * and the old chunks' deletion.
     */
    private void stage(Staged staged, Namespace ns, byte[] key, byte[] value, byte[] oldFrame, Prewritten prewritten) {
        Manifest old = manifestOf(oldFrame);
        if (prewritten != null && old != null && old.id() == prewritten.manifest().id()) {
            // A writer in between stored a value under the same random id: 2^-64, but its chunks are ours now.
            throw new StorageException("two values of a key in " + ns + " drew the same chunk id");
        }
        WriteBatch out = staged.frames;
        if (value == null) {
            out.delete(ns, key);
        } else if (value.length <= config.thresholdBytes()) {
            byte[] frame = new byte[value.length + 1];
            frame[0] = Frames.INLINE;
            System.arraycopy(value, 0, frame, 1, value.length);
            out.put(ns, key, frame);
        } else {
            Manifest written;
            if (prewritten != null) {
                written = prewritten.manifest();
                staged.chunkWrites.addAll(prewritten.writes());
            } else {
                written = writeChunks(ns, key, value, old == null ? 0 : old.id(), staged.chunkWrites);
            }
            out.put(ns, key, written.encode());
            // The journal entry written with the first chunk goes once the manifest is durable: with it
            // in one engine, apart after it.
            (separate() ? staged.retired() : out).delete(PENDING, new ChunkIntent(ns, key, written.id()).encode());
        }
        if (old != null) {
            // In one engine, in the frame's own batch; apart, only once the frame is durable, so a
            // crash never leaves a durable old manifest without its chunks.
            WriteBatch deletions = separate() ? staged.retired() : out;
            for (int i = 0; i < old.chunkCount(); i++) {
                deletions.delete(ns.chunks(), old.chunkKey(key, i));
            }
            if (separate()) {
                // Until those deletions are durable, the frames' engine remembers them, atomically with the frame.
                byte[] intent = new ChunkIntent(ns, key, old.id()).encode();
                staged.retiringIntents.add(intent);
                out.put(RETIRING, intent, ChunkIntent.NO_VALUE);
            }
        }
    }

    private Manifest writeChunks(Namespace ns, byte[] key, byte[] value, long avoidId,
                                 List<CompletableFuture<Void>> chunkWrites) {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == avoidId);
        int chunkBytes = config.chunkBytes();
        int count = (value.length + chunkBytes - 1) / chunkBytes;
        Manifest manifest = new Manifest(id, value.length, chunkBytes, count, crc(value));
        Namespace chunks = ns.chunks();
        List<CompletableFuture<Void>> written = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * chunkBytes;
            WriteBatch batch = new WriteBatch().put(chunks, manifest.chunkKey(key, i),
                    Arrays.copyOfRange(value, from, from + manifest.chunkLength(i)));
            if (i == 0) {
                // In the first chunk's batch: no chunk of this value is durable before its journal entry.
                batch.put(PENDING, new ChunkIntent(ns, key, id).encode(), ChunkIntent.NO_VALUE);
            }
            // One fsync for the whole value, not one per chunk.
            written.add(chunkStore.writeAsync(batch));
        }
        if (separate()) {
            // Another log: the manifest's fsync would not cover these chunks, so they go first.
            StorageEngine.awaitDurable(CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)));
        }
        chunkWrites.addAll(written);
        return manifest;
    }

    /** The value a frame stands for, or {@code null} when one of its chunks is gone. */
    private byte[] unframe(Namespace ns, byte[] key, byte[] frame) {
        if (frame.length == 0) {
            throw new StorageException("empty value frame for a key in " + ns);
        }
        if (frame[0] == Frames.INLINE) {
            return Arrays.copyOfRange(frame, 1, frame.length);
        }
        if (frame[0] != Frames.MANIFEST) {
            throw new StorageException("unknown value frame " + frame[0] + " for a key in " + ns);
        }
        Manifest m = Manifest.decode(frame);
        if (m.totalBytes() > Integer.MAX_VALUE - 8) {
            throw new StorageException("chunked value of " + m.totalBytes() + " bytes does not fit one array");
        }
        byte[] value = new byte[(int) m.totalBytes()];
        for (int i = 0; i < m.chunkCount(); i++) {
            // Each chunk straight into its place: no array per chunk.
            if (!readChunk(ns, key, m, i, value, i * m.chunkBytes(), m.chunkLength(i))) {
                return null;
            }
        }
        if (crc(value) != m.crc32c()) {
            throw new StorageException("chunked value of a key in " + ns + " fails its checksum");
        }
        return value;
    }

    @Override
    public EntryIterator scan(Namespace ns, byte[] startInclusive, byte[] endExclusive) {
        checkNamespace(ns);
        EntryIterator raw = inner.scan(ns, startInclusive, endExclusive);
        return new EntryIterator() {
            private Entry next;

            @Override
            public boolean hasNext() {
                while (next == null && raw.hasNext()) {
                    Entry e = raw.next();
                    byte[] value = unframe(ns, e.key(), e.value());
                    if (value == null) {
                        // Replaced or deleted since the scan's snapshot: take the current value, if any.
                        value = get(ns, e.key());
                    }
                    if (value != null) {
                        next = new Entry(e.key(), value);
                    }
                }
                return next != null;
            }

            @Override
            public Entry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Entry e = next;
                next = null;
                return e;
            }

            @Override
            public void close() {
                raw.close();
            }
        };
    }

    /**
     * Deletes chunks in {@code ns} that no manifest names (left by a crash between a value's
     * chunk writes and its manifest), except those a journal entry names: a write in flight, or one
     * {@link #recoverInterruptedWrites} finishes. Returns how many were deleted.
     */
    public long collectOrphanChunks(Namespace ns) {
        checkNamespace(ns);
        long deleted = 0;
        try (EntryIterator it = chunkStore.scan(ns.chunks(), new byte[0], null)) {
            while (it.hasNext()) {
                byte[] chunkKey = it.next().key();
                if (chunkKey.length < 12) {
                    chunkStore.delete(ns.chunks(), chunkKey);
                    deleted++;
                    continue;
                }
                byte[] key = Arrays.copyOf(chunkKey, chunkKey.length - 12);
                long id = Bytes.getLong(chunkKey, key.length);
                ReentrantLock lock = stripeOf(key);
                lock.lock();
                try {
                    byte[] frame = inner.get(ns, key);
                    Manifest stored = manifestOf(frame);
                    boolean named = stored != null && stored.id() == id;
                    // A journal entry: a write in flight (its chunks come before its key's lock) or one
                    // the next start finishes.
                    boolean inFlight = !named && chunkStore.get(PENDING, new ChunkIntent(ns, key, id).encode()) != null;
                    if (!named && !inFlight) {
                        chunkStore.delete(ns.chunks(), chunkKey);
                        deleted++;
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
        return deleted;
    }

    /**
     * Finishes what writes interrupted by a crash left behind: deletes the chunks named by the journal
     * ({@link ChunkIntent}) that no manifest names, then the journal's entries. Call once after opening,
     * before serving writes; it reads one frame per write that was in flight at the crash. Returns how
     * many chunks it deleted.
     */
    public long recoverInterruptedWrites() {
        long deleted = recover(chunkStore, PENDING);
        if (separate()) {
            deleted += recover(inner, RETIRING);
        }
        return deleted;
    }

    private long recover(StorageEngine holder, Namespace journal) {
        if (!holder.stats().namespaces().containsKey(journal.name())) {
            return 0;
        }
        List<byte[]> entries = new ArrayList<>();
        try (EntryIterator it = holder.scan(journal, new byte[0], null)) {
            while (it.hasNext()) {
                entries.add(it.next().key());
            }
        }
        long deleted = 0;
        for (byte[] entry : entries) {
            ChunkIntent intent;
            try {
                intent = ChunkIntent.decode(entry);
            } catch (IllegalArgumentException e) {
                holder.delete(journal, entry);
                continue;
            }
            ReentrantLock lock = stripeOf(intent.key());
            lock.lock();
            try {
                byte[] frame = inner.get(intent.ns(), intent.key());
                Manifest stored = manifestOf(frame);
                boolean named = stored != null && stored.id() == intent.id();
                if (!named) {
                    deleted += deleteChunks(intent);
                }
                holder.delete(journal, entry);
            } finally {
                lock.unlock();
            }
        }
        return deleted;
    }

    /** Deletes the chunks {@code [key][id][index]} of one value, durably. */
    private long deleteChunks(ChunkIntent intent) {
        byte[] prefix = intent.chunkPrefix();
        WriteBatch batch = new WriteBatch();
        long n = 0;
        try (EntryIterator it = chunkStore.scan(intent.ns().chunks(), prefix, null)) {
            while (it.hasNext()) {
                byte[] chunkKey = it.next().key();
                if (chunkKey.length < prefix.length || !Arrays.equals(chunkKey, 0, prefix.length, prefix, 0, prefix.length)) {
                    break;
                }
                // A longer key can start with this one's key and id: only [key][id][4-byte index] is ours.
                if (chunkKey.length == prefix.length + 4) {
                    batch.delete(intent.ns().chunks(), chunkKey);
                    n++;
                }
            }
        }
        if (n > 0) {
            chunkStore.write(batch);
        }
        return n;
    }

    private void retired() {
        if (retiring.decrementAndGet() == 0) {
            synchronized (retiring) {
                retiring.notifyAll();
            }
        }
    }

    /** Flushes both engines, after the deletions of replaced chunks scheduled so far are done. */
    @Override
    public void flush() {
        if (separate()) {
            synchronized (retiring) {
                while (retiring.get() > 0) {
                    try {
                        retiring.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            chunkStore.flush();
        }
        inner.flush();
    }

    @Override
    public EngineStats stats() {
        EngineStats frames = inner.stats();
        if (!separate()) {
            return frames;
        }
        Map<String, NamespaceStats> all = new HashMap<>(frames.namespaces());
        all.putAll(chunkStore.stats().namespaces());
        return new EngineStats(frames.engine(), all);
    }

    @Override
    public void close() {
        if (separate()) {
            // Deletions already queued still run: what they would leave is space, not wrong data.
            retirer.shutdown();
            try {
                retirer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            chunkStore.close();
        }
        inner.close();
    }

    private ReentrantLock stripeOf(byte[] key) {
        return stripes[(Arrays.hashCode(key) & 0x7fffffff) % STRIPES];
    }

    private ReentrantLock[] lockAll(List<Mutation> mutations) {
        List<Integer> indexes = new ArrayList<>(mutations.size());
        for (Mutation m : mutations) {
            indexes.add((Arrays.hashCode(m.key()) & 0x7fffffff) % STRIPES);
        }
        // Ascending order, no duplicates: two batches can never wait on each other.
        int[] sorted = indexes.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
        ReentrantLock[] held = new ReentrantLock[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            held[i] = stripes[sorted[i]];
            held[i].lock();
        }
        return held;
    }

    private static void checkNamespace(Namespace ns) {
        if (ns.isDerived()) {
            throw new IllegalArgumentException("namespace " + ns + " belongs to the chunking layer");
        }
    }

    private static int crc(byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(value, 0, value.length);
        return (int) crc.getValue();
    }
}
