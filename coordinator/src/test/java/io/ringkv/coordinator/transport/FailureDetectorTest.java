package io.ringkv.coordinator.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.time.Clock;
import org.junit.jupiter.api.Test;

class FailureDetectorTest {
    /** A clock the test moves by hand. */
    private static final class Manual implements Clock {
        long nanos;

        @Override
        public long wallMillis() {
            return nanos / 1_000_000;
        }

        @Override
        public long monotonicNanos() {
            return nanos;
        }
    }

    @Test
    void aPeerThatAnswersOverloadedIsUpAndAnyOtherErrorCountsAsAFailure() {
        FailureDetector fd = new FailureDetector(new Manual(), 3, 60_000);
        PeerException busy = PeerException.overloaded("n2", "RESOURCE_EXHAUSTED: the large-value queue is full");
        for (int i = 0; i < 10; i++) {
            fd.onError("n2", i % 2 == 0 ? busy : new java.util.concurrent.CompletionException(busy));
        }
        assertThat(fd.isAvailable("n2")).isTrue();
        fd.onError("n2", new PeerException("n2", true, "DEADLINE_EXCEEDED"));
        fd.onError("n2", new PeerException("n2", false, "UNAVAILABLE"));
        fd.onError("n2", new IllegalStateException("connection refused"));
        assertThat(fd.isAvailable("n2")).isFalse();
        // An overloaded answer is an answer: the peer is back.
        fd.onError("n2", busy);
        assertThat(fd.isAvailable("n2")).isTrue();
    }

    @Test
    void downForCountsFromTheLastSuccessAndEndsWithTheNextOne() {
        Manual clock = new Manual();
        FailureDetector fd = new FailureDetector(clock, 3, 60_000);
        assertThat(fd.downForMillis("n2")).as("unknown peers are up").isZero();
        fd.onSuccess("n2");
        clock.nanos += 1_000_000_000L;
        fd.onFailure("n2");
        fd.onFailure("n2");
        assertThat(fd.downForMillis("n2")).as("suspected, not down yet").isZero();
        fd.onFailure("n2");
        assertThat(fd.isAvailable("n2")).isFalse();
        assertThat(fd.downForMillis("n2")).as("silent since its last success").isEqualTo(1_000);
        clock.nanos += 500_000_000L;
        assertThat(fd.downForMillis("n2")).isEqualTo(1_500);
        fd.onSuccess("n2");
        assertThat(fd.downForMillis("n2")).isZero();
    }
}
