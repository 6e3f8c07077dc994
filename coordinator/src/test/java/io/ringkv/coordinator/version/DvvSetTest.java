package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Worked examples; the laws are in {@link DvvSetPropertiesTest} and {@link SiblingBoundsTest}. */
class DvvSetTest {
    private static final long T = 1_750_000_000_000L;

    private static Sibling v(String s) {
        return Sibling.of(s.getBytes(StandardCharsets.UTF_8), T);
    }

    private static List<String> shown(DvvSet set) {
        return set.values().stream()
                .map(s -> s.tombstone() ? "<deleted>" : new String(s.value(), StandardCharsets.UTF_8))
                .toList();
    }

    private static VersionVector vv(Object... idsAndCounters) {
        java.util.TreeMap<String, Long> m = new java.util.TreeMap<>();
        for (int i = 0; i < idsAndCounters.length; i += 2) {
            m.put((String) idsAndCounters[i], ((Number) idsAndCounters[i + 1]).longValue());
        }
        return new VersionVector(m);
    }

    @Test
    void anEmptySetHasNoSiblingsAndAnEmptyContext() {
        assertThat(DvvSet.empty().values()).isEmpty();
        assertThat(DvvSet.empty().size()).isZero();
        assertThat(DvvSet.empty().join()).isEqualTo(VersionVector.empty());
        assertThat(DvvSet.decode(DvvSet.empty().encode())).isEqualTo(DvvSet.empty());
    }

    /** dvvset.erl's update_test, step by step. */
    @Test
    void updateFollowsTheReferenceImplementation() {
        DvvSet a0 = DvvSet.empty().update(v("v1"), "a");
        DvvSet a1 = a0.update(a0.join(), v("v2"), "a");
        DvvSet a2 = a1.update(a1.join(), v("v3"), "b");
        DvvSet a3 = a1.update(a0.join(), v("v4"), "b");
        DvvSet a4 = a1.update(a0.join(), v("v5"), "a");

        assertThat(a0.join()).isEqualTo(vv("a", 1));
        assertThat(shown(a0)).containsExactly("v1");
        assertThat(a1.join()).isEqualTo(vv("a", 2));
        assertThat(shown(a1)).containsExactly("v2");
        assertThat(a2.join()).isEqualTo(vv("a", 2, "b", 1));
        assertThat(shown(a2)).containsExactly("v3");
        // v4 saw only v1, so v2 stays as its sibling.
        assertThat(a3.join()).isEqualTo(vv("a", 2, "b", 1));
        assertThat(shown(a3)).containsExactly("v2", "v4");
        assertThat(a4.join()).isEqualTo(vv("a", 3));
        assertThat(shown(a4)).containsExactly("v5", "v2");
    }

    @Test
    void syncKeepsWhatNeitherSideKnowsToBeSuperseded() {
        DvvSet both = DvvSet.empty().update(v("v1"), "a").update(v("v2"), "a"); // a:2 [v2, v1]
        // Another replica that saw v1 and replaced it with x at b.
        DvvSet replaced = DvvSet.empty().update(v("v1"), "a");
        replaced = replaced.update(replaced.join(), v("x"), "b");

        DvvSet merged = DvvSet.sync(both, replaced);

        assertThat(shown(merged)).containsExactly("v2", "x");
        assertThat(merged.join()).isEqualTo(vv("a", 2, "b", 1));
        assertThat(DvvSet.sync(replaced, both)).isEqualTo(merged);
    }

    /**
     * The coordinator applies the write to its own stored set; the others take the result with
     * sync. Siblings the coordinator had not yet seen survive at the replicas that have them.
     */
    @Test
    void theCoordinatorsResultMergesIntoReplicasThatHoldUnseenSiblings() {
        DvvSet v1 = DvvSet.empty().update(v("v1"), "a");
        DvvSet atA = v1;
        DvvSet atB = v1.update(v("blind"), "b"); // a blind write through b, not yet at a
        VersionVector readAtA = atA.join();

        atA = atA.update(readAtA, v("v3"), "a");
        assertThat(shown(atA)).containsExactly("v3");

        atB = DvvSet.sync(atB, atA);
        assertThat(shown(atB)).containsExactly("v3", "blind");
        atA = DvvSet.sync(atA, atB);
        assertThat(atA).isEqualTo(atB);
    }

    @Test
    void aContextAheadOfTheCoordinatorNeverReusesADot() {
        // The client read a:5 elsewhere; this replica (a) lost its copy and holds nothing.
        DvvSet elsewhere = DvvSet.empty();
        for (int i = 1; i <= 5; i++) {
            elsewhere = elsewhere.update(v("v" + i), "a");
        }
        DvvSet fresh = DvvSet.empty().update(elsewhere.join(), v("next"), "a");

        assertThat(fresh.join()).isEqualTo(vv("a", 6));
        assertThat(shown(DvvSet.sync(fresh, elsewhere))).containsExactly("next");
    }

    @Test
    void aDeleteIsASibling() {
        DvvSet base = DvvSet.empty().update(v("v1"), "a");
        DvvSet concurrent = base.update(v("v2"), "b").update(base.join(), Sibling.tombstone(T), "a");
        assertThat(shown(concurrent)).containsExactlyInAnyOrder("v2", "<deleted>");

        DvvSet deleted = concurrent.update(concurrent.join(), Sibling.tombstone(T + 1), "a");
        assertThat(shown(deleted)).containsExactly("<deleted>");
        assertThat(deleted.values().getFirst().timestampMillis()).isEqualTo(T + 1);
    }

    /** Riak's sibling-explosion example: two clients alternating, each with its last put's context. */
    @Test
    void alternatingWritersWithTheirOwnContextsStayAtTwoSiblings() {
        DvvSet stored = DvvSet.empty();
        VersionVector bob = VersionVector.empty();
        VersionVector sue = VersionVector.empty();
        for (int round = 0; round < 50; round++) {
            stored = stored.update(bob, v("bob" + round), "a");
            bob = stored.join();
            stored = stored.update(sue, v("sue" + round), "a");
            sue = stored.join();
            assertThat(stored.storedSize()).isLessThanOrEqualTo(2);
        }
        assertThat(shown(stored)).containsExactlyInAnyOrder("bob49", "sue49");
    }

    @Test
    void retriesThroughOneCoordinatorStoreOneSibling() {
        DvvSet stored = DvvSet.empty().update(v("old"), "a");
        VersionVector read = stored.join();
        DvvSet other = stored.update(v("concurrent"), "a");
        for (int attempt = 0; attempt < 100; attempt++) {
            other = other.update(read, Sibling.of("mine".getBytes(StandardCharsets.UTF_8), T + attempt), "a");
        }
        assertThat(shown(other)).containsExactlyInAnyOrder("concurrent", "mine");
        assertThat(other.storedSize()).isEqualTo(2);
        // The first attempt is the one kept: a stored dot's content never changes.
        assertThat(other.values())
                .filteredOn(s -> new String(s.value(), StandardCharsets.UTF_8).equals("mine"))
                .singleElement()
                .satisfies(s -> assertThat(s.timestampMillis()).isEqualTo(T));
    }

    @Test
    void retriesThroughSeveralCoordinatorsShowOnceWithTheLatestTimestamp() {
        DvvSet read = DvvSet.empty().update(v("old"), "a");
        VersionVector context = read.join();
        DvvSet merged = read;
        String[] coordinators = {"a", "b", "c"};
        for (int i = 0; i < coordinators.length; i++) {
            Sibling attempt = Sibling.of("mine".getBytes(StandardCharsets.UTF_8), T + i);
            merged = DvvSet.sync(merged, read.update(context, attempt, coordinators[i]));
        }
        assertThat(merged.storedSize()).isEqualTo(3);
        assertThat(merged.values()).singleElement()
                .satisfies(s -> assertThat(s.timestampMillis()).isEqualTo(T + 2));
        // One read-modify-write clears the duplicates.
        DvvSet resolved = merged.update(merged.join(), v("final"), "b");
        assertThat(resolved.storedSize()).isEqualTo(1);
    }

    @Test
    void lessMeansStrictlyDominated() {
        DvvSet a1 = DvvSet.empty().update(v("v1"), "a");
        DvvSet a2 = a1.update(a1.join(), v("v2"), "a");
        DvvSet b1 = DvvSet.empty().update(v("w"), "b");

        assertThat(a1.less(a2)).isTrue();
        assertThat(a2.less(a1)).isFalse();
        assertThat(a1.less(a1)).isFalse();
        assertThat(a1.less(b1)).isFalse();
        assertThat(b1.less(a1)).isFalse();
        assertThat(DvvSet.empty().less(a1)).isTrue();
    }

    @Test
    void largeValuesRoundTrip() {
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >>> 8));
        }
        DvvSet set = DvvSet.empty();
        for (String replica : List.of("a", "b", "c")) {
            byte[] value = big.clone();
            value[0] = (byte) replica.charAt(0);
            set = set.update(Sibling.of(value, T), replica);
        }
        byte[] encoded = set.encode();

        assertThat(encoded.length).isLessThan(3 * big.length + 64);
        assertThat(DvvSet.decode(encoded)).isEqualTo(set);
    }

    @Test
    void everyFlippedByteAndEveryTruncationIsReported() {
        DvvSet set = DvvSet.empty().update(v("v1"), "a").update(Sibling.tombstone(T), "b");
        set = set.update(set.join(), v("v3"), "a").update(v("v4"), "ü");
        byte[] good = set.encode();
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> DvvSet.decode(bad)).isInstanceOf(IllegalArgumentException.class);
            }
            byte[] truncated = Arrays.copyOf(good, i);
            assertThatThrownBy(() -> DvvSet.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> DvvSet.decode(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wellChecksummedButMalformedEncodingsAreRejected() {
        Map<String, int[]> cases = new java.util.LinkedHashMap<>();
        cases.put("unknown format", new int[] {2, 0});
        cases.put("value count", new int[] {1, 1, 1, 'a', 1, 2, 0, 0, 0, 0, 0, 0});
        cases.put("increasing", new int[] {1, 2, 1, 'b', 1, 0, 1, 'a', 1, 0});
        cases.put("zero counter", new int[] {1, 1, 1, 'a', 0, 0});
        cases.put("flags", new int[] {1, 1, 1, 'a', 1, 1, 2, 0, 0});
        cases.put("tombstone with", new int[] {1, 1, 1, 'a', 1, 1, 1, 0, 1, 'x'});
        cases.put("trailing", new int[] {1, 0, 0});
        cases.put("overruns", new int[] {1, 1, 1, 'a', 1, 1, 0, 0, 1});
        cases.put("UTF-8", new int[] {1, 1, 1, 0xFF, 1, 0});
        cases.forEach((message, body) ->
                assertThatThrownBy(() -> DvvSet.decode(withCrc(body)))
                        .as(message)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(message));
    }

    @Test
    void rejectsBadReplicaIds() {
        assertThatThrownBy(() -> DvvSet.empty().update(v("x"), "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DvvSet.empty().update(v("x"), "r".repeat(256))).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] withCrc(int[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b : body) {
            out.write(b);
        }
        CRC32C crc = new CRC32C();
        crc.update(out.toByteArray());
        int c = (int) crc.getValue();
        out.write(c >>> 24);
        out.write(c >>> 16);
        out.write(c >>> 8);
        out.write(c);
        return out.toByteArray();
    }
}
