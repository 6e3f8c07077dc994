package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {
    @Test
    void unissuedSlotsAreTheDueOnesInsideTheMeasuredPhase() {
        // Slots at 0, 10, 20, ...; measured phase [100, 200).
        assertThat(OpenLoop.remainingMeasuredSlots(0, 0, 10.0, 100, 200)).isEqualTo(10);
        assertThat(OpenLoop.remainingMeasuredSlots(0, 15, 10.0, 100, 200)).isEqualTo(5);
        assertThat(OpenLoop.remainingMeasuredSlots(0, 20, 10.0, 100, 200)).isZero();
        // A fractional period: slots at round(k * 2.5) = 0, 3, 5, 8, 10, ...
        assertThat(OpenLoop.remainingMeasuredSlots(0, 0, 2.5, 0, 10)).isEqualTo(4);
    }
}
