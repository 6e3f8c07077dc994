package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.coordinator.testing.Seeds.Gen;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LwwVersionTest {

    static LwwVersion version(Gen gen) {
        return new LwwVersion(gen.anyLong(), gen.oneOf("node-a", "node-b", "n", "ü-node", "x".repeat(255)));
    }

    @Test
    void ordersByClockThenByNodeId() {
        LwwVersion early = new LwwVersion(new HlcTimestamp(1_000, 5).pack(), "node-z");
        LwwVersion late = new LwwVersion(new HlcTimestamp(1_000, 6).pack(), "node-a");
        LwwVersion tieA = new LwwVersion(new HlcTimestamp(2_000, 0).pack(), "node-a");
        LwwVersion tieB = new LwwVersion(new HlcTimestamp(2_000, 0).pack(), "node-b");

        assertThat(early).isLessThan(late);
        assertThat(late).isLessThan(tieA);
        assertThat(tieA).isLessThan(tieB);
        assertThat(tieB.isNewerThan(tieA)).isTrue();
        assertThat(tieA.compareTo(new LwwVersion(tieA.hlc(), "node-a"))).isZero();
    }

    @Test
    void comparesClocksUnsigned() {
        LwwVersion beforeTopBit = new LwwVersion(Long.MAX_VALUE, "a");
        LwwVersion afterTopBit = new LwwVersion(Long.MIN_VALUE, "a");
        assertThat(afterTopBit).isGreaterThan(beforeTopBit);
    }

    @Test
    void orderIsAntisymmetricAndConsistentWithEquals() {
        record Case(LwwVersion a, LwwVersion b) {
        }
        Seeds.check(1000, gen -> new Case(version(gen), version(gen)), c -> {
            LwwVersion a = c.a();
            LwwVersion b = c.b();
            assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
            assertThat(a.compareTo(b) == 0).isEqualTo(a.equals(b));
        });
    }

    @Test
    void encodingRoundTrips() {
        Seeds.check(1000, LwwVersionTest::version, v -> {
            assertThat(LwwVersion.decode(v.encode())).isEqualTo(v);
        });
    }

    @Test
    void encodingIsCompact() {
        assertThat(new LwwVersion(new HlcTimestamp(1_750_000_000_000L, 3).pack(), "node-a").encode())
                .hasSize(1 + 8 + 1 + 6);
    }

    @Test
    void arbitraryBytesDecodeCanonicallyOrFailClearly() {
        Seeds.check(1000, gen -> gen.bytes(0, 255), bytes -> {
            LwwVersion decoded;
            try {
                decoded = LwwVersion.decode(bytes);
            } catch (IllegalArgumentException e) {
                assertThat(e).hasMessageContaining("LWW version");
                return;
            }
            assertThat(decoded.encode()).isEqualTo(bytes);
        });
    }

    @Test
    void rejectsCorruptInput() {
        byte[] good = new LwwVersion(42, "node-a").encode();
        for (int length = 0; length < good.length; length++) {
            byte[] truncated = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> LwwVersion.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> LwwVersion.decode(trailing)).hasMessageContaining("trailing");
        byte[] format = good.clone();
        format[0] = 9;
        assertThatThrownBy(() -> LwwVersion.decode(format)).hasMessageContaining("unknown format");
        byte[] badUtf8 = good.clone();
        badUtf8[10] = (byte) 0xC3; // a lead byte followed by ASCII
        assertThatThrownBy(() -> LwwVersion.decode(badUtf8)).hasMessageContaining("UTF-8");
    }

    @Test
    void rejectsBadNodeIds() {
        assertThatThrownBy(() -> new LwwVersion(1, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LwwVersion(1, "x".repeat(256))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LwwVersion(1, "\uD800")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LwwVersion(1, null)).isInstanceOf(NullPointerException.class);
    }
}
