package io.ringkv.coordinator.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LatencyWindowTest {
    private static final long MS = 1_000_000;

    @Test
    void aSampleCountsUntilItIsAWindowOld() {
        LatencyWindow w = new LatencyWindow(16);
        assertThat(w.p99Micros(0, 1_000 * MS)).as("nothing recorded").isEqualTo(-1);
        w.record(5 * MS, 70_000);
        assertThat(w.p99Micros(5 * MS, 1_000 * MS)).isEqualTo(70_000);
        assertThat(w.p99Micros(1_005 * MS - 1, 1_000 * MS)).as("one nanosecond short of the window").isEqualTo(70_000);
        assertThat(w.p99Micros(1_005 * MS, 1_000 * MS)).as("a whole window old").isEqualTo(-1);
    }

    @Test
    void theP99IsOverTheRecentSamplesOnly() {
        LatencyWindow w = new LatencyWindow(1_000);
        // 100 slow samples long ago, then 100 fast ones of which one is 9 ms.
        for (int i = 0; i < 100; i++) {
            w.record(i * MS, 200_000);
        }
        for (int i = 0; i < 100; i++) {
            w.record(10_000 * MS + i * MS, i == 50 ? 9_000 : 1_000 + i);
        }
        assertThat(w.p99Micros(10_100 * MS, 20_000 * MS)).as("both bursts: p99 of 200").isEqualTo(200_000);
        assertThat(w.p99Micros(10_100 * MS, 1_000 * MS)).as("ceil(0.99 * 100) = the 99th of 100").isEqualTo(1_099);
    }

    @Test
    void onlyTheNewestCapacitySamplesAreKept() {
        LatencyWindow w = new LatencyWindow(4);
        w.record(0, 500_000);
        for (int i = 1; i <= 4; i++) {
            w.record(i, 1_000);
        }
        assertThat(w.p99Micros(10, 1_000 * MS)).as("the slow sample was overwritten").isEqualTo(1_000);
        assertThatThrownBy(() -> new LatencyWindow(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
