package io.ringkv.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.keyspace.ConflictMode;
import io.ringkv.storage.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsWorkOnALaptop() {
        NodeConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 7001));
        assertThat(c.advertise()).isEqualTo(c.listen());
        assertThat(c.id()).isEqualTo("node-7001");
        assertThat(c.backend()).isEqualTo("rocks");
        assertThat(c.sync()).isEqualTo(SyncMode.BATCH);
        assertThat(c.vnodes()).isEqualTo(1024);
        assertThat(c.replicas()).isEqualTo(3);
        assertThat(c.keyspaces().resolve("").n()).isEqualTo(3);
        assertThat(c.limits().maxKeyBytes()).isEqualTo(1024);
        assertThat(c.limits().maxValueBytes()).isEqualTo(16 * 1024 * 1024);
    }

    @Test
    void flagsOverrideEnvironmentWhichOverridesTheFile() throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, """
                id: from-file
                rack: file-rack
                listen: 127.0.0.1:7100
                seeds: [127.0.0.1:7100, 127.0.0.1:7101]
                keyspaces:
                  - {name: carts, n: 3, r: 1, w: 3, mode: causal}
                """);
        Map<String, String> env = Map.of("RINGKV_RACK", "env-rack", "RINGKV_ID", "from-env");
        Map<String, Object> flags = new HashMap<>();
        flags.put("id", "from-flag");
        flags.put("backend", null);
        NodeConfig c = ConfigLoader.load(file, env, flags);
        assertThat(c.id()).isEqualTo("from-flag");
        assertThat(c.rack()).isEqualTo("env-rack");
        assertThat(c.listen().port()).isEqualTo(7100);
        assertThat(c.seeds()).hasSize(2);
        assertThat(c.keyspaces().resolve("carts").mode()).isEqualTo(ConflictMode.CAUSAL);
        assertThat(c.keyspaces().resolve("carts").w()).isEqualTo(3);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data/from-flag"));
    }

    @Test
    void chunksLiveInTheDataDirectoryUnlessChunksDirSaysWhere() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("data_dir", "/var/lib/ringkv/n1")).chunksDir())
                .isEqualTo(Path.of("/var/lib/ringkv/n1/chunks"));
        assertThat(ConfigLoader.load(null, Map.of("RINGKV_CHUNKS_DIR", "/mnt/bulk/n1"), Map.of("data_dir", "/var/lib/ringkv/n1"))
                .chunksDir()).isEqualTo(Path.of("/mnt/bulk/n1"));
        for (String clash : new String[] {"/var/lib/ringkv/n1", "/var/lib/ringkv/n1/data", "/var/lib/ringkv/n1/catalog/",
                "/var/lib/ringkv/n1/x/../data"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("data_dir", "/var/lib/ringkv/n1", "chunks_dir", clash)))
                    .as(clash).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("chunks_dir " + Path.of(clash) + " must not be data_dir");
        }
    }

    @Test
    void mistakesAreNamed() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("lsten", "x")))
                .hasMessageContaining("unknown config key 'lsten'");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("listen", "nohost")))
                .hasMessageContaining("is not host:port");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("vnodes", "1000")))
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("sync", "sometimes")))
                .hasMessageContaining("always, batch or never");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("replicas", "2")))
                .hasMessageContaining("at least the largest keyspace N");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "keyspaces:\n  - {name: k, n: 3, r: 4}\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of(), Map.of())).hasMessageContaining("R must be in [1, N=3]");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml"), Map.of(), Map.of()))
                .hasMessageContaining("cannot read config file");
    }

    @Test
    void largeValueKeysComeFromFileEnvironmentAndFlagsWithTheirEdges() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).largeValues())
                .isEqualTo(io.ringkv.coordinator.priority.LargeValueSettings.DEFAULTS);
        NodeConfig c = ConfigLoader.load(null, Map.of("RINGKV_LARGE_VALUE_NICE", "19"), Map.of("large_value_threads", "64"));
        assertThat(c.largeValues().threads()).isEqualTo(64);
        assertThat(c.largeValues().nice()).isEqualTo(19);
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("large_value_threads", "1", "large_value_nice", "0"))
                .largeValues()).isEqualTo(new io.ringkv.coordinator.priority.LargeValueSettings(1, 0));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("large_value_threads", "0")))
                .hasMessageContaining("large_value_threads must be in [1, 64], was 0");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("large_value_nice", "20")))
                .hasMessageContaining("large_value_nice must be in [0, 19], was 20");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("large_value_nice", "-1")))
                .hasMessageContaining("large_value_nice must be in [0, 19], was -1");
        assertThat(ConfigLoader.load(null, Map.of("RINGKV_LARGE_VALUE_QUEUE", "1"), Map.of()).largeValues().queue()).isEqualTo(1);
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("large_value_queue", "65536")).largeValues().queue())
                .isEqualTo(65_536);
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("large_value_queue", "0")))
                .hasMessageContaining("large_value_queue must be in [1, 65536], was 0");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("large_value_queue", "65537")))
                .hasMessageContaining("large_value_queue must be in [1, 65536], was 65537");
    }

    @Test
    void bulkLaneKeysWithTheirEdges() throws Exception {
        io.ringkv.coordinator.priority.LargeValueSettings d = ConfigLoader.load(null, Map.of(), Map.of()).largeValues();
        assertThat(d.bulkPort()).isZero();
        assertThat(d.bulkLane()).isTrue();
        assertThat(d.bulkEventLoops()).isEqualTo(1);
        assertThat(ConfigLoader.load(null, Map.of("RINGKV_BULK_PORT", "65535"), Map.of()).largeValues().bulkPort())
                .isEqualTo(65_535);
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("bulk_port", "1", "bulk_event_loops", "16")).largeValues())
                .satisfies(l -> {
                    assertThat(l.bulkPort()).isEqualTo(1);
                    assertThat(l.bulkEventLoops()).isEqualTo(16);
                });
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("bulk_port", "off")).largeValues().bulkLane()).isFalse();
        Path file = dir.resolve("bulk.yaml");
        // YAML reads a bare off as false.
        Files.writeString(file, "bulk_port: off\n");
        assertThat(ConfigLoader.load(file, Map.of(), Map.of()).largeValues().bulkLane()).isFalse();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("bulk_port", "65536")))
                .hasMessageContaining("bulk_port must be off, 0 (any free port) or in [1, 65535], was 65536");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("bulk_port", "-1")))
                .hasMessageContaining("bulk_port must be off, 0 (any free port) or in [1, 65535], was -1");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("bulk_event_loops", "0")))
                .hasMessageContaining("bulk_event_loops must be in [1, 16], was 0");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("bulk_event_loops", "17")))
                .hasMessageContaining("bulk_event_loops must be in [1, 16], was 17");
    }

    @Test
    void storageKeysReachTheEngineAndTheirEdgesHold() {
        NodeConfig d = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(d.syncDelayMillis()).isZero();
        assertThat(d.engineOptions()).isEmpty();
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("sync_delay_millis", "1")).syncDelayMillis()).isEqualTo(1);
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("sync_delay_millis", "10000")).syncDelayMillis())
                .isEqualTo(10_000);
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("sync_delay_millis", "-1")))
                .hasMessageContaining("sync_delay_millis must be in [0, 10000], was -1");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("sync_delay_millis", "10001")))
                .hasMessageContaining("sync_delay_millis must be in [0, 10000], was 10001");

        NodeConfig c = ConfigLoader.load(null, Map.of("RINGKV_ROCKS_BLOCK_CACHE_BYTES", "8388608"),
                Map.of("rocks_background_priority", "normal", "rocks_background_write_bytes_per_sec", "16777216"));
        assertThat(c.engineOptions()).containsExactlyInAnyOrderEntriesOf(
                Map.of("rocks.block_cache_bytes", "8388608", "rocks.background_priority", "normal",
                        "rocks.background_write_bytes_per_sec", "16777216"));
        // The engine checks keys and values as the config loads, in the config's spelling: a node with
        // a bad one does not start, and nothing is opened to find out.
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("rocks_write_buffer_bytes", "12")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("option rocks_write_buffer_bytes must be in [");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("rocks_write_buffer", "1048576")))
                .hasMessageContaining("unknown rocks option 'rocks_write_buffer'; known: [")
                .hasMessageContaining("rocks_write_buffer_bytes");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGKV_ROCKS_DELETE_CHUNK_BYTES", "1048575"), Map.of()))
                .hasMessageContaining("option rocks_delete_chunk_bytes must be in [1048576, 1073741824], was 1048575");
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(".", "LOCK"))).isFalse();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("backend", "memory", "rocks_max_background_jobs", "4")))
                .hasMessageContaining("rocks_* keys (rocks_max_background_jobs) need backend rocks, not memory");
    }

    /** Every option the RocksDB engine knows can be set in a node's config as rocks_<option>. */
    @Test
    void everyRocksOptionTheEngineKnowsIsANodeConfigKey() {
        // The engine names its options when it refuses an unknown one.
        String refusal = org.assertj.core.api.Assertions.catchThrowable(() -> io.ringkv.storage.StorageEngines.open("rocks",
                io.ringkv.storage.EngineConfig.at(dir.resolve("known"), SyncMode.NEVER)
                        .withOptions(Map.of("rocks.no_such_option", "1")))).getMessage();
        java.util.regex.Matcher known = java.util.regex.Pattern.compile("known: \\[(.*)]").matcher(refusal);
        assertThat(known.find()).as(refusal).isTrue();
        java.util.List<String> options = java.util.Arrays.stream(known.group(1).split(",")).map(String::trim).toList();
        assertThat(options).contains("rocks.max_total_wal_bytes", "rocks.blob_min_bytes", "rocks.block_cache_bytes");
        // Each reaches the engine's own check: accepted, or refused for its value, never as an unknown key.
        for (String option : options) {
            String key = "rocks_" + option.substring("rocks.".length());
            try {
                assertThat(ConfigLoader.load(null, Map.of(), Map.of(key, "1048576")).engineOptions())
                        .as(key).containsEntry(option, "1048576");
            } catch (IllegalArgumentException refused) {
                assertThat(refused).hasMessageContaining(key).hasMessageNotContaining("unknown");
            }
        }
    }
}
