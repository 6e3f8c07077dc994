package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.client.RingkvClient;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.SyncMode;
import io.ringkv.storage.WriteBatch;
import io.ringkv.storage.chunk.ChunkingEngine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where three real RocksDB nodes keep large values' chunks: in {@code <data_dir>/chunks}, a RocksDB
 * of their own, on a fresh directory and after a restart; in {@code chunks_dir} when set, which a
 * restart must name again; in {@code <data_dir>/data} when that
 * already holds chunks (a directory from before the split); and what a node does at start with the
 * chunks of a write a crash cut short.
 */
class ChunkStoreLayoutTest {
    private static final int LARGE = 1536 * 1024;

    @TempDir
    Path dir;

    @Test
    void freshNodesKeepChunksInAnEngineOfTheirOwnAcrossRestarts() throws Exception {
        Path fresh = dir.resolve("fresh");
        writeLargeAndSmall(fresh, 11);
        for (int i = 1; i <= 3; i++) {
            Path node = fresh.resolve("n" + i);
            assertThat(chunkKeys(node.resolve("data"))).as("n%d data", i).isZero();
            assertThat(chunkKeys(node.resolve("chunks"))).as("n%d chunks", i).isPositive();
        }
        try (LocalCluster cluster = new LocalCluster(3, fresh, "rocks", Map.of());
             RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).build()) {
            for (int k = 0; k < 3; k++) {
                assertThat(client.get("large-" + k).latest()).map(v -> v.value()).hasValue(value(11, k));
            }
        }
    }

    @Test
    void chunksDirPutsChunksOnAnotherVolumeAndANodePointedElsewhereRefusesToStart() throws Exception {
        Path nodes = dir.resolve("moved");
        Path bulk = dir.resolve("bulk");
        writeLargeAndSmall(nodes, 14, Map.of("chunks_dir", bulk.toString()));
        for (int i = 1; i <= 3; i++) {
            Path node = nodes.resolve("n" + i);
            assertThat(Files.exists(node.resolve("chunks"))).as("n%d <data_dir>/chunks", i).isFalse();
            assertThat(chunkKeys(node.resolve("data"))).as("n%d data", i).isZero();
            assertThat(chunkKeys(bulk.resolve("n" + i))).as("n%d chunks_dir", i).isPositive();
        }
        try (LocalCluster cluster = new LocalCluster(3, nodes, "rocks", Map.of("chunks_dir", bulk.toString()));
             RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).build()) {
            for (int k = 0; k < 3; k++) {
                assertThat(client.get("large-" + k).latest()).map(v -> v.value()).hasValue(value(14, k));
            }
        }
        // Forgotten on restart (the default again) or mistyped: the node does not serve manifests without chunks.
        for (Map<String, Object> wrong : List.<Map<String, Object>>of(Map.of(), Map.of("chunks_dir", dir.resolve("bluk").toString()))) {
            assertThatThrownBy(() -> new LocalCluster(3, nodes, "rocks", wrong).close())
                    .hasStackTraceContaining("is not the chunk store of")
                    .hasStackTraceContaining(pairingId(nodes.resolve("n1")));
        }
    }

    @Test
    void aDataEngineThatAlreadyHoldsChunksKeepsThem() throws Exception {
        Path legacy = dir.resolve("legacy");
        for (int i = 1; i <= 3; i++) {
            try (StorageEngine data = StorageEngines.open("rocks", EngineConfig.at(legacy.resolve("n" + i).resolve("data"),
                    SyncMode.NEVER))) {
                data.put(Namespace.HINTS.chunks(), new byte[16], new byte[8]);
            }
        }
        writeLargeAndSmall(legacy, 12);
        for (int i = 1; i <= 3; i++) {
            Path node = legacy.resolve("n" + i);
            assertThat(Files.exists(node.resolve("chunks"))).as("n%d chunks directory", i).isFalse();
            assertThat(chunkKeys(node.resolve("data"))).as("n%d data", i).isGreaterThan(1);
        }
    }

    @Test
    void aNodeDeletesTheChunksOfAWriteACrashCutShortWhenItStarts() throws Exception {
        Path crashed = dir.resolve("crashed");
        writeLargeAndSmall(crashed, 13);
        Path chunks = crashed.resolve("n1").resolve("chunks");
        // What a crash between a value's first chunk and its manifest leaves: the chunk and its journal entry.
        byte[] key = "never-finished".getBytes(StandardCharsets.UTF_8);
        long id = 0x1234_5678_9abcL;
        byte[] chunkKey = ByteBuffer.allocate(key.length + 12).put(key).putLong(id).putInt(0).array();
        byte[] entry = ByteBuffer.allocate(1 + 4 + key.length + 8).put((byte) 4)
                .put("data".getBytes(StandardCharsets.US_ASCII)).put(key).putLong(id).array();
        try (StorageEngine engine = StorageEngines.open("rocks", EngineConfig.at(chunks, SyncMode.ALWAYS))) {
            engine.write(new WriteBatch().put(Namespace.DATA.chunks(), chunkKey, new byte[1000])
                    .put(ChunkingEngine.PENDING, entry, new byte[0]));
        }
        try (LocalCluster cluster = new LocalCluster(3, crashed, "rocks", Map.of());
             RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).build()) {
            for (int k = 0; k < 3; k++) {
                assertThat(client.get("large-" + k).latest()).map(v -> v.value()).hasValue(value(13, k));
            }
        }
        try (StorageEngine engine = StorageEngines.open("rocks", EngineConfig.at(chunks, SyncMode.NEVER))) {
            assertThat(engine.get(Namespace.DATA.chunks(), chunkKey)).as("the orphan chunk").isNull();
            try (EntryIterator it = engine.scan(ChunkingEngine.PENDING, new byte[0], null)) {
                assertThat(it.hasNext()).as("journal entries left").isFalse();
            }
        }
    }

    private static void writeLargeAndSmall(Path dir, long seed) throws Exception {
        writeLargeAndSmall(dir, seed, Map.of());
    }

    private static void writeLargeAndSmall(Path dir, long seed, Map<String, Object> extra) throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, dir, "rocks", extra);
             RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).build()) {
            for (int k = 0; k < 3; k++) {
                client.put("large-" + k, value(seed, k));
                client.put("small-" + k, new byte[100]);
            }
            for (int k = 0; k < 3; k++) {
                assertThat(client.get("large-" + k).latest()).map(v -> v.value()).hasValue(value(seed, k));
            }
        }
    }

    /** The pairing id a node's data directory holds. */
    private static String pairingId(Path node) throws java.io.IOException {
        return Files.readString(node.resolve(ChunkStorePairing.ID_FILE)).trim();
    }

    private static byte[] value(long seed, int k) {
        byte[] v = new byte[LARGE + k];
        new Random(seed * 31 + k).nextBytes(v);
        return v;
    }

    /** Keys in the chunk namespaces of the RocksDB in {@code path}, from its own statistics. */
    private static long chunkKeys(Path path) {
        try (StorageEngine engine = StorageEngines.open("rocks", EngineConfig.at(path, SyncMode.NEVER))) {
            EngineStats stats = engine.stats();
            return stats.namespaces().entrySet().stream().filter(e -> e.getKey().indexOf('.') >= 0)
                    .mapToLong(e -> e.getValue().keys()).sum();
        }
    }
}
