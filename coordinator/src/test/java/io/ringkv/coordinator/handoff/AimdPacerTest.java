package io.ringkv.coordinator.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AimdPacerTest {
    private static void window(AimdPacer pacer, int size, long latencyMillis) {
        for (int i = 0; i < size; i++) {
            pacer.onDelivered(latencyMillis);
        }
    }

    @Test
    void halvesWhenP99RisesAboveTwiceTheBaselineAndRecoversAdditively() {
        AimdPacer pacer = new AimdPacer(10, 2.0, 5, 0.25, 1.0 / 64);
        window(pacer, 10, 4);
        assertThat(pacer.share()).isEqualTo(1.0);
        assertThat(pacer.lastP99Millis()).isEqualTo(4);
        // One slow delivery in ten is the window's p99: 20 ms > max(5, 2 * 4).
        window(pacer, 9, 4);
        pacer.onDelivered(20);
        assertThat(pacer.share()).isEqualTo(0.5);
        window(pacer, 10, 30);
        assertThat(pacer.share()).isEqualTo(0.25);
        window(pacer, 10, 4);
        assertThat(pacer.share()).isEqualTo(0.5);
        window(pacer, 10, 4);
        window(pacer, 10, 4);
        assertThat(pacer.share()).isEqualTo(1.0);
        window(pacer, 10, 4);
        assertThat(pacer.share()).as("never above 1").isEqualTo(1.0);
    }

    @Test
    void theRiseIsMeasuredAgainstTheBaselineAtItsEdge() {
        AimdPacer pacer = new AimdPacer(4, 2.0, 1, 0.5, 1.0 / 64);
        window(pacer, 4, 10);
        pacer.onFailure();
        assertThat(pacer.share()).isEqualTo(0.5);
        window(pacer, 4, 20);
        assertThat(pacer.share()).as("exactly twice the baseline is not a rise").isEqualTo(1.0);
        window(pacer, 4, 21);
        assertThat(pacer.share()).as("one ms more is").isEqualTo(0.5);
    }

    @Test
    void belowTheFloorLatencyNeverCountsAsARise() {
        AimdPacer pacer = new AimdPacer(4, 2.0, 10, 0.5, 1.0 / 64);
        window(pacer, 4, 1);
        window(pacer, 4, 10);
        assertThat(pacer.share()).isEqualTo(1.0);
    }

    @Test
    void failuresBackOffDownToTheMinimumShare() {
        AimdPacer pacer = AimdPacer.standard();
        for (int i = 0; i < 20; i++) {
            pacer.onFailure();
        }
        assertThat(pacer.share()).isEqualTo(1.0 / 64);
    }
}
