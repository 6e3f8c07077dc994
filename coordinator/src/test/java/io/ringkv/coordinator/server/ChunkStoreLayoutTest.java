package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.client.RingkvClient;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where three real RocksDB nodes keep large values' chunks: in {@code <data_dir>/chunks}, a RocksDB
 * of their own, on a fresh directory and after a restart; in {@code <data_dir>/data} when that
 * already holds chunks (a directory from before the split).
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

    private static void writeLargeAndSmall(Path dir, long seed) throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, dir, "rocks", Map.of());
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
