package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * No sibling explosion. The bounds asserted, for k writers over 3 replicas with any
 * interleaving of syncs:
 *
 * <ul>
 *   <li>Retries: writer i sends one put (same value, same context from one read) r_i times,
 *       through m_i distinct coordinators. Every replica shows at most k of these siblings at
 *       every step ({@code size() <= k}); once synced it shows exactly k; and it stores at most
 *       {@code sum(min(r_i, m_i)) <= 3k} ({@code storedSize()}).
 *   <li>Chained writes: each writer writes new values, each with the context returned by its own
 *       previous write. Every replica shows and stores at most k siblings at every step.
 * </ul>
 */
class SiblingBoundsTest {

    sealed interface Step permits Attempt, Sync {
    }

    /** Writer {@code writer} (mod k) sends its put through one of its coordinators, chosen by {@code pick}. */
    record Attempt(int writer, int pick) implements Step {
    }

    record Sync(int from, int to) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> attempt = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 2))
                .as(Attempt::new);
        Arbitrary<Step> sync = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2))
                .as(Sync::new);
        return Arbitraries.oneOf(attempt, attempt, sync).list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<CausalSim.Op>> histories() {
        return CausalSim.histories(15);
    }

    /**
     * @param coordinatorMasks one per writer: the replicas (bit set, 1..7) its retries may go through
     */
    @Property(tries = 400)
    void retriesOfOnePutDoNotMultiplySiblings(@ForAll("histories") List<CausalSim.Op> before,
                                              @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 7) Integer> coordinatorMasks,
                                              @ForAll("steps") List<Step> steps) {
        CausalSim setup = new CausalSim();
        before.forEach(setup::apply);
        DvvSet read = setup.syncAll();
        Set<CausalSim.Content> readContents = DvvSetPropertiesTest.contents(read);
        VersionVector context = read.join();

        int k = coordinatorMasks.size();
        DvvSet[] replicas = {read, read, read};
        int[] attempts = new int[k];
        List<Set<Integer>> coordinatorsUsed = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            coordinatorsUsed.add(new HashSet<>());
        }
        long timestampMillis = 10_000;
        for (Step step : steps) {
            switch (step) {
                case Attempt a -> {
                    int writer = a.writer() % k;
                    List<Integer> allowed = replicasIn(coordinatorMasks.get(writer));
                    int coordinator = allowed.get(a.pick() % allowed.size());
                    // Each attempt is stamped anew by its coordinator; only the bytes repeat.
                    Sibling put = Sibling.of(valueOf(writer), timestampMillis++);
                    replicas[coordinator] = replicas[coordinator].update(context, put, CausalSim.REPLICAS.get(coordinator));
                    attempts[writer]++;
                    coordinatorsUsed.get(writer).add(coordinator);
                }
                case Sync s -> replicas[s.to()] = DvvSet.sync(replicas[s.to()], replicas[s.from()]);
            }
            int active = activeWriters(attempts);
            int storedBound = storedBound(attempts, coordinatorsUsed);
            for (DvvSet replica : replicas) {
                Set<CausalSim.Content> shown = DvvSetPropertiesTest.contents(replica);
                if (!shown.equals(readContents)) {
                    // The replica has seen a put, hence the context: what the read saw is gone.
                    assertThat(shown).noneMatch(readContents::contains);
                    assertThat(replica.size()).isLessThanOrEqualTo(active);
                    assertThat(replica.storedSize()).isLessThanOrEqualTo(storedBound);
                }
            }
        }

        DvvSet all = DvvSet.sync(DvvSet.sync(replicas[0], replicas[1]), replicas[2]);
        int active = activeWriters(attempts);
        if (active == 0) {
            assertThat(all).isEqualTo(read);
            return;
        }
        Set<CausalSim.Content> expected = new HashSet<>();
        for (int i = 0; i < k; i++) {
            if (attempts[i] > 0) {
                expected.add(new CausalSim.Content(false, new String(valueOf(i), StandardCharsets.UTF_8)));
            }
        }
        assertThat(DvvSetPropertiesTest.contents(all)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(all.size()).isEqualTo(active);
        assertThat(all.storedSize()).isBetween(active, storedBound(attempts, coordinatorsUsed));
        assertThat(all.storedSize()).isLessThanOrEqualTo(3 * k);
    }

    @Property(tries = 400)
    void writersChainingTheirOwnContextsKeepAtMostOneSiblingEach(
            @ForAll @IntRange(min = 1, max = 4) int k,
            @ForAll("steps") List<Step> steps) {
        DvvSet[] replicas = {DvvSet.empty(), DvvSet.empty(), DvvSet.empty()};
        VersionVector[] contexts = new VersionVector[k];
        Arrays.fill(contexts, VersionVector.empty());
        Set<Integer> wrote = new HashSet<>();
        int write = 0;
        for (Step step : steps) {
            switch (step) {
                case Attempt a -> {
                    int writer = a.writer() % k;
                    int coordinator = a.pick();
                    Sibling put = Sibling.of(("w" + write).getBytes(StandardCharsets.UTF_8), write);
                    write++;
                    replicas[coordinator] = replicas[coordinator].update(contexts[writer], put, CausalSim.REPLICAS.get(coordinator));
                    // The client keeps the context the put returned, not a fresh read.
                    contexts[writer] = replicas[coordinator].join();
                    wrote.add(writer);
                }
                case Sync s -> replicas[s.to()] = DvvSet.sync(replicas[s.to()], replicas[s.from()]);
            }
            for (DvvSet replica : replicas) {
                assertThat(replica.size()).isLessThanOrEqualTo(wrote.size());
                assertThat(replica.storedSize()).isLessThanOrEqualTo(wrote.size());
            }
        }
        DvvSet all = DvvSet.sync(DvvSet.sync(replicas[0], replicas[1]), replicas[2]);
        assertThat(all.storedSize()).isLessThanOrEqualTo(wrote.size());
    }

    private static byte[] valueOf(int writer) {
        return ("retried-put-of-writer-" + writer).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Integer> replicasIn(int mask) {
        List<Integer> replicas = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            if ((mask & (1 << r)) != 0) {
                replicas.add(r);
            }
        }
        return replicas;
    }

    private static int activeWriters(int[] attempts) {
        return (int) Arrays.stream(attempts).filter(n -> n > 0).count();
    }

    /** sum over writers of min(attempts, distinct coordinators used). */
    private static int storedBound(int[] attempts, List<Set<Integer>> coordinatorsUsed) {
        int bound = 0;
        for (int i = 0; i < attempts.length; i++) {
            bound += Math.min(attempts[i], coordinatorsUsed.get(i).size());
        }
        return bound;
    }
}
