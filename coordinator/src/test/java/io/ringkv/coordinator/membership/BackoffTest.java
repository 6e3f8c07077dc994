package io.ringkv.coordinator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromMinUpToMaxAndStartsOverAfterReset() {
        Backoff backoff = new Backoff(100, 1000);
        assertThat(new long[] {backoff.nextMillis(), backoff.nextMillis(), backoff.nextMillis(), backoff.nextMillis(),
                backoff.nextMillis(), backoff.nextMillis()}).containsExactly(100, 200, 400, 800, 1000, 1000);
        backoff.reset();
        assertThat(backoff.nextMillis()).isEqualTo(100);
    }

    @Test
    void rejectsAnEmptyRange() {
        assertThatThrownBy(() -> new Backoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(10, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
