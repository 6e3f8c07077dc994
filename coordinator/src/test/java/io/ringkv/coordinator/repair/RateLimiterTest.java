package io.ringkv.coordinator.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.time.Clock;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    /** A clock that moves only when told. */
    static final class FakeClock implements Clock {
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
    void aFullBucketLetsOneSecondThroughThenPacesAtTheRate() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = new RateLimiter(1_000, clock);
        assertThat(limiter.reserve(1_000)).as("the first second's worth is banked").isZero();
        assertThat(limiter.reserve(500)).as("500 permits of debt take half a second").isEqualTo(500_000_000L);
        clock.nanos += 500_000_000L;
        assertThat(limiter.reserve(0)).isZero();
        assertThat(limiter.reserve(1)).isEqualTo(1_000_000L);
    }

    @Test
    void idleTimeBanksAtMostOneSecond() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = new RateLimiter(100, clock);
        limiter.reserve(100);
        clock.nanos += 3_600_000_000_000L;
        assertThat(limiter.reserve(100)).isZero();
        assertThat(limiter.reserve(100)).as("an hour idle banked only one second").isEqualTo(1_000_000_000L);
    }

    @Test
    void aRecordLargerThanTheBucketPassesAndIsPaidFor() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = new RateLimiter(1_024, clock);
        assertThat(limiter.reserve(5 * 1_024)).isEqualTo(4_000_000_000L);
    }

    @Test
    void theRateAndPermitsMustMakeSense() {
        assertThatThrownBy(() -> new RateLimiter(0, new FakeClock())).hasMessageContaining("rate must be positive");
        assertThatThrownBy(() -> new RateLimiter(1, new FakeClock()).reserve(-1)).hasMessageContaining(">= 0");
        assertThat(new RateLimiter(1, new FakeClock()).reserve(1)).isZero();
    }
}
