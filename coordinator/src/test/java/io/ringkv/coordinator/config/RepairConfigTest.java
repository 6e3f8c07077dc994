package io.ringkv.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.repair.RepairSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repair and tombstone keys: defaults, precedence, and each limit at its edge. */
class RepairConfigTest {
    private static final long DAY = RepairSettings.DAY_MILLIS;

    @TempDir
    Path dir;

    private static RepairSettings with(String key, Object value) {
        return ConfigLoader.load(null, Map.of(), Map.of(key, value)).repair();
    }

    private static void refused(String key, Object value, String message) {
        assertThatThrownBy(() -> with(key, value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).hasMessageNotContaining("\n");
    }

    @Test
    void defaults() {
        RepairSettings r = ConfigLoader.load(null, Map.of(), Map.of()).repair();
        assertThat(r).isEqualTo(RepairSettings.DEFAULTS);
        assertThat(r.intervalMillis()).isEqualTo(DAY);
        assertThat(r.gcGraceMillis()).isEqualTo(10 * DAY);
        assertThat(r.bytesPerSecond()).isEqualTo(16L << 20);
        assertThat(r.concurrentVnodes()).isEqualTo(2);
        assertThat(r.pauseP99Millis()).isEqualTo(50);
        assertThat(r.keysInFlight()).isEqualTo(64);
        assertThat(r.pauseWindowMillis()).isEqualTo(60_000);
        assertThat(r.merkleDepth()).isEqualTo(3);
        assertThat(r.schedulerEnabled()).isTrue();
    }

    @Test
    void fileEnvironmentAndFlagsInThatOrder() throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "repair_interval: 12h\ngc_grace: 3d\nmerkle_depth: 2\n");
        NodeConfig c = ConfigLoader.load(file, Map.of("RINGKV_GC_GRACE", "4d", "RINGKV_REPAIR_CONCURRENT_VNODES", "4"),
                Map.of("merkle_depth", 4));
        assertThat(c.repair().intervalMillis()).isEqualTo(12 * 3_600_000L);
        assertThat(c.repair().gcGraceMillis()).isEqualTo(4 * DAY);
        assertThat(c.repair().concurrentVnodes()).isEqualTo(4);
        assertThat(c.repair().merkleDepth()).isEqualTo(4);
    }

    @Test
    void aBareOffInTheFileTurnsTheSchedulerOff() throws Exception {
        Path file = dir.resolve("off.yaml");
        Files.writeString(file, "repair_interval: off\n");
        assertThat(ConfigLoader.load(file, Map.of(), Map.of()).repair().schedulerEnabled()).isFalse();
        Files.writeString(file, "repair_interval: on\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessageContaining("repair_interval must be a whole number with a unit");
    }

    @Test
    void durationsTakeAUnit() {
        assertThat(with("repair_interval", "90m").intervalMillis()).isEqualTo(90 * 60_000L);
        assertThat(with("repair_interval", "1500ms").intervalMillis()).isEqualTo(1_500);
        assertThat(with("repair_interval", "off").intervalMillis()).isZero();
        assertThat(with("repair_interval", "off").schedulerEnabled()).isFalse();
        assertThat(with("gc_grace", "36h").gcGraceMillis()).isEqualTo(36 * 3_600_000L);
        refused("gc_grace", "10", "gc_grace must be a whole number with a unit");
        refused("repair_interval", "ten days", "must be a whole number with a unit");
    }

    @Test
    void repairIntervalEdges() {
        assertThat(with("repair_interval", "1s").intervalMillis()).isEqualTo(1_000);
        refused("repair_interval", "999ms", "repair_interval must be off or in [1s, 365d]");
        assertThat(with("repair_interval", "365d").intervalMillis()).isEqualTo(365 * DAY);
        refused("repair_interval", "366d", "repair_interval must be off or in [1s, 365d]");
    }

    @Test
    void gcGraceEdges() {
        assertThat(with("gc_grace", "0s").gcGraceMillis()).isZero();
        assertThat(with("gc_grace", "3650d").gcGraceMillis()).isEqualTo(3650 * DAY);
        refused("gc_grace", "3651d", "gc_grace must be in [0, 3650d]");
    }

    @Test
    void bytesPerSecondEdges() {
        assertThat(with("repair_bytes_per_second", 1024).bytesPerSecond()).isEqualTo(1024);
        refused("repair_bytes_per_second", 1023, "repair_bytes_per_second must be at least 1024");
        refused("repair_bytes_per_second", "fast", "repair_bytes_per_second must be a whole number");
    }

    @Test
    void concurrentVnodesEdges() {
        assertThat(with("repair_concurrent_vnodes", 1).concurrentVnodes()).isEqualTo(1);
        assertThat(with("repair_concurrent_vnodes", 64).concurrentVnodes()).isEqualTo(64);
        refused("repair_concurrent_vnodes", 0, "repair_concurrent_vnodes must be in [1, 64]");
        refused("repair_concurrent_vnodes", 65, "repair_concurrent_vnodes must be in [1, 64]");
    }

    @Test
    void pauseP99Edges() {
        assertThat(with("repair_pause_p99_ms", 0).pauseP99Millis()).isZero();
        assertThat(with("repair_pause_p99_ms", 60_000).pauseP99Millis()).isEqualTo(60_000);
        refused("repair_pause_p99_ms", -1, "repair_pause_p99_ms must be in [0, 60000]");
        refused("repair_pause_p99_ms", 60_001, "repair_pause_p99_ms must be in [0, 60000]");
    }

    @Test
    void merkleDepthEdges() {
        assertThat(with("merkle_depth", 1).merkleDepth()).isEqualTo(1);
        assertThat(with("merkle_depth", 6).merkleDepth()).isEqualTo(6);
        refused("merkle_depth", 0, "merkle_depth must be in [1, 6]");
        refused("merkle_depth", 7, "merkle_depth must be in [1, 6]");
    }

    @Test
    void rpcTimeoutEdges() {
        assertThat(with("repair_rpc_timeout_millis", 1).rpcTimeoutMillis()).isEqualTo(1);
        refused("repair_rpc_timeout_millis", 0, "repair_rpc_timeout_millis must be positive");
    }

    @Test
    void keysInFlightEdges() {
        assertThat(with("repair_keys_in_flight", 1).keysInFlight()).isEqualTo(1);
        assertThat(with("repair_keys_in_flight", 1024).keysInFlight()).isEqualTo(1024);
        refused("repair_keys_in_flight", 0, "repair_keys_in_flight must be in [1, 1024]");
        refused("repair_keys_in_flight", 1025, "repair_keys_in_flight must be in [1, 1024]");
        refused("repair_keys_in_flight", 4_294_967_297L, "repair_keys_in_flight must be in [1, 1024]");
        assertThat(ConfigLoader.load(null, Map.of("RINGKV_REPAIR_KEYS_IN_FLIGHT", "8"), Map.of()).repair().keysInFlight())
                .isEqualTo(8);
    }

    @Test
    void pauseWindowEdges() {
        assertThat(with("repair_pause_window", "1s").pauseWindowMillis()).isEqualTo(1_000);
        assertThat(with("repair_pause_window", "1h").pauseWindowMillis()).isEqualTo(3_600_000);
        assertThat(with("repair_pause_window", "90s").pauseWindowMillis()).isEqualTo(90_000);
        refused("repair_pause_window", "999ms", "repair_pause_window must be in [1s, 1h]");
        refused("repair_pause_window", "3601s", "repair_pause_window must be in [1s, 1h]");
        refused("repair_pause_window", "60", "repair_pause_window must be a whole number with a unit");
    }
}
