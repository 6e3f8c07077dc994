package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Laws of {@link DvvSet} over states reached by random histories of reads, writes and syncs. */
class DvvSetPropertiesTest {

    @Provide
    Arbitrary<List<CausalSim.Op>> histories() {
        return CausalSim.histories(40);
    }

    private static CausalSim run(List<CausalSim.Op> history) {
        CausalSim sim = new CausalSim();
        history.forEach(sim::apply);
        return sim;
    }

    /**
     * The oracle: after every step each replica holds exactly the writes it knows of that no
     * write it knows of saw; once all replicas have synced, that is every write not superseded
     * by a later write that saw it.
     */
    @Property(tries = 400)
    void everyReplicaAgreesWithTheCausalHistoryOracle(@ForAll("histories") List<CausalSim.Op> history) {
        CausalSim sim = new CausalSim();
        for (CausalSim.Op op : history) {
            sim.apply(op);
            sim.checkAllAgainstOracle();
        }
        sim.syncAll();
        sim.checkAllAgainstOracle();
    }

    @Property(tries = 300)
    void syncIsCommutativeAssociativeAndIdempotent(@ForAll("histories") List<CausalSim.Op> history) {
        CausalSim sim = run(history);
        DvvSet a = sim.states[0];
        DvvSet b = sim.states[1];
        DvvSet c = sim.states[2];

        assertThat(DvvSet.sync(a, b)).isEqualTo(DvvSet.sync(b, a));
        assertThat(DvvSet.sync(DvvSet.sync(a, b), c)).isEqualTo(DvvSet.sync(a, DvvSet.sync(b, c)));
        assertThat(DvvSet.sync(a, a)).isEqualTo(a);
        assertThat(DvvSet.sync(DvvSet.sync(a, b), b)).isEqualTo(DvvSet.sync(a, b));
    }

    @Property(tries = 300)
    void syncDescendsBothSides(@ForAll("histories") List<CausalSim.Op> history) {
        CausalSim sim = run(history);
        DvvSet a = sim.states[0];
        DvvSet b = sim.states[1];
        DvvSet merged = DvvSet.sync(a, b);

        assertThat(merged.join().descends(a.join())).isTrue();
        assertThat(merged.join().descends(b.join())).isTrue();
        assertThat(merged.join()).isEqualTo(a.join().merge(b.join()));
        assertThat(merged.less(a)).isFalse();
        assertThat(a.less(merged) || a.join().equals(merged.join())).isTrue();
        // The clock accounts for all a set knows: a side strictly behind contributes nothing,
        // and sets with equal clocks are equal (so comparing contexts is a valid digest).
        if (a.less(b)) {
            assertThat(merged).isEqualTo(b);
        }
        if (a.join().equals(b.join())) {
            assertThat(a).isEqualTo(b);
        }
        // Whatever survives came from one side, and a side's sibling is dropped only if the
        // other side has seen its dot without keeping it.
        Set<CausalSim.Content> fromSides = new HashSet<>();
        a.values().forEach(s -> fromSides.add(CausalSim.Content.of(s)));
        b.values().forEach(s -> fromSides.add(CausalSim.Content.of(s)));
        assertThat(contents(merged)).isSubsetOf(fromSides);
    }

    @Property(tries = 300)
    void encodingRoundTrips(@ForAll("histories") List<CausalSim.Op> history) {
        CausalSim sim = run(history);
        for (DvvSet state : sim.states) {
            DvvSet decoded = DvvSet.decode(state.encode());
            assertThat(decoded).isEqualTo(state);
            assertThat(decoded.values()).isEqualTo(state.values());
        }
    }

    @Property(tries = 200)
    void anyCorruptionIsReportedNeverDecodedIntoAnotherSet(@ForAll("histories") List<CausalSim.Op> history,
                                                         @ForAll @IntRange(min = 0, max = 1 << 20) int where,
                                                         @ForAll @IntRange(min = 1, max = 255) int flip) {
        byte[] good = run(history).syncAll().encode();
        int position = where % good.length;

        byte[] flipped = good.clone();
        flipped[position] ^= (byte) flip;
        assertThatThrownBy(() -> DvvSet.decode(flipped)).isInstanceOf(IllegalArgumentException.class);

        byte[] truncated = Arrays.copyOf(good, position);
        assertThatThrownBy(() -> DvvSet.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void arbitraryBytesNeverDecodeIntoASet(@ForAll @Size(max = 64) byte[] bytes) {
        // Random bytes carry a matching CRC32C with probability 2^-32.
        assertThatThrownBy(() -> DvvSet.decode(bytes)).isInstanceOf(IllegalArgumentException.class);
    }

    /** k clients writing without a context, through any coordinators, end as k siblings. */
    @Property(tries = 300)
    void blindWritesAllBecomeSiblings(@ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 2) Integer> coordinators,
                                      @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 8) Integer> syncs) {
        CausalSim sim = new CausalSim();
        for (int i = 0; i < coordinators.size(); i++) {
            sim.write(i, coordinators.get(i), false, true);
            if (i < syncs.size()) {
                sim.sync(syncs.get(i) / 3, syncs.get(i) % 3);
            }
        }
        DvvSet all = sim.syncAll();

        assertThat(all.size()).isEqualTo(coordinators.size());
        assertThat(all.storedSize()).isEqualTo(coordinators.size());
        assertThat(contents(all)).isEqualTo(
                java.util.stream.IntStream.range(0, coordinators.size())
                        .mapToObj(i -> new CausalSim.Content(false, "w" + i)).collect(Collectors.toSet()));
    }

    /**
     * A write with the context of a read supersedes exactly the siblings that read saw and keeps
     * every sibling the coordinator holds that the read did not see. Values only (no deletes),
     * so each content is one write.
     */
    @Property(tries = 400)
    void aPutWithAReadContextSupersedesExactlyWhatTheReadSaw(@ForAll("histories") List<CausalSim.Op> history,
                                                             @ForAll @IntRange(min = 0, max = 2) int readFrom,
                                                             @ForAll @IntRange(min = 0, max = 2) int coordinator) {
        CausalSim sim = run(history.stream().map(DvvSetPropertiesTest::withoutDeletes).toList());
        DvvSet reader = sim.states[readFrom];
        Set<CausalSim.Content> read = contents(reader);
        // What the coordinator holds that the reader's replica has not seen: a sibling the
        // reader's replica has seen is either among what it returned or superseded there.
        Set<CausalSim.Content> unseen = new HashSet<>(contents(DvvSet.sync(sim.states[coordinator], reader)));
        unseen.removeAll(read);

        sim.read(0, readFrom);
        sim.write(0, coordinator, false, false);

        Set<CausalSim.Content> expected = new HashSet<>(unseen);
        expected.add(new CausalSim.Content(false, "w" + (sim.writeCount() - 1)));
        DvvSet after = sim.states[coordinator];
        assertThat(contents(after)).isEqualTo(expected);
        assertThat(after.storedSize()).isEqualTo(expected.size());
        assertThat(contents(after)).noneMatch(read::contains);
        sim.checkAllAgainstOracle();
    }

    private static CausalSim.Op withoutDeletes(CausalSim.Op op) {
        return op instanceof CausalSim.Write w ? new CausalSim.Write(w.client(), w.coordinator(), false, w.blind()) : op;
    }

    /** A read-modify-write through one replica, racing nothing, always leaves one sibling. */
    @Property(tries = 200)
    void readModifyWriteWithoutRacesLeavesOneSibling(@ForAll("histories") List<CausalSim.Op> history,
                                                    @ForAll @IntRange(min = 0, max = 2) int coordinator) {
        CausalSim sim = run(history);
        sim.syncAll();
        sim.read(1, coordinator);
        sim.write(1, coordinator, false, false);

        assertThat(sim.states[coordinator].values())
                .singleElement()
                .extracting(s -> new String(s.value(), StandardCharsets.UTF_8))
                .isEqualTo("w" + (sim.writeCount() - 1));
    }

    static Set<CausalSim.Content> contents(DvvSet set) {
        return set.values().stream().map(CausalSim.Content::of).collect(Collectors.toSet());
    }
}
