package io.ringkv.coordinator.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {
    private static final long SEED = 20261204L;

    @Test
    void everyValueFallsInABucketWhoseBoundsHoldItWithinAnEighth() {
        Random random = new Random(SEED);
        for (int i = 0; i < 100_000; i++) {
            long v = i < 1000 ? i : random.nextLong(1L << random.nextInt(1, 62));
            int b = LatencyTracker.bucketOf(v);
            assertThat(LatencyTracker.upperBound(b)).as("upper bound of %d", v).isGreaterThanOrEqualTo(v);
            assertThat(LatencyTracker.upperBound(b) - v).as("error for %d", v).isLessThanOrEqualTo(v / 8);
            if (b > 0) {
                assertThat(LatencyTracker.upperBound(b - 1)).as("previous bucket of %d", v).isLessThan(v);
            }
        }
        assertThat(LatencyTracker.bucketOf(Long.MAX_VALUE)).isLessThan((64 - 3 + 1) * 8);
    }

    @Test
    void percentilesFollowTheLastSamplesOnly() {
        LatencyTracker tracker = new LatencyTracker(1024);
        assertThat(tracker.p95Micros()).isEqualTo(-1);
        Random random = new Random(SEED);
        long[] window = new long[1024];
        for (int i = 0; i < 1024; i++) {
            window[i] = 100 + random.nextInt(1000);
            tracker.record(window[i]);
        }
        long[] sorted = window.clone();
        Arrays.sort(sorted);
        long exact95 = sorted[(int) Math.ceil(1024 * 0.95) - 1];
        long exact99 = sorted[(int) Math.ceil(1024 * 0.99) - 1];
        assertThat(tracker.p95Micros()).isBetween(exact95, exact95 + exact95 / 8);
        assertThat(tracker.p99Micros()).isBetween(exact99, exact99 + exact99 / 8);
        // A full window of fast samples pushes the slow ones out.
        for (int i = 0; i < 1024; i++) {
            tracker.record(10);
        }
        assertThat(tracker.p95Micros()).isEqualTo(10);
        assertThat(tracker.p99Micros()).isEqualTo(10);
    }
}
