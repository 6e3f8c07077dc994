package io.ringkv.coordinator.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.transport.PeerException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** How a replica's failure reads in a request's error message. */
class FailureDescriptionTest {
    @Test
    void eachKindOfPeerFailureSaysWhatItWas() {
        assertThat(QuorumWrite.describe(new PeerException("n2", true, "deadline"))).isEqualTo("timed out");
        assertThat(QuorumWrite.describe(new PeerException("n2", false, "connection refused"))).isEqualTo("unreachable");
        assertThat(QuorumWrite.describe(new CompletionException(PeerException.overloaded("n2", "bulk lane: reset"))))
                .isEqualTo("overloaded: bulk lane: reset");
        assertThat(QuorumWrite.describe(new PeerException("n2", false, true, "bad key"))).isEqualTo("refused: bad key");
        assertThat(QuorumWrite.describe(new IllegalStateException("boom"))).isEqualTo("IllegalStateException: boom");
    }
}
