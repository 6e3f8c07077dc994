package io.ringkv.coordinator.handoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    @Test
    void grantsTheBurstThenMakesTheCallerWaitForTheRefill() {
        FakeClock clock = new FakeClock();
        TokenBucket bucket = new TokenBucket(clock, 1_000, 1_000);
        assertThat(bucket.tryAcquire(600)).isZero();
        assertThat(bucket.tryAcquire(400)).isZero();
        // Exactly empty is not in debt: one more is granted and leaves a debt of 1 token.
        assertThat(bucket.tryAcquire(1)).isZero();
        assertThat(bucket.available()).isEqualTo(-1);
        // 1 token at 1000/s is 1 ms away.
        assertThat(bucket.tryAcquire(1)).isEqualTo(1_000_000);
        clock.advanceNanos(999_999);
        assertThat(bucket.tryAcquire(1)).isEqualTo(1);
        clock.advanceNanos(1);
        assertThat(bucket.tryAcquire(1)).isZero();
    }

    @Test
    void anItemLargerThanTheBurstPassesAndItsDebtHoldsTheRate() {
        FakeClock clock = new FakeClock();
        TokenBucket bucket = new TokenBucket(clock, 1 << 20, 1 << 20);
        assertThat(bucket.tryAcquire(5L << 20)).as("a 5 MiB hint under 1 MiB/s").isZero();
        // 4 MiB of debt: four seconds before the next one.
        assertThat(bucket.tryAcquire(1)).isEqualTo(4_000_000_000L);
        clock.advanceMillis(3_999);
        assertThat(bucket.tryAcquire(1)).isPositive();
        clock.advanceMillis(1);
        assertThat(bucket.tryAcquire(1)).isZero();
    }

    @Test
    void refillStopsAtTheBurst() {
        FakeClock clock = new FakeClock();
        TokenBucket bucket = new TokenBucket(clock, 100, 50);
        clock.advanceMillis(60_000);
        assertThat(bucket.available()).isEqualTo(50);
    }

    @Test
    void overTimeTheRateHolds() {
        FakeClock clock = new FakeClock();
        TokenBucket bucket = new TokenBucket(clock, 10_000, 10_000);
        long granted = 0;
        // A greedy caller for 10 simulated seconds gets the burst plus 10 s of rate, and at most one item more.
        while (clock.monotonicNanos() < 10_000_000_000L) {
            long wait = bucket.tryAcquire(700);
            if (wait == 0) {
                granted += 700;
            } else {
                clock.advanceNanos(wait);
            }
        }
        assertThat(granted).isBetween(10_000L * 10, 10_000L * 11 + 700);
    }

    @Test
    void refusesNonPositiveRates() {
        assertThatThrownBy(() -> new TokenBucket(new FakeClock(), 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(new FakeClock(), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
