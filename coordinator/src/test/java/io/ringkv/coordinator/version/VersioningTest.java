package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VersioningTest {
    private static final long T0 = 1_750_000_000_000L;
    private static final byte[] NO_CONTEXT = new byte[0];

    private static Sibling v(String s) {
        return Sibling.of(s.getBytes(StandardCharsets.UTF_8), T0);
    }

    @Test
    void causalWritesKeepConcurrentSiblingsAndSupersedeWhatWasRead() {
        Versioning.Causal atA = Versioning.causal("a");
        Versioning.Causal atB = Versioning.causal("b");

        DvvSet a = atA.write(null, NO_CONTEXT, v("x"));
        DvvSet b = atB.write(null, NO_CONTEXT, v("y"));
        DvvSet merged = atA.merge(a, b);
        assertThat(atA.siblings(merged)).hasSize(2);

        DvvSet resolved = atB.write(atB.merge(b, merged), atA.context(merged), v("x+y"));
        assertThat(atB.siblings(resolved)).containsExactly(v("x+y"));
        assertThat(atA.merge(merged, resolved)).isEqualTo(resolved);
    }

    @Test
    void causalWriteRejectsACorruptContext() {
        assertThatThrownBy(() -> Versioning.causal("a").write(null, new byte[] {9, 9}, v("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lwwStampsAWriteAfterWhatItOverwritesEvenWithALaggingClock() {
        ManualInstantSource fast = new ManualInstantSource(T0 + 5_000);
        ManualInstantSource slow = new ManualInstantSource(T0);
        Versioning.Lww atFast = Versioning.lww(new HybridLogicalClock(fast, 60_000), "fast");
        Versioning.Lww atSlow = Versioning.lww(new HybridLogicalClock(slow, 60_000), "slow");

        Versioning.LwwValue first = atFast.write(null, NO_CONTEXT, v("first"));
        Versioning.LwwValue second = atSlow.write(null, atFast.context(first), v("second"));

        assertThat(second.version()).isGreaterThan(first.version());
        assertThat(atSlow.merge(first, second)).isEqualTo(second);
        assertThat(atSlow.merge(second, first)).isEqualTo(second);
        assertThat(atSlow.siblings(second)).containsExactly(v("second"));
        assertThat(LwwVersion.decode(atSlow.context(second))).isEqualTo(second.version());

        Versioning.LwwValue third = atSlow.write(first, NO_CONTEXT, v("third"));
        assertThat(third.version()).isGreaterThan(first.version());
    }

    @Test
    void lwwRefusesAContextFromAClockTooFarAhead() {
        Versioning.Lww lww = Versioning.lww(new HybridLogicalClock(new ManualInstantSource(T0), 60_000), "n");
        byte[] future = new LwwVersion(new HlcTimestamp(T0 + 120_000, 0).pack(), "bad").encode();

        assertThatThrownBy(() -> lww.write(null, future, v("x"))).isInstanceOf(ClockDriftException.class);
    }
}
