package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.coordinator.testing.Seeds.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VersionVectorTest {

    /**
     * Few ids and small counters, so equal and ordered pairs come up often: each of 4 ids has a
     * counter 0..3, so there are 256 vectors. Properties of one or two vectors check them all;
     * properties of three check 1000 random triples.
     */
    private static final List<VersionVector> ALL = allVectors();

    private static List<VersionVector> allVectors() {
        String[] ids = {"a", "b", "node-c", "ü"};
        List<VersionVector> all = new ArrayList<>();
        for (int bits = 0; bits < 1 << 2 * ids.length; bits++) {
            TreeMap<String, Long> m = new TreeMap<>();
            for (int i = 0; i < ids.length; i++) {
                m.put(ids[i], (long) (bits >> 2 * i & 3));
            }
            all.add(new VersionVector(m));
        }
        return all;
    }

    private static VersionVector vector(Gen gen) {
        return ALL.get(gen.index(ALL.size()));
    }

    record Triple(VersionVector a, VersionVector b, VersionVector c) {
        static Triple generate(Gen gen) {
            return new Triple(vector(gen), vector(gen), vector(gen));
        }
    }

    @Test
    void mergeIsCommutativeAssociativeAndIdempotent() {
        Seeds.check(1000, Triple::generate, t -> {
            VersionVector a = t.a();
            VersionVector b = t.b();
            VersionVector c = t.c();
            assertThat(a.merge(b)).isEqualTo(b.merge(a));
            assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
            assertThat(a.merge(a)).isEqualTo(a);
        });
    }

    @Test
    void mergeIsTheLeastUpperBound() {
        Seeds.check(1000, Triple::generate, t -> {
            VersionVector a = t.a();
            VersionVector b = t.b();
            VersionVector upper = t.c();
            VersionVector m = a.merge(b);
            assertThat(m.descends(a)).isTrue();
            assertThat(m.descends(b)).isTrue();
            if (upper.descends(a) && upper.descends(b)) {
                assertThat(upper.descends(m)).isTrue();
            }
        });
    }

    @Test
    void compareIsAntisymmetricAndAgreesWithDescends() {
        for (VersionVector a : ALL) {
            for (VersionVector b : ALL) {
                Causality ab = a.compare(b);
                assertThat(b.compare(a)).as("%s vs %s", a, b).isEqualTo(ab.reverse());
                assertThat(ab == Causality.EQUAL).as("%s vs %s", a, b).isEqualTo(a.equals(b));
                assertThat(ab == Causality.AFTER || ab == Causality.EQUAL).as("%s vs %s", a, b)
                        .isEqualTo(a.descends(b));
                assertThat(ab == Causality.CONCURRENT).as("%s vs %s", a, b).isEqualTo(!a.descends(b) && !b.descends(a));
            }
        }
    }

    @Test
    void incrementMakesALaterVector() {
        for (VersionVector a : ALL) {
            VersionVector next = a.increment("b");
            assertThat(next.compare(a)).as("%s", a).isEqualTo(Causality.AFTER);
            assertThat(next.counter("b")).as("%s", a).isEqualTo(a.counter("b") + 1);
        }
    }

    @Test
    void encodingRoundTrips() {
        for (VersionVector v : ALL) {
            assertThat(VersionVector.decode(v.encode())).isEqualTo(v);
        }
    }

    @Test
    void arbitraryBytesDecodeCanonicallyOrFailClearly() {
        Seeds.check(1000, gen -> gen.bytes(0, 255), bytes -> {
            VersionVector decoded;
            try {
                decoded = VersionVector.decode(bytes);
            } catch (IllegalArgumentException e) {
                assertThat(e).hasMessageContaining("version vector");
                return;
            }
            assertThat(decoded.encode()).isEqualTo(bytes);
        });
    }

    @Test
    void zeroCountersAreDroppedSoEqualVectorsAreEqual() {
        assertThat(VersionVector.of(Map.of("a", 0L, "b", 2L))).isEqualTo(VersionVector.of(Map.of("b", 2L)));
        assertThat(VersionVector.of(Map.of("a", 0L))).isEqualTo(VersionVector.empty());
        assertThat(VersionVector.empty().counter("a")).isZero();
    }

    @Test
    void comparesConcreteHistories() {
        VersionVector a1 = VersionVector.of(Map.of("a", 1L));
        VersionVector a1b1 = VersionVector.of(Map.of("a", 1L, "b", 1L));
        VersionVector a2 = VersionVector.of(Map.of("a", 2L));

        assertThat(a1.compare(a1b1)).isEqualTo(Causality.BEFORE);
        assertThat(a1b1.compare(a1)).isEqualTo(Causality.AFTER);
        assertThat(a1b1.compare(a2)).isEqualTo(Causality.CONCURRENT);
        assertThat(a1b1.merge(a2)).isEqualTo(VersionVector.of(Map.of("a", 2L, "b", 1L)));
        assertThat(VersionVector.empty().compare(VersionVector.empty())).isEqualTo(Causality.EQUAL);
    }

    @Test
    void encodingIsCompactAndSorted() {
        VersionVector v = VersionVector.of(Map.of("b", 300L, "a", 1L));
        // format, count, then "a" (len, byte, counter 1) and "b" (len, byte, counter 300 in two bytes)
        assertThat(v.encode()).containsExactly(1, 2, 1, 'a', 1, 1, 'b', 0xAC - 256, 0x02);
        assertThat(VersionVector.empty().encode()).containsExactly(1, 0);
    }

    @Test
    void rejectsNonCanonicalOrCorruptEncodings() {
        assertThatThrownBy(() -> VersionVector.decode(new byte[] {1, 2, 1, 'b', 1, 1, 'a', 1}))
                .hasMessageContaining("increasing");
        assertThatThrownBy(() -> VersionVector.decode(new byte[] {1, 1, 1, 'a', 0}))
                .hasMessageContaining("zero counter");
        assertThatThrownBy(() -> VersionVector.decode(new byte[] {1, 1, 1, 'a', (byte) 0x81, 0}))
                .hasMessageContaining("shortest form");
        assertThatThrownBy(() -> VersionVector.decode(new byte[] {1, 1, 1, 'a'}))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> VersionVector.decode(new byte[] {2, 0}))
                .hasMessageContaining("unknown format");
        assertThatThrownBy(() -> VersionVector.decode(new byte[] {1, 0, 0}))
                .hasMessageContaining("trailing");
        // A count far beyond what the input could hold is rejected before allocating anything.
        assertThatThrownBy(() -> VersionVector.decode(new byte[] {1, (byte) 0xFF, (byte) 0xFF, 0x7F}))
                .hasMessageContaining("entry count");
        byte[] elevenByteVarint = {1, 1, 1, 'a', -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
        assertThatThrownBy(() -> VersionVector.decode(elevenByteVarint)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNegativeCountersAndBadIds() {
        assertThatThrownBy(() -> VersionVector.of(Map.of("a", -1L))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionVector.of(Map.of("", 1L))).isInstanceOf(IllegalArgumentException.class);
    }
}
