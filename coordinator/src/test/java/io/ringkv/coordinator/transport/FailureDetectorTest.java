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

    @Test
    void eachTransitionIsToldOnceWithTheFailureThatTippedIt() {
        FailureDetector fd = new FailureDetector(new Manual(), 2, 60_000);
        java.util.List<String> told = new java.util.ArrayList<>();
        fd.onTransitions((node, down, reason) -> told.add(node + (down ? " down: " : " up: ") + reason));
        fd.onFailure("n2", "ping: timed out");
        assertThat(told).isEmpty();
        fd.onError("n2", new java.util.concurrent.CompletionException(new IllegalStateException("connection refused")));
        fd.onFailure("n2", "ping: timed out");
        fd.onSuccess("n2");
        fd.onSuccess("n2");
        assertThat(told).containsExactly(
                "n2 down: 2 failures in a row, silent for 0 ms; the last: java.lang.IllegalStateException: connection refused",
                "n2 up: answered");
    }

    @Test
    void aCallThatTimedOutWhileThePeerAnsweredOthersDoesNotCount() {
        Manual clock = new Manual();
        FailureDetector fd = new FailureDetector(clock, 3, 60_000);
        PeerException timedOut = new PeerException("n2", true, "DEADLINE_EXCEEDED: deadline exceeded after 2000 ms");
        clock.nanos = 1_000_000_000L;
        long sentEarly = fd.clockMillis();
        clock.nanos += 1_500_000_000L;
        fd.onSuccess("n2"); // a ping, or a small call, answered while the early calls waited
        clock.nanos += 1_500_000_000L;
        for (int i = 0; i < 10; i++) {
            fd.onError("n2", timedOut, sentEarly);
        }
        assertThat(fd.isAvailable("n2")).as("ten calls sent before its last answer timed out").isTrue();
        long sentLate = fd.clockMillis();
        fd.onError("n2", timedOut, sentLate);
        fd.onError("n2", timedOut, sentLate);
        assertThat(fd.isAvailable("n2")).isTrue();
        fd.onError("n2", timedOut, sentLate);
        assertThat(fd.isAvailable("n2")).as("three calls sent after it and unanswered").isFalse();
    }
}
