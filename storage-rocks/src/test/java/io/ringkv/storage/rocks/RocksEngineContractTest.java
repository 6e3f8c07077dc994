package io.ringkv.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.SyncMode;
import io.ringkv.storage.contract.StorageEngineContractTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RocksEngineContractTest extends StorageEngineContractTest {
    @Override
    protected StorageEngine open(Path dir) {
        return StorageEngines.open("rocks", EngineConfig.at(dir.resolve("db"), SyncMode.BATCH)
                .withOptions(Map.of("rocks.block_cache_bytes", "8388608", "rocks.write_buffer_bytes", "4194304")));
    }

    @Override
    protected boolean persistent() {
        return true;
    }

    @Test
    void isFoundByNameThroughTheServiceLoader() {
        assertThat(StorageEngines.available()).contains("rocks");
        assertThat(engine.name()).isEqualTo("rocks");
    }

    @Test
    void unknownOrOutOfRangeOptionsAreRefused() {
        assertThatThrownBy(() -> StorageEngines.open("rocks", EngineConfig.at(dir.resolve("x"), SyncMode.NEVER)
                .withOptions(Map.of("rocks.block_cache", "1")))).hasMessageContaining("unknown rocks option 'rocks.block_cache'");
        assertThatThrownBy(() -> StorageEngines.open("rocks", EngineConfig.at(dir.resolve("x"), SyncMode.NEVER)
                .withOptions(Map.of("rocks.write_buffer_bytes", "12")))).hasMessageContaining("must be in [");
        assertThatThrownBy(() -> StorageEngines.open("rocks", EngineConfig.ephemeral()))
                .hasMessageContaining("needs a data directory");
    }

    @Test
    void backgroundPriorityIsLowOrNormal() {
        assertThat(RocksSettings.from(EngineConfig.at(dir.resolve("p"), SyncMode.NEVER)).lowPriorityBackground()).isTrue();
        assertThat(RocksSettings.from(EngineConfig.at(dir.resolve("p"), SyncMode.NEVER)
                .withOptions(Map.of("rocks.background_priority", "normal"))).lowPriorityBackground()).isFalse();
        assertThatThrownBy(() -> StorageEngines.open("rocks", EngineConfig.at(dir.resolve("x"), SyncMode.NEVER)
                .withOptions(Map.of("rocks.background_priority", "idle"))))
                .hasMessageContaining("rocks.background_priority must be low or normal, was 'idle'");
    }

    @Test
    void backgroundWriteCapIsOffOrAtLeastOneMiBPerSecond() {
        EngineConfig base = EngineConfig.at(dir.resolve("r"), SyncMode.NEVER);
        assertThat(RocksSettings.from(base).backgroundWriteBytesPerSec()).isZero();
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.background_write_bytes_per_sec", "0")))
                .backgroundWriteBytesPerSec()).isZero();
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.background_write_bytes_per_sec", "1048576")))
                .backgroundWriteBytesPerSec()).isEqualTo(1 << 20);
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.background_write_bytes_per_sec", "1099511627776")))
                .backgroundWriteBytesPerSec()).isEqualTo(1L << 40);
        assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.background_write_bytes_per_sec", "1048575"))))
                .hasMessageContaining("rocks.background_write_bytes_per_sec must be 0 (off) or at least 1048576, was 1048575");
        assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.background_write_bytes_per_sec", "1099511627777"))))
                .hasMessageContaining("must be in [0, 1099511627776]");
    }

    @Test
    void chunkReadsBypassTheBlockCacheWhileOtherReadsFillIt() {
        try (RocksEngine rocks = (RocksEngine) StorageEngines.open("rocks", EngineConfig.at(dir.resolve("cache"), SyncMode.NEVER)
                .withOptions(Map.of("rocks.block_cache_bytes", "67108864")))) {
            Namespace chunks = Namespace.DATA.chunks();
            byte[] chunk = new byte[256 * 1024];
            new java.util.Random(7).nextBytes(chunk);
            for (int i = 0; i < 8; i++) {
                rocks.put(chunks, ("c" + i).getBytes(), chunk);
                rocks.put(Namespace.DATA, ("k" + i).getBytes(), chunk);
            }
            rocks.flush();
            long before = rocks.blockCacheUsage();
            for (int i = 0; i < 8; i++) {
                assertThat(rocks.get(chunks, ("c" + i).getBytes())).isEqualTo(chunk);
                assertThat(rocks.getInto(chunks, ("c" + i).getBytes(), new byte[chunk.length], 0, chunk.length))
                        .isEqualTo(chunk.length);
            }
            // Index and filter blocks may be loaded on the first read of a file: far less than one chunk.
            assertThat(rocks.blockCacheUsage() - before).isLessThan(chunk.length);
            for (int i = 0; i < 8; i++) {
                assertThat(rocks.get(Namespace.DATA, ("k" + i).getBytes())).isEqualTo(chunk);
            }
            assertThat(rocks.blockCacheUsage() - before).isGreaterThanOrEqualTo(8L * chunk.length);
        }
    }

    @Test
    void anEngineWithACappedBackgroundFlushesAndReadsBack() {
        try (StorageEngine capped = StorageEngines.open("rocks", EngineConfig.at(dir.resolve("capped"), SyncMode.BATCH)
                .withOptions(Map.of("rocks.background_write_bytes_per_sec", "1048576")))) {
            for (int i = 0; i < 100; i++) {
                capped.put(Namespace.DATA, ("k" + i).getBytes(), new byte[1024]);
            }
            capped.flush();
            assertThat(capped.get(Namespace.DATA, "k99".getBytes())).hasSize(1024);
        }
    }

    @Test
    void recycledLogFilesAreFourByDefaultAndZeroToSixtyFour() {
        EngineConfig base = EngineConfig.at(dir.resolve("r"), SyncMode.NEVER);
        assertThat(RocksSettings.from(base).recycleLogFiles()).isEqualTo(4);
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.recycle_log_files", "0"))).recycleLogFiles()).isZero();
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.recycle_log_files", "64"))).recycleLogFiles())
                .isEqualTo(64);
        assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.recycle_log_files", "65"))))
                .hasMessageContaining("must be in [0, 64]");
        assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.recycle_log_files", "-1"))))
                .hasMessageContaining("must be in [0, 64]");
    }

    /** A read of a key the memtable lacks is answered by the memtable's bloom filter, not its skip list. */
    @Test
    void readsOfKeysNotInTheMemtableAreTurnedAwayByItsBloomFilter() throws Exception {
        try (RocksEngine engine = RocksEngine.open(RocksSettings.from(EngineConfig.at(dir.resolve("bloom"), SyncMode.NEVER)))) {
            for (int i = 0; i < 1000; i++) {
                engine.put(Namespace.DATA, ("present" + i).getBytes(), new byte[100]);
            }
            org.rocksdb.RocksDB db = engine.rawDb();
            db.setPerfLevel(org.rocksdb.PerfLevel.ENABLE_COUNT);
            try {
                org.rocksdb.PerfContext perf = db.getPerfContext();
                perf.reset();
                for (int i = 0; i < 1000; i++) {
                    assertThat(engine.get(Namespace.DATA, ("absent" + i).getBytes())).isNull();
                }
                // Misses the filter answered; a few false positives may walk the list.
                assertThat(perf.getBloomMemtableMissCount()).isGreaterThanOrEqualTo(990);
                perf.reset();
                for (int i = 0; i < 1000; i++) {
                    assertThat(engine.get(Namespace.DATA, ("present" + i).getBytes())).hasSize(100);
                }
                assertThat(perf.getBloomMemtableHitCount()).isEqualTo(1000);
            } finally {
                db.setPerfLevel(org.rocksdb.PerfLevel.DISABLE);
            }
        }
    }

    @Test
    void blobFilesAreOffByDefaultAndTheThresholdIsOneByteToOneGibibyte() {
        EngineConfig base = EngineConfig.at(dir.resolve("b"), SyncMode.NEVER);
        assertThat(RocksSettings.from(base).blobMinBytes()).isZero();
        assertThat(RocksSettings.from(base).blobFiles()).isFalse();
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.blob_min_bytes", "1"))).blobFiles()).isTrue();
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.blob_min_bytes", "1073741824"))).blobMinBytes())
                .isEqualTo(1L << 30);
        assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.blob_min_bytes", "1073741825"))))
                .hasMessageContaining("rocks.blob_min_bytes must be in [0, 1073741824], was 1073741825");
        assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.blob_min_bytes", "-1"))))
                .hasMessageContaining("must be in [0, 1073741824]");
    }

    @Test
    void valuesAtTheBlobThresholdGoToBlobFilesAndReadBackAfterReopen() throws Exception {
        Path blobDir = dir.resolve("blobs");
        EngineConfig config = EngineConfig.at(blobDir, SyncMode.BATCH)
                .withOptions(Map.of("rocks.blob_min_bytes", "4096"));
        Namespace chunks = Namespace.DATA.chunks();
        java.util.Random random = new java.util.Random(7);
        byte[][] values = new byte[20][];
        try (StorageEngine engine = StorageEngines.open("rocks", config)) {
            for (int i = 0; i < values.length; i++) {
                // Alternately at the threshold and a chunk's size; small ones stay in the tree.
                values[i] = new byte[i % 2 == 0 ? 4096 : 256 * 1024];
                random.nextBytes(values[i]);
                engine.put(chunks, ("c" + i).getBytes(), values[i]);
                engine.put(chunks, ("s" + i).getBytes(), new byte[4095]);
            }
            engine.flush();
            assertThat(engine.stats().namespaces().get(chunks.name()).bytes()).isGreaterThanOrEqualTo(10L * 256 * 1024);
        }
        long blobBytes = bytesOf(filesEndingWith(blobDir, ".blob"));
        // Every value of at least 4096 bytes is in a blob file; the 4095-byte ones are not.
        assertThat(blobBytes).isBetween(10L * (4096 + 256 * 1024), 10L * (4096 + 256 * 1024) + 64 * 1024);
        try (StorageEngine engine = StorageEngines.open("rocks", config)) {
            for (int i = 0; i < values.length; i++) {
                assertThat(engine.get(chunks, ("c" + i).getBytes())).isEqualTo(values[i]);
                assertThat(engine.get(chunks, ("s" + i).getBytes())).hasSize(4095);
            }
        }
    }

    @Test
    void withoutTheOptionNoBlobFileIsWritten() throws Exception {
        Path plain = dir.resolve("plain");
        try (StorageEngine engine = StorageEngines.open("rocks", EngineConfig.at(plain, SyncMode.NEVER))) {
            engine.put(Namespace.DATA.chunks(), "c".getBytes(), new byte[256 * 1024]);
            engine.flush();
        }
        assertThat(filesEndingWith(plain, ".blob")).isEmpty();
    }

    @Test
    void theLiveLogCapIsTwoHundredFiftySixMebibytesByDefaultAndZeroOrAtLeastOneMebibyte() {
        EngineConfig base = EngineConfig.at(dir.resolve("w"), SyncMode.NEVER);
        assertThat(RocksSettings.from(base).maxTotalWalBytes()).isEqualTo(256L << 20);
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.max_total_wal_bytes", "0"))).maxTotalWalBytes())
                .isZero();
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.max_total_wal_bytes", "1048576")))
                .maxTotalWalBytes()).isEqualTo(1L << 20);
        assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.max_total_wal_bytes", "1048575"))))
                .hasMessageContaining("rocks.max_total_wal_bytes must be 0 (off) or at least 1048576, was 1048575");
    }

    @Test
    void deletePacingIsOffByDefaultAndTakesFourMebibytePieces() {
        EngineConfig base = EngineConfig.at(dir.resolve("d"), SyncMode.NEVER);
        RocksSettings defaults = RocksSettings.from(base);
        assertThat(defaults.deleteBytesPerSec()).isZero();
        assertThat(defaults.deleteChunkBytes()).isEqualTo(4L << 20);
        assertThat(defaults.maxTrashRatio()).isEqualTo(1.0);
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.delete_bytes_per_sec", "0"))).deleteBytesPerSec()).isZero();
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.delete_bytes_per_sec", "1048576"))).deleteBytesPerSec())
                .isEqualTo(1L << 20);
        assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.delete_bytes_per_sec", "1048575"))))
                .hasMessageContaining("rocks.delete_bytes_per_sec must be 0 (off) or at least 1048576, was 1048575");
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.delete_chunk_bytes", "1048576"))).deleteChunkBytes())
                .isEqualTo(1L << 20);
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.delete_chunk_bytes", "1073741824"))).deleteChunkBytes())
                .isEqualTo(1L << 30);
        for (String bad : List.of("1048575", "1073741825")) {
            assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.delete_chunk_bytes", bad))))
                    .hasMessageContaining("option rocks.delete_chunk_bytes must be in [1048576, 1073741824], was " + bad);
        }
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.delete_trash_percent", "1"))).maxTrashRatio()).isEqualTo(0.01);
        assertThat(RocksSettings.from(base.withOptions(Map.of("rocks.delete_trash_percent", "1000"))).maxTrashRatio()).isEqualTo(10.0);
        for (String bad : List.of("0", "1001")) {
            assertThatThrownBy(() -> RocksSettings.from(base.withOptions(Map.of("rocks.delete_trash_percent", bad))))
                    .hasMessageContaining("option rocks.delete_trash_percent must be in [1, 1000], was " + bad);
        }
    }

    /**
     * Tables a compaction made obsolete wait as {@code .trash} files and go at the pace set (4 MiB at
     * 1 MiB/s: seconds); with pacing off (0) they are deleted at once and no {@code .trash} file appears.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {0, 1 << 20})
    void compactedTablesAreDeletedAtThePaceSet(long rate) throws Exception {
        Path db = dir.resolve("paced-" + rate);
        EngineConfig config = EngineConfig.at(db, SyncMode.NEVER).withOptions(Map.of(
                "rocks.delete_bytes_per_sec", Long.toString(rate), "rocks.delete_chunk_bytes", "1048576",
                "rocks.delete_trash_percent", "1000", "rocks.write_buffer_bytes", "2097152"));
        try (RocksEngine engine = RocksEngine.open(RocksSettings.from(config))) {
            byte[] value = new byte[64 * 1024];
            java.util.Random random = new java.util.Random(5);
            // Four tables of 1 MiB of incompressible values, then one compaction makes all four obsolete.
            for (int i = 0; i < 64; i++) {
                random.nextBytes(value);
                engine.put(Namespace.DATA, ("k" + i).getBytes(), value);
                if (i % 16 == 15) {
                    engine.flush();
                }
            }
            List<Path> before = dataTables(engine, db);
            engine.rawDb().compactRange(engine.rawFamily(Namespace.DATA));
            List<Path> inputs = new ArrayList<>(before);
            inputs.removeAll(dataTables(engine, db));
            assertThat(inputs).as("tables the compaction made obsolete").hasSizeGreaterThanOrEqualTo(4);
            boolean sawTrash = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (inputs.stream().anyMatch(java.nio.file.Files::exists)
                    || !filesEndingWith(db, ".trash").isEmpty()) {
                sawTrash |= !filesEndingWith(db, ".trash").isEmpty();
                assertThat(System.nanoTime()).as("obsolete tables still on disk after 60 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(sawTrash).isEqualTo(rate > 0);
            assertThat(engine.get(Namespace.DATA, "k63".getBytes())).isEqualTo(value);
        }
    }

    private static List<Path> dataTables(RocksEngine engine, Path db) throws Exception {
        String family = new String(engine.rawFamily(Namespace.DATA).getName(), java.nio.charset.StandardCharsets.UTF_8);
        return engine.rawDb().getLiveFilesMetaData().stream()
                .filter(f -> new String(f.columnFamilyName(), java.nio.charset.StandardCharsets.UTF_8).equals(family))
                .map(f -> db.resolve(f.fileName().replaceFirst("^/", "")))
                .toList();
    }

    private static List<Path> filesEndingWith(Path db, String suffix) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(db)) {
            return files.filter(f -> f.toString().endsWith(suffix)).toList();
        }
    }

    /**
     * A namespace written once keeps every later log alive until it is flushed; the cap flushes it.
     * Without the cap (0) RocksDB allows four times all write buffers, here 16 MiB.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {0, 2 << 20})
    void aRarelyWrittenNamespaceKeepsLogsAliveOnlyUpToTheCap(long cap) throws Exception {
        Path logs = dir.resolve("wal-" + cap);
        EngineConfig config = EngineConfig.at(logs, SyncMode.NEVER).withOptions(Map.of(
                "rocks.max_total_wal_bytes", Long.toString(cap), "rocks.write_buffer_bytes", "1048576",
                "rocks.recycle_log_files", "0"));
        try (StorageEngine engine = StorageEngines.open("rocks", config)) {
            engine.put(Namespace.META, "journal".getBytes(), new byte[16]);
            byte[] value = new byte[64 * 1024];
            new java.util.Random(3).nextBytes(value);
            long maxLive = 0;
            // 24 MiB through the data namespace: 24 write buffers, so as many log switches.
            for (int i = 0; i < 384; i++) {
                engine.put(Namespace.DATA, ("k" + i).getBytes(), value);
                if (i % 16 == 15) {
                    maxLive = Math.max(maxLive, logBytes(logs));
                }
            }
            if (cap == 0) {
                assertThat(maxLive).isGreaterThan(8L << 20);
            } else {
                // The cap plus the log being written and one whose flush is under way.
                assertThat(maxLive).isLessThanOrEqualTo(cap + (3L << 20));
            }
            assertThat(engine.get(Namespace.META, "journal".getBytes())).hasSize(16);
        }
    }

    private static long logBytes(Path db) throws java.io.IOException {
        return bytesOf(filesEndingWith(db, ".log"));
    }

    private static long bytesOf(List<Path> files) {
        return files.stream().mapToLong(f -> f.toFile().length()).sum();
    }

    @Test
    void anEngineThatRecyclesItsLogsKeepsSyncedWritesAcrossReopen() {
        EngineConfig config = EngineConfig.at(dir.resolve("recycled"), SyncMode.BATCH)
                .withOptions(Map.of("rocks.recycle_log_files", "2", "rocks.write_buffer_bytes", "1048576"));
        for (int round = 0; round < 3; round++) {
            try (StorageEngine recycled = StorageEngines.open("rocks", config)) {
                if (round > 0) {
                    assertThat(recycled.get(Namespace.DATA, ("r" + (round - 1) + "-k299").getBytes())).hasSize(4096);
                }
                // Enough to switch memtables (and so log files) a few times in each round.
                for (int i = 0; i < 300; i++) {
                    recycled.put(Namespace.DATA, ("r" + round + "-k" + i).getBytes(), new byte[4096]);
                }
            }
        }
        try (StorageEngine recycled = StorageEngines.open("rocks", config)) {
            for (int round = 0; round < 3; round++) {
                assertThat(recycled.get(Namespace.DATA, ("r" + round + "-k0").getBytes())).hasSize(4096);
            }
        }
    }

    @Test
    void flushesRunAtTheLowestCpuPriority() throws Exception {
        // The engine under test has the default (low): a flush runs on RocksDB's HIGH pool thread, which lowers itself.
        engine.put(Namespace.DATA, new byte[] {1}, new byte[] {2});
        engine.flush();
        List<Integer> nices = new ArrayList<>();
        try (var tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String comm = java.nio.file.Files.readString(task.resolve("comm")).trim();
                if (comm.equals("rocksdb:high")) {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    // Fields after the ")" that closes the name: state is field 3, nice field 19.
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    nices.add(Integer.parseInt(fields[19 - 3]));
                }
            }
        }
        assertThat(nices).isNotEmpty().containsOnly(19);
    }

    @Test
    void withSyncAlwaysTheWriterDoesNotWaitForTheFsyncItself() throws Exception {
        // A writer that synced in its own call would hand back a future already complete, every time;
        // the fsync is another thread's, and the future completes once it covers the write.
        try (StorageEngine e = StorageEngines.open("rocks", EngineConfig.at(dir.resolve("always"), SyncMode.ALWAYS))) {
            int pendingOnReturn = 0;
            for (int i = 0; i < 100; i++) {
                java.util.concurrent.CompletableFuture<Void> durable = e.writeAsync(
                        new io.ringkv.storage.WriteBatch().put(Namespace.DATA, ("a" + i).getBytes(), new byte[] {(byte) i}));
                if (!durable.isDone()) {
                    pendingOnReturn++;
                }
                durable.get(10, TimeUnit.SECONDS);
            }
            assertThat(pendingOnReturn).as("writes whose fsync was still to come when writeAsync returned").isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void everySyncModeWritesAndReopens(SyncMode mode) throws Exception {
        Path path = dir.resolve("sync-" + mode);
        StorageEngine e = StorageEngines.open("rocks", EngineConfig.at(path, mode));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        e.put(Namespace.DATA, ("k" + thread + "-" + i).getBytes(), new byte[] {(byte) i});
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
            e.close();
        }
        try (StorageEngine reopened = StorageEngines.open("rocks", EngineConfig.at(path, mode))) {
            for (int t = 0; t < 4; t++) {
                for (int i = 0; i < 50; i++) {
                    assertThat(reopened.get(Namespace.DATA, ("k" + t + "-" + i).getBytes())).containsExactly((byte) i);
                }
            }
        }
    }
}
