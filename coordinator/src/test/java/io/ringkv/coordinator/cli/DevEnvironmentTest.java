package io.ringkv.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.config.ConfigLoader;
import io.ringkv.coordinator.config.NodeConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What of the environment reaches a {@code ringkv dev} node: shared settings yes, per-node ones no. */
class DevEnvironmentTest {
    private static final Map<String, String> ENV = Map.of(
            "RINGKV_ROCKS_DELETE_BYTES_PER_SEC", "1048576",
            "RINGKV_READ_REPAIR_CHANCE", "0.5",
            "RINGKV_LISTEN", "10.0.0.1:7001",
            "RINGKV_DATA_DIR", "/elsewhere",
            "RINGKV_CHUNKS_DIR", "/shared",
            "RINGKV_MEMBERSHIP", "consul",
            "OTEL_TRACES_EXPORTER", "otlp",
            "HOME", "/root");

    @Test
    void sharedSettingsAndTelemetryPassWhilePerNodeKeysAndOtherVariablesDoNot() {
        assertThat(DevCommand.nodeEnvironment(ENV)).containsOnlyKeys(
                "RINGKV_ROCKS_DELETE_BYTES_PER_SEC", "RINGKV_READ_REPAIR_CHANCE", "OTEL_TRACES_EXPORTER");
    }

    @Test
    void aDevNodeGetsTheRocksOptionFromTheEnvironmentAndItsAddressFromDev() {
        NodeConfig node = ConfigLoader.load(null, DevCommand.nodeEnvironment(ENV),
                Map.of("id", "n1", "listen", "127.0.0.1:7001", "data_dir", "/tmp/dev/n1"));
        assertThat(node.engineOptions()).containsEntry("rocks.delete_bytes_per_sec", "1048576");
        assertThat(node.readRepairChance()).isEqualTo(0.5);
        assertThat(node.listen().port()).isEqualTo(7001);
        assertThat(node.listen().host()).isEqualTo("127.0.0.1");
        assertThat(node.chunksDir().toString()).doesNotStartWith("/shared");
        assertThat(node.membership()).isEqualTo("static");
    }
}
