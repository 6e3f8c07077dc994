package io.ringkv.coordinator.version;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.coordinator.testing.Seeds.Gen;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

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

    /** Up to 40 steps, two in three an attempt. */
    static List<Step> steps(Gen gen) {
        return gen.list(0, 40, g -> g.index(3) < 2
                ? new Attempt(g.between(0, 3), g.between(0, 2))
                : new Sync(g.between(0, 2), g.between(0, 2)));
    }

    /**
     * Each case: a history before the read, one mask per writer (the replicas, as a bit set 1..7,
     * its retries may go through), and the steps.
     */
    @Test
    void retriesOfOnePutDoNotMultiplySiblings() {
        record Case(List<CausalSim.Op> before, List<Integer> coordinatorMasks, List<Step> steps) {
        }
        Seeds.check(400, gen -> new Case(CausalSim.history(gen, 15), gen.list(1, 4, g -> g.between(1, 7)), steps(gen)),
                c -> {
            List<CausalSim.Op> before = c.before();
            List<Integer> coordinatorMasks = c.coordinatorMasks();
            List<Step> steps = c.steps();
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
        });
    }

    @Test
    void writersChainingTheirOwnContextsKeepAtMostOneSiblingEach() {
        record Case(int k, List<Step> steps) {
        }
        Seeds.check(400, gen -> new Case(gen.between(1, 4), steps(gen)), c -> {
            int k = c.k();
            List<Step> steps = c.steps();
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
        });
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
