package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InsertSequenceTest {
    @Test
    void readersSeeOnlyTheContiguousPrefixOfFinishedInserts() {
        InsertSequence s = new InsertSequence(100);
        assertThat(s.limit()).isEqualTo(100);
        long a = s.claim();
        long b = s.claim();
        long c = s.claim();
        assertThat(new long[] {a, b, c}).containsExactly(100, 101, 102);
        s.finish(b, true);
        s.finish(c, false);
        assertThat(s.limit()).isEqualTo(100); // 100 is still in flight
        s.finish(a, true);
        assertThat(s.limit()).isEqualTo(103);
        assertThat(s.failed(102)).isTrue();
        assertThat(s.failed(101)).isFalse();
        assertThat(s.claimed(100)).isEqualTo(3);
        long d = s.claim();
        s.finish(d, true);
        assertThat(s.limit()).isEqualTo(104);
    }

    @Test
    void keysWhoseLoadFailedCountAsFailedInserts() {
        InsertSequence s = new InsertSequence(10, new long[] {2, 7});
        assertThat(s.failed(2)).isTrue();
        assertThat(s.failed(7)).isTrue();
        assertThat(s.failed(3)).isFalse();
        assertThat(s.limit()).isEqualTo(10);
    }
}
