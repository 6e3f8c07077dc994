package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class VersionVectorTest {

    /** Few ids and small counters, so equal and ordered pairs come up often. */
    @Provide
    Arbitrary<VersionVector> vectors() {
        return Arbitraries.longs().between(0, 3).list().ofSize(4).map(counters -> {
            TreeMap<String, Long> m = new TreeMap<>();
            String[] ids = {"a", "b", "node-c", "ü"};
            for (int i = 0; i < ids.length; i++) {
                m.put(ids[i], counters.get(i));
            }
            return new VersionVector(m);
        });
    }

    @Property
    void mergeIsCommutativeAssociativeAndIdempotent(@ForAll("vectors") VersionVector a,
                                                    @ForAll("vectors") VersionVector b,
                                                    @ForAll("vectors") VersionVector c) {
        assertThat(a.merge(b)).isEqualTo(b.merge(a));
        assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
        assertThat(a.merge(a)).isEqualTo(a);
    }

    @Property
    void mergeIsTheLeastUpperBound(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b,
                                   @ForAll("vectors") VersionVector upper) {
        VersionVector m = a.merge(b);
        assertThat(m.descends(a)).isTrue();
        assertThat(m.descends(b)).isTrue();
        if (upper.descends(a) && upper.descends(b)) {
            assertThat(upper.descends(m)).isTrue();
        }
    }

    @Property
    void compareIsAntisymmetricAndAgreesWithDescends(@ForAll("vectors") VersionVector a,
                                                     @ForAll("vectors") VersionVector b) {
        Causality ab = a.compare(b);
        assertThat(b.compare(a)).isEqualTo(ab.reverse());
        assertThat(ab == Causality.EQUAL).isEqualTo(a.equals(b));
        assertThat(ab == Causality.AFTER || ab == Causality.EQUAL).isEqualTo(a.descends(b));
        assertThat(ab == Causality.CONCURRENT).isEqualTo(!a.descends(b) && !b.descends(a));
    }

    @Property
    void incrementMakesALaterVector(@ForAll("vectors") VersionVector a) {
        VersionVector next = a.increment("b");
        assertThat(next.compare(a)).isEqualTo(Causality.AFTER);
        assertThat(next.counter("b")).isEqualTo(a.counter("b") + 1);
    }

    @Property
    void encodingRoundTrips(@ForAll("vectors") VersionVector v) {
        assertThat(VersionVector.decode(v.encode())).isEqualTo(v);
    }

    @Property
    void arbitraryBytesDecodeCanonicallyOrFailClearly(@ForAll byte[] bytes) {
        VersionVector decoded;
        try {
            decoded = VersionVector.decode(bytes);
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessageContaining("version vector");
            return;
        }
        assertThat(decoded.encode()).isEqualTo(bytes);
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
