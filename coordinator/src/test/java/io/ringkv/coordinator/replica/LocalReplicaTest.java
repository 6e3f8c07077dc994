package io.ringkv.coordinator.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.memory.MemoryEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import io.ringkv.storage.record.VersionKind;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalReplicaTest {
    private final MemoryEngine memory = new MemoryEngine();
    private final LocalReplica replica = new LocalReplica(
            new ChunkingEngine(memory, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS),
            Keyspaces.defaults(), StorageLimits.DEFAULTS);

    @org.junit.jupiter.api.Test
    void aLastWriterWinsWriteOverALargeRecordReadsOnlyItsHead() throws Exception {
        byte[] value = new byte[3 * 1024 * 1024];
        new Random(5).nextBytes(value);
        Record large = Record.value(VersionKind.LWW, new LwwVersion(5_000L << 16, "n1").encode(), 5_000, value);
        replica.apply(new ReplicaWrite("default", "big", large, RecordCodec.encode(large), 1, null));
        // Lose the record's last chunk: a write that read the whole record would fail on it.
        io.ringkv.storage.Namespace chunks = Keyspaces.defaults().resolve("default").namespace().chunks();
        byte[] lastChunk = null;
        try (io.ringkv.storage.EntryIterator it = memory.scan(chunks, new byte[0], null)) {
            while (it.hasNext()) {
                lastChunk = it.next().key();
            }
        }
        memory.delete(chunks, lastChunk);

        Record older = Record.value(VersionKind.LWW, new LwwVersion(4_000L << 16, "n2").encode(), 4_000, new byte[10]);
        replica.tryApplyAsync(new ReplicaWrite("default", "big", older, RecordCodec.encode(older), 1, null))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(replica.probe("default", "big").version()).as("the older write kept the large record")
                .isEqualTo(large.version());

        Record newer = Record.value(VersionKind.LWW, new LwwVersion(6_000L << 16, "n2").encode(), 6_000, new byte[10]);
        replica.tryApplyAsync(new ReplicaWrite("default", "big", newer, RecordCodec.encode(newer), 1, null))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(replica.get("default", "big").version()).isEqualTo(newer.version());
        assertThat(replica.get("default", "big").value()).hasSize(10);
    }

    @org.junit.jupiter.api.Test
    void aSmallWriteOfAKeyDoesNotWaitForALargeWriteOfItsChunks() throws Exception {
        MemoryEngine frames = new MemoryEngine();
        MemoryEngine chunks = new MemoryEngine();
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger chunkWrites = new java.util.concurrent.atomic.AtomicInteger();
        // The chunk store holds the large write at its second chunk until the test releases it.
        io.ringkv.storage.StorageEngine gated = (io.ringkv.storage.StorageEngine) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {io.ringkv.storage.StorageEngine.class}, (proxy, method, args) -> {
                    if (method.getName().equals("writeAsync") && chunkWrites.incrementAndGet() == 2) {
                        entered.countDown();
                        assertThat(release.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    }
                    try {
                        return method.invoke(chunks, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        ChunkingEngine engine = new ChunkingEngine(frames, gated, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        LocalReplica local = new LocalReplica(engine, Keyspaces.defaults(), StorageLimits.DEFAULTS);
        java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            byte[] value = new byte[3 * 1024 * 1024];
            new Random(6).nextBytes(value);
            Record large = Record.value(VersionKind.LWW, new LwwVersion(5_000L << 16, "n1").encode(), 5_000, value);
            java.util.concurrent.Future<?> largeWrite = writer.submit(() ->
                    local.apply(new ReplicaWrite("default", "k", large, RecordCodec.encode(large), 1, null)));
            assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            Record small = Record.value(VersionKind.LWW, new LwwVersion(6_000L << 16, "n2").encode(), 6_000, new byte[10]);
            var smallWrite = local.tryApplyAsync(new ReplicaWrite("default", "k", small, RecordCodec.encode(small), 1, null));
            assertThat(smallWrite).as("the key's lock is free while the large write writes its chunks").isNotNull();
            smallWrite.get(10, java.util.concurrent.TimeUnit.SECONDS);

            release.countDown();
            largeWrite.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(local.get("default", "k").version()).as("the newer small write stays").isEqualTo(small.version());
            long left = 0;
            try (io.ringkv.storage.EntryIterator it = chunks.scan(
                    Keyspaces.defaults().resolve("default").namespace().chunks(), new byte[0], null)) {
                while (it.hasNext()) {
                    it.next();
                    left++;
                }
            }
            assertThat(left).as("the older large record's chunks, deleted").isZero();
        } finally {
            release.countDown();
            writer.shutdownNow();
            engine.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1_000, 70_000, 262_140, 262_150, 3 * 1024 * 1024 + 7})
    void aDigestReadAnswersWhatAFullReadWouldWithoutTheValue(int valueBytes) {
        byte[] value = new byte[valueBytes];
        new Random(valueBytes).nextBytes(value);
        byte[] version = new LwwVersion(1_000L << 16, "n1").encode();
        Record record = Record.value(VersionKind.LWW, version, 1_000, value);
        replica.apply(new ReplicaWrite("default", "k", record, RecordCodec.encode(record), 1, null));

        ReadReply full = replica.read(new ReplicaRead("default", "k", false, 1));
        ReadReply digest = replica.read(new ReplicaRead("default", "k", true, 1));

        assertThat(full.record().value()).isEqualTo(value);
        assertThat(digest.record()).isNull();
        assertThat(digest.found()).isTrue();
        assertThat(digest.digest()).as("%d bytes", valueBytes).isEqualTo(full.digest());
        assertThat(digest.version()).isEqualTo(version);
        assertThat(replica.summary("default", "k").size()).isEqualTo(RecordCodec.encode(record).length);
        assertThat(replica.read(new ReplicaRead("default", "absent", true, 1))).isSameAs(ReadReply.ABSENT);
    }

    @org.junit.jupiter.api.Test
    void onlySmallWritesForThisNodeAreTriedWithoutWaiting() throws Exception {
        byte[] version = new LwwVersion(2_000L << 16, "n1").encode();
        Record small = Record.value(VersionKind.LWW, version, 2_000, new byte[100]);
        Record large = Record.value(VersionKind.LWW, version, 2_000, new byte[ChunkingConfig.DEFAULT_THRESHOLD_BYTES + 1]);
        ReplicaWrite hint = new ReplicaWrite("default", "h", small, RecordCodec.encode(small), 1, "n2");

        assertThat(replica.tryApplyAsync(new ReplicaWrite("default", "l", large, RecordCodec.encode(large), 1, null))).isNull();
        assertThat(replica.tryApplyAsync(hint)).isNull();
        assertThat(replica.get("default", "l")).isNull();
        replica.tryApplyAsync(new ReplicaWrite("default", "s", small, RecordCodec.encode(small), 1, null))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(replica.get("default", "s").value()).hasSize(100);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1_000, 65_000, 70_000, 3 * 1024 * 1024 + 7})
    void aTriedReadAnswersInlineRecordsAndLeavesChunkedOnesToAFullRead(int valueBytes) {
        byte[] value = new byte[valueBytes];
        new Random(valueBytes).nextBytes(value);
        Record record = Record.value(VersionKind.LWW, new LwwVersion(3_000L << 16, "n1").encode(), 3_000, value);
        byte[] encoded = RecordCodec.encode(record);
        replica.apply(new ReplicaWrite("default", "t", record, encoded, 1, null));

        ReadReply tried = replica.tryRead(new ReplicaRead("default", "t", false, 1));
        ReadReply full = replica.read(new ReplicaRead("default", "t", false, 1));

        assertThat(full.record().value()).isEqualTo(value);
        if (encoded.length <= ChunkingConfig.DEFAULT_THRESHOLD_BYTES) {
            assertThat(tried.record().value()).as("%d bytes", valueBytes).isEqualTo(value);
            assertThat(tried.digest()).isEqualTo(full.digest());
            assertThat(tried.version()).isEqualTo(full.version());
        } else {
            assertThat(tried).as("%d bytes", valueBytes).isNull();
        }
        // Digest reads and absent keys never need a chunk: always answered.
        assertThat(replica.tryRead(new ReplicaRead("default", "t", true, 1)).digest()).isEqualTo(full.digest());
        assertThat(replica.tryRead(new ReplicaRead("default", "absent", false, 1))).isSameAs(ReadReply.ABSENT);
    }

    /** A memory engine that counts the bytes its reads copy out, to show a probe never reads a large value whole. */
    private static io.ringkv.storage.StorageEngine counting(java.util.concurrent.atomic.AtomicLong copied) {
        io.ringkv.storage.StorageEngine inner = new MemoryEngine();
        return (io.ringkv.storage.StorageEngine) java.lang.reflect.Proxy.newProxyInstance(
                LocalReplicaTest.class.getClassLoader(), new Class<?>[] {io.ringkv.storage.StorageEngine.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(inner, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("get") && result != null) {
                        copied.addAndGet(((byte[]) result).length);
                    } else if (method.getName().equals("getInto")) {
                        copied.addAndGet(Math.max(0, Math.min((int) result, (int) args[4])));
                    }
                    return result;
                });
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1_000, 70_000, 3 * 1024 * 1024 + 7})
    void aProbeReadsAnInlineRecordWholeAndOnlyTheHeadOfAChunkedOne(int valueBytes) {
        java.util.concurrent.atomic.AtomicLong copied = new java.util.concurrent.atomic.AtomicLong();
        LocalReplica counted = new LocalReplica(new ChunkingEngine(counting(copied), ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS),
                Keyspaces.defaults(), StorageLimits.DEFAULTS);
        byte[] value = new byte[valueBytes];
        new Random(valueBytes).nextBytes(value);
        byte[] version = new LwwVersion(3_000L << 16, "n1").encode();
        Record record = Record.value(VersionKind.LWW, version, 3_000, value);
        counted.apply(new ReplicaWrite("default", "k", record, RecordCodec.encode(record), 1, null));

        copied.set(0);
        LocalReplica.Probe probe = counted.probe("default", "k");
        if (RecordCodec.encode(record).length <= ChunkingConfig.DEFAULT_THRESHOLD_BYTES) {
            assertThat(probe.reply().record().value()).isEqualTo(value);
            assertThat(probe.chunkedValueBytes()).isEqualTo(-1);
        } else {
            assertThat(probe.reply()).isNull();
            assertThat(probe.chunkedValueBytes()).isEqualTo(valueBytes);
            assertThat(probe.version()).isEqualTo(version);
            assertThat(copied.get()).as("bytes copied out of the engine").isLessThan(8 * 1024);
        }
        assertThat(counted.probe("default", "absent").reply()).isSameAs(ReadReply.ABSENT);

        // A tombstone is small, so read whole: the caller reads as usual.
        Record tomb = Record.tombstone(VersionKind.LWW, version, 3_000);
        counted.apply(new ReplicaWrite("default", "t", tomb, RecordCodec.encode(tomb), 1, null));
        assertThat(counted.probe("default", "t").reply().found()).isTrue();
    }
}
