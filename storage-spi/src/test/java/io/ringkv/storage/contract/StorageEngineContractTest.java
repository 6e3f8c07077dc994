package io.ringkv.storage.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.storage.Entry;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.LimitException;
import io.ringkv.storage.Mutation;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.WriteBatch;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import io.ringkv.storage.record.VersionKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every storage backend passes: extend it, say how to open the engine, and the
 * whole suite runs against that backend (through the chunking decorator where values are large).
 * Random data comes from {@link #SEED}, printed in failure messages, so a failure reproduces.
 */
public abstract class StorageEngineContractTest {
    protected static final long SEED = 0x5eed_2026L;
    private static final Namespace DATA = Namespace.DATA;
    private static final int MIB = 1024 * 1024;

    @TempDir
    protected Path dir;
    protected StorageEngine engine;

    /** Opens (or reopens) the backend with its files under {@code dir}. */
    protected abstract StorageEngine open(Path dir);

    /** Whether data survives close and reopen of the same directory. */
    protected abstract boolean persistent();

    /** Whether the chunking tests keep chunks in a second engine of this backend, as a node does. */
    protected boolean separateChunkStore() {
        return false;
    }

    /** With {@link #separateChunkStore()}, the engine of the chunks; else null. */
    protected StorageEngine chunkStore;
    private ChunkingEngine chunked;

    @BeforeEach
    void openEngine() {
        engine = open(dir);
        if (separateChunkStore()) {
            chunkStore = open(dir.resolve("chunk-store"));
        }
    }

    @AfterEach
    void closeEngine() {
        if (chunked != null) {
            // Its thread of deletions first, then both engines.
            chunked.close();
        } else {
            if (engine != null) {
                engine.close();
            }
            if (chunkStore != null) {
                chunkStore.close();
            }
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] key(String userKey) {
        return StorageKeys.encode(userKey, StorageLimits.DEFAULTS);
    }

    @Test
    void absentKeyReadsAsNull() {
        assertThat(engine.get(DATA, key("nothing"))).isNull();
    }

    @Test
    void getIntoCopiesAtMostLengthBytesAtTheOffsetAndReturnsTheWholeLength() {
        engine.put(DATA, key("a"), b("0123456789"));
        byte[] dest = new byte[16];
        java.util.Arrays.fill(dest, (byte) '.');
        assertThat(engine.getInto(DATA, key("a"), dest, 3, 10)).isEqualTo(10);
        assertThat(new String(dest, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("...0123456789...");
        // A shorter window: only its bytes are written, and the value's whole length is returned.
        java.util.Arrays.fill(dest, (byte) '.');
        assertThat(engine.getInto(DATA, key("a"), dest, 0, 4)).isEqualTo(10);
        assertThat(new String(dest, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("0123............");
        assertThat(engine.getInto(DATA, key("nothing"), dest, 0, 16)).isEqualTo(-1);
        engine.put(DATA, key("empty"), new byte[0]);
        assertThat(engine.getInto(DATA, key("empty"), dest, 0, 16)).isZero();
        assertThatThrownBy(() -> engine.getInto(DATA, key("a"), dest, 10, 7)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void putThenGetReturnsTheValue() {
        engine.put(DATA, key("a"), b("1"));
        assertThat(engine.get(DATA, key("a"))).isEqualTo(b("1"));
    }

    @Test
    void overwriteReplacesTheValue() {
        engine.put(DATA, key("a"), b("1"));
        engine.put(DATA, key("a"), b("second"));
        assertThat(engine.get(DATA, key("a"))).isEqualTo(b("second"));
    }

    @Test
    void emptyValueIsAValueNotAnAbsence() {
        engine.put(DATA, key("empty"), new byte[0]);
        assertThat(engine.get(DATA, key("empty"))).isNotNull().isEmpty();
    }

    @Test
    void deleteRemovesAndDeletingAbsentKeysIsFine() {
        engine.put(DATA, key("a"), b("1"));
        engine.delete(DATA, key("a"));
        engine.delete(DATA, key("never-there"));
        assertThat(engine.get(DATA, key("a"))).isNull();
    }

    @Test
    void callerMayReuseArraysAfterTheCall() {
        byte[] k = key("reuse");
        byte[] v = b("original");
        engine.put(DATA, k, v);
        Arrays.fill(v, (byte) 'x');
        byte[] read = engine.get(DATA, k);
        assertThat(read).isEqualTo(b("original"));
        read[0] = 'Z';
        assertThat(engine.get(DATA, k)).isEqualTo(b("original"));
    }

    @Test
    void tombstoneRecordsAreStoredAndScannedLikeValues() {
        Record tomb = Record.tombstone(VersionKind.LWW, new byte[] {0, 0, 1}, 1234);
        engine.put(DATA, key("gone"), RecordCodec.encode(tomb));
        assertThat(RecordCodec.decode(engine.get(DATA, key("gone")))).isEqualTo(tomb);
        try (EntryIterator it = engine.scan(DATA, new byte[0], null)) {
            assertThat(it.hasNext()).isTrue();
            assertThat(RecordCodec.decode(it.next().value()).tombstone()).isTrue();
        }
    }

    @Test
    void batchIsAppliedWhole() {
        engine.put(DATA, key("old"), b("x"));
        engine.write(new WriteBatch().put(DATA, key("a"), b("1")).put(Namespace.HINTS, key("h"), b("2"))
                .delete(DATA, key("old")));
        assertThat(engine.get(DATA, key("a"))).isEqualTo(b("1"));
        assertThat(engine.get(Namespace.HINTS, key("h"))).isEqualTo(b("2"));
        assertThat(engine.get(DATA, key("old"))).isNull();
    }

    @Test
    void namespacesAreIsolated() {
        engine.put(DATA, key("k"), b("data"));
        engine.put(Namespace.HINTS, key("k"), b("hint"));
        engine.put(Namespace.META, key("k"), b("meta"));
        engine.delete(Namespace.HINTS, key("k"));
        assertThat(engine.get(DATA, key("k"))).isEqualTo(b("data"));
        assertThat(engine.get(Namespace.HINTS, key("k"))).isNull();
        assertThat(engine.get(Namespace.META, key("k"))).isEqualTo(b("meta"));
        assertThat(scanAll(Namespace.HINTS)).isEmpty();
        assertThat(scanAll(DATA)).hasSize(1);
    }

    @Test
    void keysCompareAsUnsignedBytes() {
        byte[] low = {0x01};
        byte[] high = {(byte) 0xff};
        byte[] mid = {0x7f, (byte) 0x80};
        engine.put(DATA, high, b("h"));
        engine.put(DATA, low, b("l"));
        engine.put(DATA, mid, b("m"));
        assertThat(scanAll(DATA)).extracting(e -> new String(e.value(), UTF_8)).containsExactly("l", "m", "h");
    }

    @Test
    void scanOfAVnodeReturnsExactlyItsKeysInTokenOrder() {
        int vnodes = 16;
        Random random = new Random(SEED);
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            byte[] k = key("user:" + random.nextInt(1_000_000) + ":" + i);
            all.add(k);
            engine.put(DATA, k, b("v" + i));
        }
        int seen = 0;
        for (int v = 0; v < vnodes; v++) {
            int vnode = v;
            List<byte[]> expected = all.stream()
                    .filter(k -> StorageKeys.vnodeOf(StorageKeys.token(k), vnodes) == vnode)
                    .sorted(Arrays::compareUnsigned).toList();
            List<byte[]> actual = new ArrayList<>();
            try (EntryIterator it = engine.scan(DATA, StorageKeys.vnodeStart(v, vnodes), StorageKeys.vnodeEnd(v, vnodes))) {
                it.forEachRemaining(e -> actual.add(e.key()));
            }
            assertThat(actual).as("vnode %d (seed %d)", v, SEED).containsExactlyElementsOf(expected);
            for (int i = 1; i < actual.size(); i++) {
                assertThat(Long.compareUnsigned(StorageKeys.token(actual.get(i - 1)), StorageKeys.token(actual.get(i))))
                        .isLessThanOrEqualTo(0);
            }
            seen += actual.size();
        }
        assertThat(seen).isEqualTo(all.size());
    }

    @Test
    void scanRespectsBothBounds() {
        for (int i = 0; i < 10; i++) {
            engine.put(DATA, new byte[] {(byte) i}, new byte[] {(byte) i});
        }
        List<Entry> mid = new ArrayList<>();
        try (EntryIterator it = engine.scan(DATA, new byte[] {3}, new byte[] {6})) {
            it.forEachRemaining(mid::add);
        }
        assertThat(mid).extracting(e -> (int) e.key()[0]).containsExactly(3, 4, 5);
    }

    @Test
    void statsCountWrites() {
        for (int i = 0; i < 100; i++) {
            engine.put(DATA, key("s" + i), new byte[100]);
        }
        engine.flush();
        assertThat(engine.stats().of(DATA).keys()).isPositive();
        assertThat(engine.stats().of(DATA).bytes()).isPositive();
        assertThat(engine.stats().engine()).isEqualTo(engine.name());
    }

    @Test
    void dataSurvivesCloseAndReopen() {
        if (!persistent()) {
            return;
        }
        engine.put(DATA, key("durable"), b("yes"));
        engine.put(Namespace.HINTS, key("hint"), b("h"));
        engine.close();
        engine = open(dir);
        assertThat(engine.get(DATA, key("durable"))).isEqualTo(b("yes"));
        assertThat(engine.get(Namespace.HINTS, key("hint"))).isEqualTo(b("h"));
    }

    @Test
    void aClosedEngineRefusesWork() {
        StorageEngine closed = engine;
        engine = null;
        closed.close();
        assertThatThrownBy(() -> closed.get(DATA, key("a"))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> closed.put(DATA, key("a"), b("1"))).isInstanceOf(StorageException.class);
    }

    // ---- large values, through the chunking decorator ----

    private ChunkingEngine chunking() {
        if (!separateChunkStore()) {
            return new ChunkingEngine(engine, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        }
        if (chunked == null || chunked.inner() != engine) {
            chunked = new ChunkingEngine(engine, chunkStore, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        }
        return chunked;
    }

    /** The engine holding the chunk namespaces of {@link #chunking()}. */
    private StorageEngine chunkHolder() {
        return separateChunkStore() ? chunkStore : engine;
    }

    private static byte[] randomValue(int size, long seed) {
        byte[] value = new byte[size];
        new Random(seed).nextBytes(value);
        return value;
    }

    private long chunkCount() {
        if (chunked != null) {
            // Replaced chunks in a store of their own are deleted after the write returns.
            chunked.flush();
        }
        return countChunks(chunkHolder());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, ChunkingConfig.DEFAULT_THRESHOLD_BYTES - 1, ChunkingConfig.DEFAULT_THRESHOLD_BYTES,
        ChunkingConfig.DEFAULT_THRESHOLD_BYTES + 1, 5 * MIB, 16 * MIB})
    void valuesOfEverySizeRoundTripThroughChunking(int size) {
        ChunkingEngine chunked = chunking();
        byte[] value = randomValue(size, SEED + size);
        chunked.put(DATA, key("big"), value);
        assertThat(chunked.get(DATA, key("big"))).as("size %d seed %d", size, SEED).isEqualTo(value);
        int expectedChunks = size > ChunkingConfig.DEFAULT_THRESHOLD_BYTES
                ? (size + ChunkingConfig.DEFAULT_CHUNK_BYTES - 1) / ChunkingConfig.DEFAULT_CHUNK_BYTES : 0;
        assertThat(chunkCount()).isEqualTo(expectedChunks);
        try (EntryIterator it = chunked.scan(DATA, new byte[0], null)) {
            assertThat(it.next().value()).isEqualTo(value);
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void valuesOverTheLimitAreRefusedAndWriteNothing() {
        ChunkingEngine chunked = new ChunkingEngine(engine, ChunkingConfig.DEFAULTS, new StorageLimits(1024, 100_000));
        chunked.put(DATA, key("edge"), new byte[100_000]);
        assertThatThrownBy(() -> chunked.put(DATA, key("over"), new byte[100_001]))
                .isInstanceOf(LimitException.ValueTooLarge.class);
        assertThat(chunked.get(DATA, key("over"))).isNull();
        assertThatThrownBy(() -> chunking().put(DATA, key("huge"), new byte[16 * MIB + 1]))
                .isInstanceOf(LimitException.ValueTooLarge.class);
    }

    @Test
    void replacedAndDeletedValuesLeaveNoOrphanChunks() {
        ChunkingEngine chunked = chunking();
        chunked.put(DATA, key("k"), randomValue(MIB, 1));
        assertThat(chunkCount()).isEqualTo(4);
        chunked.put(DATA, key("k"), randomValue(600_000, 2));
        assertThat(chunkCount()).isEqualTo(3);
        chunked.put(DATA, key("k"), b("small now"));
        assertThat(chunkCount()).isZero();
        chunked.put(DATA, key("k"), randomValue(300_000, 3));
        assertThat(chunkCount()).isEqualTo(2);
        chunked.delete(DATA, key("k"));
        assertThat(chunkCount()).isZero();
        assertThat(chunked.get(DATA, key("k"))).isNull();
        chunked.put(DATA, key("k2"), randomValue(300_000, 4));
        chunked.write(new WriteBatch().delete(DATA, key("k2")).put(DATA, key("k3"), randomValue(70_000, 5)));
        assertThat(chunkCount()).isEqualTo(1);
        assertThat(journalEntries()).as("journal entries once every write is done").isZero();
        assertThat(chunked.collectOrphanChunks(DATA)).isZero();
    }

    @Test
    void aBatchThatWritesOneKeyTwiceKeepsTheLastAndOnlyItsChunks() {
        ChunkingEngine chunked = chunking();
        chunked.put(DATA, key("twice"), randomValue(MIB, 6));
        chunked.put(DATA, key("other"), randomValue(300_000, 7));
        byte[] last = randomValue(600_000, 9);
        chunked.write(new WriteBatch()
                .put(DATA, key("twice"), randomValue(MIB, 8))
                .put(DATA, key("other"), randomValue(70_000, 10))
                .put(DATA, key("twice"), last));
        assertThat(chunked.get(DATA, key("twice"))).isEqualTo(last);
        assertThat(chunkCount()).as("the last value's 3 chunks and the other key's 1").isEqualTo(4);
        assertThat(journalEntries()).as("journal entries of both replaced values").isZero();
        chunked.write(new WriteBatch().put(DATA, key("twice"), randomValue(MIB, 11)).delete(DATA, key("twice")));
        assertThat(chunked.get(DATA, key("twice"))).isNull();
        assertThat(chunkCount()).isEqualTo(1);
        assertThat(chunked.collectOrphanChunks(DATA)).isZero();
    }

    @Test
    void anUpdateByHeadSeesAnInlineValueWholeAndAChunkedOneByItsHeadOnly() throws Exception {
        ChunkingEngine chunked = chunking();
        List<byte[]> seen = new ArrayList<>();
        byte[] inline = randomValue(1_000, 12);
        chunked.put(DATA, key("inline"), inline);
        chunked.updateByHeadAsync(DATA, key("inline"), 16, current -> {
            seen.add(current);
            return current;
        }).durable().get(10, TimeUnit.SECONDS);
        assertThat(seen.get(0)).as("an inline value, whole").isEqualTo(inline);

        byte[] big = randomValue(MIB, 13);
        chunked.put(DATA, key("big"), big);
        byte[] lastChunk;
        try (EntryIterator it = chunkHolder().scan(DATA.chunks(), new byte[0], null)) {
            lastChunk = null;
            while (it.hasNext()) {
                lastChunk = it.next().key();
            }
        }
        // A later chunk lost: an update that reads more than the head fails on it.
        chunkHolder().delete(DATA.chunks(), lastChunk);
        ChunkingEngine.Updated kept = chunked.updateByHeadAsync(DATA, key("big"), 100, current -> {
            seen.add(current);
            return current;
        });
        kept.durable().get(10, TimeUnit.SECONDS);
        assertThat(seen.get(1)).as("a chunked value's first 100 bytes").isEqualTo(Arrays.copyOf(big, 100));
        chunked.updateByHeadAsync(DATA, key("big"), 10 * MIB, current -> {
            seen.add(current);
            return b("replaced");
        }).durable().get(10, TimeUnit.SECONDS);
        assertThat(seen.get(2)).as("at most the first chunk").isEqualTo(Arrays.copyOf(big, ChunkingConfig.DEFAULT_CHUNK_BYTES));
        assertThat(chunked.get(DATA, key("big"))).isEqualTo(b("replaced"));
        assertThat(chunkCount()).isZero();
        assertThat(journalEntries()).isZero();
    }

    /** Entries of both chunk-write journals (one engine's, or each engine's when chunks are apart). */
    private long journalEntries() {
        chunkCount(); // flushes pending deletions
        return countEntries(chunkHolder(), ChunkingEngine.PENDING) + countEntries(engine, ChunkingEngine.RETIRING);
    }

    private static long countEntries(StorageEngine holder, Namespace ns) {
        if (!holder.stats().namespaces().containsKey(ns.name())) {
            return 0;
        }
        long n = 0;
        try (EntryIterator it = holder.scan(ns, new byte[0], null)) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void chunksWhoseManifestWasNeverWrittenAreDeletedByTheNextStart() {
        chunking().put(DATA, key("kept"), randomValue(600_000, 31));
        // The process "dies" when it writes the frame: the chunks are in, the manifest is not, and the
        // failed write's own clean-up (a deletion of its chunks) never runs.
        java.util.function.Predicate<Mutation> died = m -> m instanceof Mutation.Put && m.namespace().equals(DATA)
                || m instanceof Mutation.Delete && m.namespace().equals(DATA.chunks());
        FailingWrites frames = new FailingWrites(engine, died);
        ChunkingEngine crashing = separateChunkStore()
                ? new ChunkingEngine(frames, new FailingWrites(chunkStore, died), ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS)
                : new ChunkingEngine(frames, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        assertThatThrownBy(() -> crashing.put(DATA, key("lost"), randomValue(MIB, 32))).hasMessage("crash");
        assertThat(countChunks(chunkHolder())).as("kept value's 3 chunks and the lost one's 4").isEqualTo(7);

        ChunkingEngine restarted = separateChunkStore()
                ? new ChunkingEngine(engine, chunkStore, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS)
                : new ChunkingEngine(engine, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        assertThat(restarted.recoverInterruptedWrites()).isEqualTo(4);
        assertThat(countChunks(chunkHolder())).isEqualTo(3);
        assertThat(journalEntries()).isZero();
        assertThat(restarted.get(DATA, key("kept"))).isEqualTo(randomValue(600_000, 31));
        assertThat(restarted.get(DATA, key("lost"))).isNull();
        assertThat(restarted.recoverInterruptedWrites()).as("a second start finds nothing").isZero();
    }

    @Test
    void withChunksApartReplacedChunksWhoseDeletionWasLostAreDeletedByTheNextStart() {
        if (!separateChunkStore()) {
            return;
        }
        chunking().put(DATA, key("big"), randomValue(MIB, 33));
        chunking().put(DATA, key("other"), randomValue(300_000, 34));
        // The process "dies" after the new manifest is durable, before the old chunks' deletion is.
        FailingWrites chunks = new FailingWrites(chunkStore,
                m -> m instanceof Mutation.Delete && m.namespace().equals(DATA.chunks()));
        ChunkingEngine crashing = new ChunkingEngine(engine, chunks, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        crashing.put(DATA, key("big"), randomValue(600_000, 35));
        crashing.put(DATA, key("other"), b("small now"));
        crashing.flush();
        assertThat(countChunks(chunkStore)).as("old 4 + 2, new 3").isEqualTo(9);

        ChunkingEngine restarted = new ChunkingEngine(engine, chunkStore, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        assertThat(restarted.recoverInterruptedWrites()).isEqualTo(6);
        assertThat(countChunks(chunkStore)).isEqualTo(3);
        assertThat(journalEntries()).isZero();
        assertThat(restarted.get(DATA, key("big"))).isEqualTo(randomValue(600_000, 35));
        assertThat(restarted.get(DATA, key("other"))).isEqualTo(b("small now"));
        assertThat(restarted.collectOrphanChunks(DATA)).isZero();
    }

    @Test
    void journalRecoveryLeavesAnotherKeysChunksThatShareItsPrefix() {
        ChunkingEngine chunked = chunking();
        byte[] shortKey = key("p");
        byte[] value = randomValue(300_000, 36);
        chunked.put(DATA, shortKey, value);
        long id = io.ringkv.storage.Bytes.getLong(firstChunkKey(shortKey), shortKey.length);
        // A longer key that starts with the short key and its chunk id, whose own value is chunked too.
        byte[] longKey = java.util.Arrays.copyOf(shortKey, shortKey.length + 8);
        io.ringkv.storage.Bytes.putLong(longKey, shortKey.length, id);
        chunked.put(DATA, longKey, randomValue(300_000, 37));
        chunked.delete(DATA, shortKey);
        chunked.flush();
        // A journal entry for the deleted short key's chunks, as a crash would leave it.
        byte[] entry = new byte[1 + 4 + shortKey.length + 8];
        entry[0] = 4;
        System.arraycopy("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, entry, 1, 4);
        System.arraycopy(shortKey, 0, entry, 5, shortKey.length);
        io.ringkv.storage.Bytes.putLong(entry, entry.length - 8, id);
        chunkHolder().put(ChunkingEngine.PENDING, entry, new byte[0]);
        assertThat(chunked.recoverInterruptedWrites()).isZero();
        assertThat(chunked.get(DATA, longKey)).isEqualTo(randomValue(300_000, 37));
    }

    private byte[] firstChunkKey(byte[] storedKey) {
        try (EntryIterator it = chunkHolder().scan(DATA.chunks(), storedKey, null)) {
            return it.next().key();
        }
    }

    /** A decorator that fails, as a crash would stop them, the writes with a mutation {@code failing} picks. */
    private static final class FailingWrites extends WritesThrough {
        private final java.util.function.Predicate<Mutation> failing;

        FailingWrites(StorageEngine inner, java.util.function.Predicate<Mutation> failing) {
            super(inner);
            this.failing = failing;
        }

        @Override
        public CompletableFuture<Void> writeAsync(WriteBatch batch) {
            if (batch.mutations().stream().anyMatch(failing)) {
                throw new StorageException("crash");
            }
            return inner.writeAsync(batch);
        }
    }

    @Test
    void aSeparateChunkStoreHoldsEveryChunkAndTheFramesNone() {
        if (!separateChunkStore()) {
            return;
        }
        ChunkingEngine chunks = chunking();
        chunks.put(DATA, key("big"), randomValue(MIB, 11));
        chunks.put(DATA, key("big"), randomValue(MIB, 12));
        assertThat(chunkCount()).as("the replaced value's chunks are deleted").isEqualTo(4);
        try (EntryIterator it = engine.scan(DATA.chunks(), new byte[0], null)) {
            assertThat(it.hasNext()).isFalse();
        }
        assertThat(chunks.get(DATA, key("big"))).isEqualTo(randomValue(MIB, 12));
        assertThat(chunks.chunkStore()).isSameAs(chunkStore);
    }

    @Test
    void withChunksApartAManifestIsWrittenOnlyOnceItsChunksAreDurable() throws Exception {
        StorageEngine chunkEngine = open(dir.resolve("held-chunks"));
        HeldDurability heldChunks = new HeldDurability(chunkEngine);
        ChunkingEngine apart = new ChunkingEngine(engine, heldChunks, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> put = writer.submit(() -> apart.put(DATA, key("big"), randomValue(MIB, 21)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (heldChunks.writes() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(heldChunks.writes()).as("chunk writes").isEqualTo(4);
            // A writer that did not wait for its chunks' fsync would have written its manifest by now.
            Thread.sleep(200);
            assertThat(engine.get(DATA, key("big"))).as("a manifest before its chunks are durable").isNull();
            assertThat(put).isNotDone();
            heldChunks.release();
            put.get(10, TimeUnit.SECONDS);
            assertThat(apart.get(DATA, key("big"))).isEqualTo(randomValue(MIB, 21));
        } finally {
            heldChunks.release();
            writer.shutdownNow();
            chunkEngine.close();
        }
    }

    @Test
    void withChunksApartReplacedChunksAreDeletedOnlyOnceTheNewManifestIsDurable() throws Exception {
        StorageEngine chunkEngine = open(dir.resolve("apart-chunks"));
        try {
            new ChunkingEngine(engine, chunkEngine, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS)
                    .put(DATA, key("big"), randomValue(MIB, 22));
            HeldDurability heldFrames = new HeldDurability(engine);
            ChunkingEngine apart = new ChunkingEngine(heldFrames, chunkEngine, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
            ChunkingEngine.Updated replaced = apart.updateAsync(DATA, key("big"), old -> randomValue(MIB, 23));
            assertThat(apart.get(DATA, key("big"))).isEqualTo(randomValue(MIB, 23));
            // A writer that deleted the old chunks with the new frame would have done so by now.
            Thread.sleep(200);
            assertThat(replaced.durable()).isNotDone();
            assertThat(countChunks(chunkEngine)).as("old and new chunks while the new manifest is not durable").isEqualTo(8);
            heldFrames.release();
            replaced.durable().get(10, TimeUnit.SECONDS);
            apart.flush();
            assertThat(countChunks(chunkEngine)).as("after it is").isEqualTo(4);
        } finally {
            chunkEngine.close();
        }
    }

    private static long countChunks(StorageEngine holder) {
        return countEntries(holder, DATA.chunks());
    }

    @Test
    void updateIsAnAtomicReadModifyWrite() {
        ChunkingEngine chunked = chunking();
        chunked.update(DATA, key("counter"), old -> old == null ? b("1") : old);
        byte[] big = randomValue(200_000, 6);
        chunked.update(DATA, key("counter"), old -> {
            assertThat(old).isEqualTo(b("1"));
            return big;
        });
        assertThat(chunked.get(DATA, key("counter"))).isEqualTo(big);
        chunked.update(DATA, key("counter"), old -> null);
        assertThat(chunked.get(DATA, key("counter"))).isNull();
        assertThat(chunkCount()).isZero();
    }

    @Test
    void writeAsyncAppliesTheBatchBeforeItReturnsAndThenBecomesDurable() throws Exception {
        CompletableFuture<Void> pair = engine.writeAsync(new WriteBatch().put(DATA, key("a"), b("1")).put(DATA, key("b"), b("2")));
        assertThat(engine.get(DATA, key("a"))).isEqualTo(b("1"));
        assertThat(engine.get(DATA, key("b"))).isEqualTo(b("2"));
        CompletableFuture<Void> one = engine.writeAsync(new WriteBatch().delete(DATA, key("a")));
        assertThat(engine.get(DATA, key("a"))).isNull();
        CompletableFuture<Void> none = engine.writeAsync(new WriteBatch());
        CompletableFuture.allOf(pair, one, none).get(10, TimeUnit.SECONDS);
        assertThat(engine.get(DATA, key("b"))).isEqualTo(b("2"));
    }

    @Test
    void aClosedEngineRefusesAsyncWrites() {
        StorageEngine closed = engine;
        engine = null;
        closed.close();
        assertThatThrownBy(() -> closed.writeAsync(new WriteBatch().put(DATA, key("a"), b("1")))
                .get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
                        e -> assertThat(e).isInstanceOf(StorageException.class),
                        e -> assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StorageException.class));
    }

    @Test
    void anUpdateLeavesTheKeysLockBeforeItIsDurable() throws Exception {
        HeldDurability held = new HeldDurability(engine);
        ChunkingEngine chunked = new ChunkingEngine(held, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        ChunkingEngine.Updated first = chunked.updateAsync(DATA, key("k"), old -> b("1"));
        assertThat(first.durable()).isNotDone();
        // Another writer of the key is not held up by the first one's fsync, and sees its value.
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            ChunkingEngine.Updated second = other.submit(() -> chunked.updateAsync(DATA, key("k"), old -> {
                assertThat(old).isEqualTo(b("1"));
                return b("2");
            })).get(10, TimeUnit.SECONDS);
            Future<byte[]> blocking = other.submit(() -> chunked.update(DATA, key("k"), old -> b("3")));
            assertThat(second.durable()).isNotDone();
            held.release();
            CompletableFuture.allOf(first.durable(), second.durable()).get(10, TimeUnit.SECONDS);
            assertThat(blocking.get(10, TimeUnit.SECONDS)).isEqualTo(b("3"));
            assertThat(chunked.get(DATA, key("k"))).isEqualTo(b("3"));
        } finally {
            held.release();
            other.shutdownNow();
        }
    }

    @Test
    void aTriedUpdateDoesNothingWhileAnotherWriterHoldsTheKey() throws Exception {
        ChunkingEngine chunked = chunking();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> holder = other.submit(() -> chunked.update(DATA, key("k"), old -> {
                inside.countDown();
                try {
                    assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return b("held");
            }));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicBoolean ran = new AtomicBoolean();
            assertThat(chunked.tryUpdateAsync(DATA, key("k"), old -> {
                ran.set(true);
                return b("tried");
            })).isNull();
            assertThat(ran).isFalse();
            release.countDown();
            assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo(b("held"));
            ChunkingEngine.Updated tried = chunked.tryUpdateAsync(DATA, key("k"), old -> {
                assertThat(old).isEqualTo(b("held"));
                return b("tried");
            });
            assertThat(tried).isNotNull();
            tried.durable().get(10, TimeUnit.SECONDS);
            assertThat(chunked.get(DATA, key("k"))).isEqualTo(b("tried"));
        } finally {
            release.countDown();
            other.shutdownNow();
        }
    }

    @Test
    void aLargeValuesChunksBecomeDurableWithItsManifest() throws Exception {
        HeldDurability held = new HeldDurability(engine);
        ChunkingEngine chunked = new ChunkingEngine(held, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        byte[] value = randomValue(MIB, 11);
        ChunkingEngine.Updated u = chunked.updateAsync(DATA, key("big"), old -> value);
        assertThat(chunked.get(DATA, key("big"))).isEqualTo(value);
        assertThat(held.writes()).isEqualTo(5);
        assertThat(u.durable()).isNotDone();
        held.release();
        u.durable().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anUpdateThatFailsToBecomeDurableThrowsTheStorageException() {
        HeldDurability held = new HeldDurability(engine);
        ChunkingEngine chunked = new ChunkingEngine(held, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        held.fail(new StorageException("disk gone"));
        assertThatThrownBy(() -> chunked.update(DATA, key("k"), old -> b("1")))
                .isInstanceOf(StorageException.class).hasMessage("disk gone");
    }

    @ParameterizedTest(name = "by put: {0}")
    @ValueSource(booleans = {false, true})
    void aLargeWriteWritesItsChunksWithoutHoldingTheKeysLock(boolean byPut) throws Exception {
        GatedChunks gate = new GatedChunks(chunkHolder(), 2);
        ChunkingEngine gated = separateChunkStore()
                ? new ChunkingEngine(engine, gate, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS)
                : new ChunkingEngine(gate, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            byte[] big = randomValue(MIB, 50);
            Future<CompletableFuture<Void>> large = writer.submit(() -> {
                if (byPut) {
                    gated.put(DATA, key("k"), big);
                    return CompletableFuture.<Void>completedFuture(null);
                }
                return gated.updateAsync(DATA, key("k"), big, current -> big).durable();
            });
            assertThat(gate.entered.await(10, TimeUnit.SECONDS)).as("the large write reached its second chunk").isTrue();
            // The large write is between its chunks: the key's lock is free for a small writer.
            ChunkingEngine.Updated small = gated.tryUpdateAsync(DATA, key("k"), current -> b("small"));
            assertThat(small).as("a small write while the large one writes its chunks").isNotNull();
            small.durable().get(10, TimeUnit.SECONDS);
            // A write in flight is not an orphan: its first chunk and journal entry are on disk already.
            assertThat(gated.collectOrphanChunks(DATA)).isZero();
            gate.release.countDown();
            large.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            assertThat(gated.get(DATA, key("k"))).isEqualTo(big);
            gated.flush();
            assertThat(countChunks(chunkHolder())).isEqualTo(4);
            assertThat(countEntries(chunkHolder(), ChunkingEngine.PENDING) + countEntries(engine, ChunkingEngine.RETIRING))
                    .isZero();
        } finally {
            gate.release.countDown();
            writer.shutdownNow();
            gated.close();
        }
    }

    @Test
    void aCandidateTheUpdateDoesNotStoreLeavesNoChunks() throws Exception {
        ChunkingEngine chunked = chunking();
        byte[] stored = randomValue(MIB, 51);
        chunked.put(DATA, key("k"), stored);
        byte[] candidate = randomValue(MIB + 5, 52);
        chunked.updateAsync(DATA, key("k"), candidate, current -> current).durable().get(10, TimeUnit.SECONDS);
        assertThat(chunked.get(DATA, key("k"))).as("an older candidate").isEqualTo(stored);
        assertThat(chunkCount()).isEqualTo(4);
        assertThat(journalEntries()).isZero();

        byte[] merged = randomValue(600_000, 53);
        chunked.updateByHeadAsync(DATA, key("k"), 64, candidate, current -> merged).durable().get(10, TimeUnit.SECONDS);
        assertThat(chunked.get(DATA, key("k"))).as("a value other than the candidate").isEqualTo(merged);
        assertThat(chunkCount()).isEqualTo(3);
        assertThat(journalEntries()).isZero();

        assertThatThrownBy(() -> chunked.updateAsync(DATA, key("k"), candidate, current -> {
            throw new IllegalStateException("refused");
        })).hasMessage("refused");
        assertThat(chunked.get(DATA, key("k"))).as("a refused candidate").isEqualTo(merged);
        assertThat(chunkCount()).isEqualTo(3);
        assertThat(journalEntries()).isZero();

        chunked.updateAsync(DATA, key("k"), candidate, current -> candidate).durable().get(10, TimeUnit.SECONDS);
        assertThat(chunked.get(DATA, key("k"))).isEqualTo(candidate);
        assertThat(chunkCount()).isEqualTo(5);
        assertThat(journalEntries()).isZero();
        assertThat(chunked.collectOrphanChunks(DATA)).isZero();
    }

    /** A decorator whose {@code blockAt}-th write of chunks waits, from its caller's thread, for {@link #release}. */
    private static final class GatedChunks extends WritesThrough {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final java.util.concurrent.atomic.AtomicInteger chunkWrites = new java.util.concurrent.atomic.AtomicInteger();
        private final int blockAt;

        GatedChunks(StorageEngine inner, int blockAt) {
            super(inner);
            this.blockAt = blockAt;
        }

        @Override
        public CompletableFuture<Void> writeAsync(WriteBatch batch) {
            boolean chunks = batch.mutations().stream().anyMatch(m -> m.namespace().equals(DATA.chunks())
                    && m instanceof Mutation.Put);
            if (chunks && chunkWrites.incrementAndGet() == blockAt) {
                entered.countDown();
                try {
                    if (!release.await(10, TimeUnit.SECONDS)) {
                        throw new StorageException("the test never released the write");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("interrupted");
                }
            }
            return inner.writeAsync(batch);
        }
    }

    /** A decorator whose async writes become durable only when the test says so (or fail as it says). */
    private static final class HeldDurability extends WritesThrough {
        private final CompletableFuture<Void> gate = new CompletableFuture<>();
        private final java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();

        HeldDurability(StorageEngine inner) {
            super(inner);
        }

        void release() {
            gate.complete(null);
        }

        void fail(StorageException e) {
            gate.completeExceptionally(e);
        }

        int writes() {
            return writes.get();
        }

        @Override
        public CompletableFuture<Void> writeAsync(WriteBatch batch) {
            writes.incrementAndGet();
            CompletableFuture<Void> applied = inner.writeAsync(batch);
            return applied.thenCompose(ignored -> gate);
        }
    }

    /**
     * A decorator of a test's engine whose blocking writes go through {@link #writeAsync}, the one
     * method its subclasses change; it leaves closing the engine to the test.
     */
    private abstract static class WritesThrough implements StorageEngine {
        protected final StorageEngine inner;

        WritesThrough(StorageEngine inner) {
            this.inner = inner;
        }

        @Override
        public abstract CompletableFuture<Void> writeAsync(WriteBatch batch);

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public byte[] get(Namespace ns, byte[] key) {
            return inner.get(ns, key);
        }

        @Override
        public void put(Namespace ns, byte[] key, byte[] value) {
            StorageEngine.awaitDurable(writeAsync(new WriteBatch().put(ns, key, value)));
        }

        @Override
        public void delete(Namespace ns, byte[] key) {
            StorageEngine.awaitDurable(writeAsync(new WriteBatch().delete(ns, key)));
        }

        @Override
        public void write(WriteBatch batch) {
            StorageEngine.awaitDurable(writeAsync(batch));
        }

        @Override
        public EntryIterator scan(Namespace ns, byte[] startInclusive, byte[] endExclusive) {
            return inner.scan(ns, startInclusive, endExclusive);
        }

        @Override
        public void flush() {
            inner.flush();
        }

        @Override
        public io.ringkv.storage.EngineStats stats() {
            return inner.stats();
        }

        @Override
        public void close() {
            // The test's engine is closed by the test.
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 65_536, 65_537, 262_144, 262_146, 1_048_576, 1_048_577, 1_300_000})
    void theEndsOfAValueAreItsFirstChunkAndLastBytes(int size) {
        ChunkingEngine chunked = chunking();
        byte[] value = randomValue(size, SEED ^ size);
        chunked.put(DATA, key("ends"), value);
        ChunkingEngine.ValueEnds ends = chunked.getEnds(DATA, key("ends"), 4);
        int chunk = ChunkingConfig.DEFAULT_CHUNK_BYTES;
        int lastChunk = size - (size - 1) / chunk * chunk;
        // Inline, or one chunk, or a last chunk shorter than the tail (read whole): the head is the value.
        int headLength = size <= ChunkingConfig.DEFAULT_THRESHOLD_BYTES || size <= chunk || lastChunk < 4 ? size : chunk;
        assertThat(ends.length()).as("size %d", size).isEqualTo(size);
        assertThat(ends.head()).as("size %d", size).isEqualTo(Arrays.copyOf(value, headLength));
        assertThat(ends.tail()).as("size %d", size).isEqualTo(Arrays.copyOfRange(value, Math.max(0, size - 4), size));
        assertThat(chunked.getEnds(DATA, key("absent"), 4)).isNull();
    }


    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65_536, 65_537, 1_048_577})
    void anInlineReadAnswersValuesUpToTheThresholdAndOnlySaysChunkedAboveIt(int size) {
        ChunkingEngine chunked = chunking();
        byte[] value = randomValue(size, SEED ^ size);
        chunked.put(DATA, key("inline"), value);
        ChunkingEngine.InlineValue found = chunked.getInline(DATA, key("inline"));
        if (size <= ChunkingConfig.DEFAULT_THRESHOLD_BYTES) {
            assertThat(found.chunked()).as("size %d", size).isFalse();
            assertThat(found.value()).as("size %d", size).isEqualTo(value);
        } else {
            assertThat(found).as("size %d", size).isSameAs(ChunkingEngine.InlineValue.CHUNKED);
            assertThat(chunked.get(DATA, key("inline"))).isEqualTo(value);
        }
        assertThat(chunked.getInline(DATA, key("absent"))).isNull();
    }
    @Test
    void chunksLeftByACrashAreCollected() {
        ChunkingEngine chunked = chunking();
        chunked.put(DATA, key("live"), randomValue(300_000, 7));
        // What a crash between chunk writes and the manifest leaves: chunks no manifest names.
        byte[] strayKey = Arrays.copyOf(key("never-finished"), key("never-finished").length + 12);
        chunkHolder().put(DATA.chunks(), strayKey, new byte[10]);
        assertThat(chunked.collectOrphanChunks(DATA)).isEqualTo(1);
        assertThat(chunkCount()).isEqualTo(2);
        assertThat(chunked.get(DATA, key("live"))).isEqualTo(randomValue(300_000, 7));
    }

    @Test
    void concurrentWritersToOneKeyNeverCorruptIt() throws Exception {
        ChunkingEngine chunked = chunking();
        byte[] k = key("contended");
        int writers = 4;
        int[] sizes = {10, 70_000, 600_000};
        // Each value starts with its own CRC so any read can be checked for integrity.
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            futures.add(pool.submit(() -> {
                start.await();
                Random random = new Random(SEED + writer);
                for (int i = 0; i < 60; i++) {
                    chunked.put(DATA, k, selfChecking(sizes[random.nextInt(sizes.length)], random));
                }
                return null;
            }));
        }
        for (int r = 0; r < 2; r++) {
            boolean whole = r == 0;
            futures.add(pool.submit(() -> {
                start.await();
                while (!stop.get()) {
                    if (whole) {
                        byte[] v = chunked.get(DATA, k);
                        if (v != null && !intact(v)) {
                            problems.add("torn value of " + v.length + " bytes");
                        }
                        continue;
                    }
                    // The partial reads retry on a vanished chunk as get does; an inline value comes whole.
                    ChunkingEngine.ValuePrefix p = chunked.getPrefix(DATA, k, 8);
                    if (p != null && (p.inline() ? !intact(p.prefix()) : p.prefix().length != 8)) {
                        problems.add("bad prefix of a value of " + p.length() + " bytes");
                    }
                    ChunkingEngine.ValueEnds e = chunked.getEnds(DATA, k, 4);
                    if (e != null && (Arrays.stream(sizes).noneMatch(size -> size == e.length()) || e.tail().length != 4)) {
                        problems.add("bad ends of a value of " + e.length() + " bytes");
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (int i = 0; i < writers; i++) {
            futures.get(i).get(120, TimeUnit.SECONDS);
        }
        stop.set(true);
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(problems).as("seed %d", SEED).isEmpty();
        byte[] last = chunked.get(DATA, k);
        assertThat(intact(last)).isTrue();
        long expectedChunks = last.length > ChunkingConfig.DEFAULT_THRESHOLD_BYTES
                ? (last.length + ChunkingConfig.DEFAULT_CHUNK_BYTES - 1) / ChunkingConfig.DEFAULT_CHUNK_BYTES : 0;
        assertThat(chunkCount()).isEqualTo(expectedChunks);
    }

    private static byte[] selfChecking(int size, Random random) {
        byte[] v = new byte[size];
        random.nextBytes(v);
        CRC32C crc = new CRC32C();
        crc.update(v, 4, size - 4);
        int c = (int) crc.getValue();
        v[0] = (byte) (c >>> 24);
        v[1] = (byte) (c >>> 16);
        v[2] = (byte) (c >>> 8);
        v[3] = (byte) c;
        return v;
    }

    private static boolean intact(byte[] v) {
        CRC32C crc = new CRC32C();
        crc.update(v, 4, v.length - 4);
        int c = (int) crc.getValue();
        return v[0] == (byte) (c >>> 24) && v[1] == (byte) (c >>> 16) && v[2] == (byte) (c >>> 8) && v[3] == (byte) c;
    }

    @Test
    void largeValuesSurviveReopen() {
        if (!persistent()) {
            return;
        }
        byte[] value = randomValue(5 * MIB, 8);
        chunking().put(DATA, key("big"), value);
        if (chunked != null) {
            chunked.close();
            chunked = null;
            chunkStore = open(dir.resolve("chunk-store"));
        } else {
            engine.close();
        }
        engine = open(dir);
        assertThat(chunking().get(DATA, key("big"))).isEqualTo(value);
    }

    private List<Entry> scanAll(Namespace ns) {
        List<Entry> out = new ArrayList<>();
        try (EntryIterator it = engine.scan(ns, new byte[0], null)) {
            it.forEachRemaining(out::add);
        }
        return out;
    }
}
