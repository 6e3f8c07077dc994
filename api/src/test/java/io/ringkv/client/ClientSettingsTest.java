package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings and options are validated where they are made, with messages naming the setting. */
class ClientSettingsTest {
    private static RingkvClient.Builder valid() {
        return RingkvClient.builder().seeds("127.0.0.1:1").ringRefreshInterval(Duration.ZERO);
    }

    @Test
    void theDefaultsAreValidAndNeedOnlySeeds() {
        // Port 1 refuses: building must not need a reachable cluster.
        try (RingkvClient client = RingkvClient.builder().seeds("127.0.0.1:1", "[::1]:2").build()) {
            assertThat(client.currentRingForTesting()).isNull();
        }
    }

    @Test
    void badSettingsAreRejectedByName() {
        assertThatThrownBy(() -> RingkvClient.builder().build()).hasMessageContaining("seeds");
        assertThatThrownBy(() -> valid().seeds("localhost").build()).hasMessageContaining("host:port");
        assertThatThrownBy(() -> valid().seeds("localhost:0").build()).hasMessageContaining("port");
        assertThatThrownBy(() -> valid().seeds(":7000").build()).hasMessageContaining("host:port");
        assertThatThrownBy(() -> valid().seeds("h:x").build()).hasMessageContaining("host:port");
        assertThatThrownBy(() -> valid().requestTimeout(Duration.ZERO).build()).hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> valid().requestTimeout(Duration.ofDays(1)).build()).hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> valid().maxAttempts(0).build()).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> valid().maxAttempts(11).build()).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> valid().streamChunkBytes(0).build()).hasMessageContaining("streamChunkBytes");
        assertThatThrownBy(() -> valid().streamChunkBytes(5 << 20).build()).hasMessageContaining("streamChunkBytes");
        assertThatThrownBy(() -> valid().streamThresholdBytes(0).build()).hasMessageContaining("streamThresholdBytes");
        assertThatThrownBy(() -> valid().streamThresholdBytes(32 << 20).build())
                .hasMessageContaining("maxInboundMessageBytes");
        assertThatThrownBy(() -> valid().ringRefreshInterval(Duration.ofMillis(5)).build())
                .hasMessageContaining("ringRefreshInterval");
        assertThatThrownBy(() -> valid().unreachableNodeBackoff(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("unreachableNodeBackoff");
        assertThatThrownBy(() -> valid().readAttemptTimeout(Duration.ofMillis(-1)).build())
                .hasMessageContaining("readAttemptTimeout");
        assertThatThrownBy(() -> valid().readAttemptTimeout(null).build()).isInstanceOf(NullPointerException.class);
        valid().readAttemptTimeout(Duration.ZERO).build().close();
        assertThatThrownBy(() -> valid().defaultKeyspace(null).build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> valid().kvChannelMaxValueBytes(0).build()).hasMessageContaining("kvChannelMaxValueBytes");
        valid().kvChannelMaxValueBytes(1).build().close();
        assertThatThrownBy(() -> valid().kvChannelMaxInFlight(0).build()).hasMessageContaining("kvChannelMaxInFlight");
        assertThatThrownBy(() -> valid().kvChannelMaxInFlight((1 << 16) + 1).build())
                .hasMessageContaining("kvChannelMaxInFlight");
        valid().kvChannelMaxInFlight(1 << 16).build().close();
        assertThatThrownBy(() -> valid().kvChannelReconnectBackoff(Duration.ofMillis(-1)).build())
                .hasMessageContaining("kvChannelReconnectBackoff");
        valid().kvChannelReconnectBackoff(Duration.ZERO).build().close();
        assertThatThrownBy(() -> valid().kvChannelTimeoutTick(Duration.ofNanos(999_999)).build())
                .hasMessageContaining("kvChannelTimeoutTick");
        assertThatThrownBy(() -> valid().kvChannelTimeoutTick(Duration.ofMillis(1001)).build())
                .hasMessageContaining("kvChannelTimeoutTick");
        valid().kvChannelTimeoutTick(Duration.ofMillis(1)).build().close();
        valid().kvChannelTimeoutTick(Duration.ofSeconds(1)).build().close();
        assertThatThrownBy(() -> valid().bulkNice(-1).build()).hasMessageContaining("bulkNice must be in [0, 19], was -1");
        assertThatThrownBy(() -> valid().bulkNice(20).build()).hasMessageContaining("bulkNice must be in [0, 19], was 20");
        valid().bulkNice(0).build().close();
        valid().bulkNice(19).build().close();
    }

    @Test
    void optionsRejectContradictionsAndCopyTheirArrays() {
        assertThatThrownBy(() -> new ReadOptions("", Consistency.ONE, 2)).hasMessageContaining("either consistency or r");
        assertThatThrownBy(() -> ReadOptions.defaults().withR(-1)).hasMessageContaining("r must be >= 0");
        assertThat(ReadOptions.defaults().withR(2).withConsistency(Consistency.ALL))
                .isEqualTo(new ReadOptions("", Consistency.ALL, 0));
        assertThatThrownBy(() -> PutOptions.defaults().withIfAbsent(true).withIfMatch(new byte[] {1}))
                .hasMessageContaining("contradict");
        assertThatThrownBy(() -> DeleteOptions.defaults().withW(-2)).hasMessageContaining("w must be >= 0");

        byte[] context = {1, 2, 3};
        PutOptions options = PutOptions.defaults().withContext(context);
        context[0] = 9;
        assertThat(options.context()).containsExactly(1, 2, 3);
        options.context()[1] = 9;
        assertThat(options.context()).containsExactly(1, 2, 3);
        assertThat(options).isEqualTo(PutOptions.defaults().withContext(new byte[] {1, 2, 3}));
    }
}
