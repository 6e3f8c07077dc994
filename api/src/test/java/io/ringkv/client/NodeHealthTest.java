package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NodeHealthTest {
    @Test
    void anUnreachableNodeIsDemotedForTheBackoffOrUntilItAnswers() {
        AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - 10); // the clock may wrap; comparisons must not care
        NodeHealth health = new NodeHealth(nanos::get, 100);
        health.markUnreachable("a");
        assertThat(health.isDown("a")).isTrue();
        assertThat(health.isDown("b")).isFalse();
        nanos.addAndGet(99);
        assertThat(health.isDown("a")).isTrue();
        nanos.addAndGet(1);
        assertThat(health.isDown("a")).isFalse();

        health.markUnreachable("a");
        health.markReachable("a");
        assertThat(health.isDown("a")).isFalse();
    }

    @Test
    void aZeroBackoffNeverDemotes() {
        NodeHealth health = new NodeHealth(() -> 0, 0);
        health.markUnreachable("a");
        assertThat(health.isDown("a")).isFalse();
    }
}
