package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.coordinator.testing.Seeds.Gen;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Laws of {@link DvvSet} over states reached by random histories of reads, writes and syncs. */
class DvvSetPropertiesTest {

    private static List<CausalSim.Op> history(Gen gen) {
        return CausalSim.history(gen, 40);
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
    @Test
    void everyReplicaAgreesWithTheCausalHistoryOracle() {
        Seeds.check(400, DvvSetPropertiesTest::history, history -> {
            CausalSim sim = new CausalSim();
            for (CausalSim.Op op : history) {
                sim.apply(op);
                sim.checkAllAgainstOracle();
            }
            sim.syncAll();
            sim.checkAllAgainstOracle();
        });
    }

    @Test
    void syncIsCommutativeAssociativeAndIdempotent() {
        Seeds.check(300, DvvSetPropertiesTest::history, history -> {
            CausalSim sim = run(history);
            DvvSet a = sim.states[0];
            DvvSet b = sim.states[1];
            DvvSet c = sim.states[2];

            assertThat(DvvSet.sync(a, b)).isEqualTo(DvvSet.sync(b, a));
            assertThat(DvvSet.sync(DvvSet.sync(a, b), c)).isEqualTo(DvvSet.sync(a, DvvSet.sync(b, c)));
            assertThat(DvvSet.sync(a, a)).isEqualTo(a);
            assertThat(DvvSet.sync(DvvSet.sync(a, b), b)).isEqualTo(DvvSet.sync(a, b));
        });
    }

    @Test
    void syncDescendsBothSides() {
        Seeds.check(300, DvvSetPropertiesTest::history, history -> {
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
        });
    }

    @Test
    void encodingRoundTrips() {
        Seeds.check(300, DvvSetPropertiesTest::history, history -> {
            CausalSim sim = run(history);
            for (DvvSet state : sim.states) {
                DvvSet decoded = DvvSet.decode(state.encode());
                assertThat(decoded).isEqualTo(state);
                assertThat(decoded.values()).isEqualTo(state.values());
            }
        });
    }

    @Test
    void anyCorruptionIsReportedNeverDecodedIntoAnotherSet() {
        record Case(List<CausalSim.Op> history, int where, int flip) {
        }
        Seeds.check(200, gen -> new Case(history(gen), gen.between(0, 1 << 20), gen.between(1, 255)), c -> {
            List<CausalSim.Op> history = c.history();
            int where = c.where();
            int flip = c.flip();
            byte[] good = run(history).syncAll().encode();
            int position = where % good.length;

            byte[] flipped = good.clone();
            flipped[position] ^= (byte) flip;
            assertThatThrownBy(() -> DvvSet.decode(flipped)).isInstanceOf(IllegalArgumentException.class);

            byte[] truncated = Arrays.copyOf(good, position);
            assertThatThrownBy(() -> DvvSet.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
        });
    }

    @Test
    void arbitraryBytesNeverDecodeIntoASet() {
        Seeds.check(1000, gen -> gen.bytes(0, 64), bytes -> {
            // Random bytes carry a matching CRC32C with probability 2^-32.
            assertThatThrownBy(() -> DvvSet.decode(bytes)).isInstanceOf(IllegalArgumentException.class);
        });
    }

    /** k clients writing without a context, through any coordinators, end as k siblings. */
    @Test
    void blindWritesAllBecomeSiblings() {
        record Case(List<Integer> coordinators, List<Integer> syncs) {
        }
        Seeds.check(300, gen -> new Case(gen.list(1, 8, g -> g.between(0, 2)), gen.list(0, 12, g -> g.between(0, 8))),
                c -> {
            List<Integer> coordinators = c.coordinators();
            List<Integer> syncs = c.syncs();
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
                    IntStream.range(0, coordinators.size())
                            .mapToObj(i -> new CausalSim.Content(false, "w" + i)).collect(Collectors.toSet()));
        });
    }

    /**
     * A write with the context of a read supersedes exactly the siblings that read saw and keeps
     * every sibling the coordinator holds that the read did not see. Values only (no deletes),
     * so each content is one write.
     */
    @Test
    void aPutWithAReadContextSupersedesExactlyWhatTheReadSaw() {
        record Case(List<CausalSim.Op> history, int readFrom, int coordinator) {
        }
        Seeds.check(400, gen -> new Case(history(gen), gen.between(0, 2), gen.between(0, 2)), c -> {
            List<CausalSim.Op> history = c.history();
            int readFrom = c.readFrom();
            int coordinator = c.coordinator();
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
        });
    }

    private static CausalSim.Op withoutDeletes(CausalSim.Op op) {
        return op instanceof CausalSim.Write w ? new CausalSim.Write(w.client(), w.coordinator(), false, w.blind()) : op;
    }

    /** A read-modify-write through one replica, racing nothing, always leaves one sibling. */
    @Test
    void readModifyWriteWithoutRacesLeavesOneSibling() {
        record Case(List<CausalSim.Op> history, int coordinator) {
        }
        Seeds.check(200, gen -> new Case(history(gen), gen.between(0, 2)), c -> {
            List<CausalSim.Op> history = c.history();
            int coordinator = c.coordinator();
            CausalSim sim = run(history);
            sim.syncAll();
            sim.read(1, coordinator);
            sim.write(1, coordinator, false, false);

            assertThat(sim.states[coordinator].values())
                    .singleElement()
                    .extracting(s -> new String(s.value(), StandardCharsets.UTF_8))
                    .isEqualTo("w" + (sim.writeCount() - 1));
        });
    }

    static Set<CausalSim.Content> contents(DvvSet set) {
        return set.values().stream().map(CausalSim.Content::of).collect(Collectors.toSet());
    }
}
