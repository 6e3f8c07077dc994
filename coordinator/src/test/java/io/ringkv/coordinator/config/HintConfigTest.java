package io.ringkv.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.handoff.HintSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hinted handoff keys and the keyspace {@code sloppy} flag, each at its edges. */
class HintConfigTest {
    @TempDir
    Path dir;

    private static HintSettings hints(String key, Object value) {
        return ConfigLoader.load(null, Map.of(), Map.of(key, value)).hints();
    }

    @Test
    void defaults() {
        HintSettings h = ConfigLoader.load(null, Map.of(), Map.of()).hints();
        assertThat(h.maxBytesPerTarget()).isEqualTo(1L << 30);
        assertThat(h.maxBytesTotal()).isEqualTo(4L << 30);
        assertThat(h.maxHintWindowMillis()).isEqualTo(3 * 3_600_000L);
        assertThat(h.replayBytesPerSecond()).isEqualTo(16L << 20);
        assertThat(h.replayIntervalMillis()).isEqualTo(1_000);
        assertThat(h.deliveryTimeoutMillis()).as("replica_timeout_millis").isEqualTo(2_000);
    }

    @Test
    void byteCapsAcceptZeroAndRefuseNegatives() {
        assertThat(hints("hints_max_bytes_per_target", "0").maxBytesPerTarget()).isZero();
        assertThat(hints("hints_max_bytes_total", "0").maxBytesTotal()).isZero();
        assertThat(hints("hints_max_bytes_total", String.valueOf(Long.MAX_VALUE)).maxBytesTotal()).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> hints("hints_max_bytes_per_target", "-1")).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> hints("hints_max_bytes_total", "-1")).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> hints("hints_max_bytes_total", "4GiB")).hasMessageContaining("must be a whole number");
    }

    @Test
    void theHintWindowIsADuration() {
        assertThat(hints("max_hint_window", "3h").maxHintWindowMillis()).isEqualTo(10_800_000);
        assertThat(hints("max_hint_window", "30m").maxHintWindowMillis()).isEqualTo(1_800_000);
        assertThat(hints("max_hint_window", "90s").maxHintWindowMillis()).isEqualTo(90_000);
        assertThat(hints("max_hint_window", "500ms").maxHintWindowMillis()).isEqualTo(500);
        assertThat(hints("max_hint_window", 250).maxHintWindowMillis()).as("plain ms").isEqualTo(250);
        assertThat(hints("max_hint_window", "0").maxHintWindowMillis()).as("0: hint only nodes not yet down").isZero();
        assertThatThrownBy(() -> hints("max_hint_window", "-1s")).hasMessageContaining("must be a duration");
        assertThatThrownBy(() -> hints("max_hint_window", "3 days")).hasMessageContaining("must be a duration");
        assertThatThrownBy(() -> hints("max_hint_window", "1000000000000000h")).hasMessageContaining("must be a duration");
    }

    @Test
    void replayRateAndIntervalMustBePositive() {
        assertThat(hints("hint_replay_bytes_per_second", "1").replayBytesPerSecond()).isEqualTo(1);
        assertThatThrownBy(() -> hints("hint_replay_bytes_per_second", "0")).hasMessageContaining("must be in [1, ");
        assertThat(hints("hint_replay_bytes_per_second", "4611686018").replayBytesPerSecond()).isEqualTo(4611686018L);
        assertThatThrownBy(() -> hints("hint_replay_bytes_per_second", "4611686019")).hasMessageContaining("must be in [1, ");
        assertThat(hints("hint_replay_interval", "1ms").replayIntervalMillis()).isEqualTo(1);
        assertThat(hints("hint_replay_interval", "2s").replayIntervalMillis()).isEqualTo(2_000);
        assertThatThrownBy(() -> hints("hint_replay_interval", "0ms")).hasMessageContaining("at least 1ms");
    }

    @Test
    void replayWindowAndAttemptsAtTheirEdges() {
        HintSettings d = ConfigLoader.load(null, Map.of(), Map.of()).hints();
        assertThat(d.replayMaxInFlight()).isEqualTo(32);
        assertThat(d.maxAttempts()).isEqualTo(10);
        assertThat(hints("hint_replay_max_in_flight", "1").replayMaxInFlight()).isEqualTo(1);
        assertThat(hints("hint_replay_max_in_flight", 1024).replayMaxInFlight()).isEqualTo(1024);
        assertThatThrownBy(() -> hints("hint_replay_max_in_flight", "0"))
                .hasMessage("hint_replay_max_in_flight must be in [1, 1024], was 0");
        assertThatThrownBy(() -> hints("hint_replay_max_in_flight", "1025"))
                .hasMessage("hint_replay_max_in_flight must be in [1, 1024], was 1025");
        assertThat(hints("hint_max_attempts", "1").maxAttempts()).isEqualTo(1);
        assertThat(hints("hint_max_attempts", "1000000").maxAttempts()).isEqualTo(1_000_000);
        assertThatThrownBy(() -> hints("hint_max_attempts", "0"))
                .hasMessage("hint_max_attempts must be in [1, 1000000], was 0");
        assertThatThrownBy(() -> hints("hint_max_attempts", "1000001"))
                .hasMessage("hint_max_attempts must be in [1, 1000000], was 1000001");
        assertThatThrownBy(() -> hints("hint_max_attempts", "ten")).hasMessageContaining("must be a whole number");
        assertThat(ConfigLoader.load(null, Map.of("RINGKV_HINT_REPLAY_MAX_IN_FLIGHT", "3"), Map.of())
                .hints().replayMaxInFlight()).as("environment").isEqualTo(3);
    }

    @Test
    void theEnvironmentSetsHintKeysToo() {
        NodeConfig c = ConfigLoader.load(null, Map.of("RINGKV_MAX_HINT_WINDOW", "2h",
                "RINGKV_HINTS_MAX_BYTES_PER_TARGET", "1024"), Map.of());
        assertThat(c.hints().maxHintWindowMillis()).isEqualTo(7_200_000);
        assertThat(c.hints().maxBytesPerTarget()).isEqualTo(1024);
    }

    @Test
    void keyspacesAreStrictUnlessSloppyIsTrue() throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, """
                keyspaces:
                  - {name: sessions, n: 3, w: 2, sloppy: true}
                  - {name: carts, n: 3, sloppy: false}
                  - {name: plain, n: 3}
                """);
        NodeConfig c = ConfigLoader.load(file, Map.of(), Map.of());
        assertThat(c.keyspaces().resolve("sessions").sloppy()).isTrue();
        assertThat(c.keyspaces().resolve("carts").sloppy()).isFalse();
        assertThat(c.keyspaces().resolve("plain").sloppy()).isFalse();
        assertThat(c.keyspaces().resolve("default").sloppy()).isFalse();
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "keyspaces:\n  - {name: k, sloppy: maybe}\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of(), Map.of())).hasMessageContaining("sloppy must be true or false");
    }
}
