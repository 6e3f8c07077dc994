package io.ringkv.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.transport.GrpcTransport;
import io.ringkv.coordinator.transport.ReplicaChannelSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaChannelConfigTest {
    private static ReplicaChannelSettings load(Map<String, Object> flags) {
        return ConfigLoader.load(null, Map.of(), flags).replicaChannel();
    }

    @Test
    void onByDefaultWithTheDefaultLimits() {
        assertThat(load(Map.of())).isEqualTo(ReplicaChannelSettings.DEFAULTS);
        assertThat(ReplicaChannelSettings.DEFAULTS.enabled()).isTrue();
    }

    @Test
    void everyKeyIsReadFromFlagsAndEnvironment() {
        ReplicaChannelSettings s = load(Map.of("replica_channel", "false", "replica_channel_max_record_bytes", "1024",
                "replica_channel_max_in_flight", "7", "replica_channel_reconnect_backoff_millis", "0"));
        assertThat(s).isEqualTo(new ReplicaChannelSettings(false, 1024, 7, 0));
        assertThat(ConfigLoader.load(null, Map.of("RINGKV_REPLICA_CHANNEL", "false"), Map.of()).replicaChannel().enabled())
                .isFalse();
    }

    @Test
    void limitsAreCheckedAtTheirEdges() {
        int max = GrpcTransport.STREAM_THRESHOLD_BYTES;
        assertThat(load(Map.of("replica_channel_max_record_bytes", String.valueOf(max))).maxRecordBytes()).isEqualTo(max);
        assertThat(load(Map.of("replica_channel_max_record_bytes", "0")).maxRecordBytes()).isZero();
        assertThatThrownBy(() -> load(Map.of("replica_channel_max_record_bytes", String.valueOf(max + 1))))
                .hasMessageContaining("replica_channel_max_record_bytes must be in [0, " + max + "]");
        assertThat(load(Map.of("replica_channel_max_in_flight", "1")).maxInFlight()).isEqualTo(1);
        assertThatThrownBy(() -> load(Map.of("replica_channel_max_in_flight", "0")))
                .hasMessageContaining("replica_channel_max_in_flight must be in [1, 1000000]");
        assertThatThrownBy(() -> load(Map.of("replica_channel_reconnect_backoff_millis", "-1")))
                .hasMessageContaining("replica_channel_reconnect_backoff_millis");
        assertThat(load(Map.of("replica_channel_reconnect_backoff_millis", "60000")).reconnectBackoffMillis()).isEqualTo(60_000);
        assertThatThrownBy(() -> load(Map.of("replica_channel_reconnect_backoff_millis", "60001")))
                .hasMessageContaining("replica_channel_reconnect_backoff_millis must be in [0, 60000]");
        assertThatThrownBy(() -> load(Map.of("replica_channel", "maybe")))
                .hasMessageContaining("replica_channel must be true or false, was 'maybe'");
    }
}
