package io.ringkv.coordinator.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.coordinator.testing.Seeds.Gen;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rack guarantee of {@link Planner#apply}, checked against exhaustive search on small rings:
 * among all rings that change only the slots a join or removal may change, at the tightest level of
 * (counts, shares) any of them reaches, the planner's ring has the fewest rack repeats. So it is
 * rack-distinct whenever any such ring is. Cases where the change has no minimal plan, or too few
 * ACTIVE nodes for N, are skipped ({@link Seeds#assume}).
 */
class PlannerRackOptimalityTest {

    private static final int LEVELS = 4;

    /** A small ring to change: {@code mix} picks the racks of its nodes, the joiner's rack and the node removed. */
    record Case(int nodes, int racks, int n, int log2q, int mix, boolean warmUp) {
        static Case generate(Gen gen, int minNodes, int maxNodes) {
            return new Case(gen.between(minNodes, maxNodes), gen.between(1, 3), gen.between(1, 3), gen.between(2, 3),
                    gen.between(0, 1 << 20), gen.bool());
        }

        Ring ring() {
            return smallRing(nodes, racks, n, 1 << log2q, mix, warmUp);
        }
    }

    @Test
    void joinHasFewestRackRepeatsAtTheTightestLevel() {
        Seeds.check(200, gen -> Case.generate(gen, 1, 6), c -> {
            Ring before = c.ring();
            Seeds.assume(before.activeNodes().size() >= c.n());
            Node joining = PlannerPropertiesTest.node("joiner", "rack-" + (c.mix() % (c.racks() + 1)),
                    NodeState.ACTIVE);
            Ring after = Planner.apply(before, new RingChange.Join(joining));

            Search search = new Search(before, LEVELS);
            int newRack = search.rackNumber(joining.rack());
            search.join(0, new int[before.nodes().size()], 0, newRack);
            assertOptimal(search, before, after, joining.id(), true);
        });
    }

    @Test
    void removeHasFewestRackRepeatsAtTheTightestLevel() {
        Seeds.check(200, gen -> Case.generate(gen, 2, 7), c -> {
            Ring before = c.ring();
            List<Node> active = before.activeNodes();
            Seeds.assume(active.size() - 1 >= c.n());
            String id = active.get(c.mix() % active.size()).id();
            Ring after = Planner.apply(before, new RingChange.Remove(id));

            Search search = new Search(before, LEVELS);
            search.remove(id, before.vnodesOf(id), 0, new int[before.nodes().size()], 0);
            assertOptimal(search, before, after, id, false);
        });
    }

    private static void assertOptimal(Search search, Ring before, Ring after, String id, boolean join) {
        int tightest = 0;
        while (tightest < LEVELS && search.best[tightest] == Integer.MAX_VALUE) {
            tightest++;
        }
        Seeds.assume(tightest < LEVELS); // no minimal plan at all: the planner's last resort, not covered here
        int plannerLevel = search.levelOf(after, id, join);
        assertThat(plannerLevel).as("tightest level reached by the planner vs by any ring").isEqualTo(tightest);
        assertThat(RingAssertions.rackRepeats(after))
                .as("rack repeats vs the fewest any ring at level %d has", tightest)
                .isEqualTo(search.best[tightest]);
    }

    /** A ring from the planner, optionally after one random join or removal so it is not always an initial one. */
    private static Ring smallRing(int nodes, int racks, int n, int q, int seed, boolean warmUp) {
        List<Node> list = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            int rack = (int) Math.floorMod(Mix.mix(seed, i), (long) racks);
            list.add(PlannerPropertiesTest.node("n" + i, "rack-" + rack, NodeState.ACTIVE));
        }
        Ring ring = Planner.initial(list, q, n);
        if (warmUp) {
            if (seed % 2 == 0 && ring.activeNodes().size() > 1) {
                ring = Planner.apply(ring, new RingChange.Remove(ring.activeNodes().get(seed % nodes % ring.activeNodes().size()).id()));
            } else {
                ring = Planner.apply(ring, new RingChange.Join(
                        PlannerPropertiesTest.node("warm", "rack-" + (seed % racks), NodeState.ACTIVE)));
            }
        }
        return ring;
    }

    /** Enumerates every ring a change may produce and records the fewest rack repeats per level. */
    private static final class Search {
        final Ring ring;
        final int[][] rows;
        final int[] rackOf;
        final List<String> rackNames = new ArrayList<>();
        final int[] best;
        final int[] count;
        int baseRepeats;

        Search(Ring ring, int levels) {
            this.ring = ring;
            this.rows = ring.assignments();
            this.rackOf = new int[ring.nodes().size() + 1];
            for (int i = 0; i < ring.nodes().size(); i++) {
                rackOf[i] = rackNumber(ring.nodes().get(i).rack());
            }
            this.best = new int[levels];
            Arrays.fill(best, Integer.MAX_VALUE);
            this.count = new int[ring.nodes().size()];
            for (int[] row : rows) {
                for (int node : row) {
                    count[node]++;
                }
            }
            for (int[] row : rows) {
                baseRepeats += repeats(row);
            }
        }

        int rackNumber(String rack) {
            int i = rackNames.indexOf(rack);
            if (i < 0) {
                rackNames.add(rack);
                i = rackNames.size() - 1;
            }
            return i;
        }

        int repeats(int[] row) {
            return (int) (row.length - Arrays.stream(row).map(i -> rackOf[i]).distinct().count());
        }

        /** Vnode v either keeps its row or the newcomer (index = table size) replaces one position. */
        void join(int v, int[] gives, int delta, int newRack) {
            if (v == rows.length) {
                int k = 0;
                int t = 0;
                List<Long> finals = new ArrayList<>();
                List<Long> shares = new ArrayList<>();
                for (int i = 0; i < count.length; i++) {
                    if (ring.nodes().get(i).isActive()) {
                        k++;
                        t += gives[i];
                        finals.add((long) count[i] - gives[i]);
                        shares.add((long) gives[i]);
                    }
                }
                finals.add((long) t);
                record(finals, shares, t, baseRepeats + delta);
                return;
            }
            join(v + 1, gives, delta, newRack);
            int[] row = rows[v];
            rackOf[rackOf.length - 1] = newRack;
            for (int p = 0; p < row.length; p++) {
                int before = repeats(row);
                int[] changed = row.clone();
                changed[p] = rackOf.length - 1;
                int after = repeats(changed);
                gives[row[p]]++;
                join(v + 1, gives, delta + after - before, newRack);
                gives[row[p]]--;
            }
        }

        /** Each of the removed node's vnodes goes to one ACTIVE node not already in it. */
        void remove(String id, int[] vnodes, int i, int[] gets, int delta) {
            int leaving = ring.indexOf(id);
            if (i == vnodes.length) {
                List<Long> finals = new ArrayList<>();
                List<Long> shares = new ArrayList<>();
                for (int j = 0; j < count.length; j++) {
                    if (j != leaving && ring.nodes().get(j).isActive()) {
                        finals.add((long) count[j] + gets[j]);
                        shares.add((long) gets[j]);
                    }
                }
                record(finals, shares, vnodes.length, baseRepeats + delta);
                return;
            }
            int[] row = rows[vnodes[i]];
            int p = 0;
            while (row[p] != leaving) {
                p++;
            }
            for (int j = 0; j < count.length; j++) {
                final int candidate = j;
                if (j == leaving || !ring.nodes().get(j).isActive() || Arrays.stream(row).anyMatch(x -> x == candidate)) {
                    continue;
                }
                int[] changed = row.clone();
                changed[p] = j;
                gets[j]++;
                remove(id, vnodes, i + 1, gets, delta + repeats(changed) - repeats(row));
                gets[j]--;
            }
        }

        private void record(List<Long> finals, List<Long> shares, long moved, int repeats) {
            int level = level(finals, shares, moved);
            for (int l = level; l < best.length; l++) {
                best[l] = Math.min(best[l], repeats);
            }
        }

        /** 0: counts floor/ceil and shares floor/ceil; 1: shares within one; 2: counts within one too; 3: any shares; 4: none. */
        static int level(List<Long> finals, List<Long> shares, long moved) {
            long total = finals.stream().mapToLong(Long::longValue).sum();
            int a = finals.size();
            int p = shares.size();
            boolean strictCounts = finals.stream().allMatch(c -> c >= total / a && c <= Math.ceilDiv(total, a));
            boolean looseCounts = finals.stream().allMatch(c -> Math.abs(c * a - total) <= a);
            boolean strictShares = shares.stream().allMatch(s -> s >= moved / p && s <= Math.ceilDiv(moved, p));
            boolean looseShares = shares.stream().allMatch(s -> Math.abs(s * p - moved) <= p);
            if (strictCounts && strictShares) {
                return 0;
            }
            if (strictCounts && looseShares) {
                return 1;
            }
            if (looseCounts && looseShares) {
                return 2;
            }
            return looseCounts ? 3 : 4;
        }

        /** The level of the planner's own ring. */
        int levelOf(Ring after, String id, boolean join) {
            List<Long> finals = new ArrayList<>();
            List<Long> shares = new ArrayList<>();
            after.replicaCounts().values().forEach(c -> finals.add((long) c));
            long moved = 0;
            for (Node node : ring.activeNodes()) {
                if (node.id().equals(id)) {
                    continue;
                }
                long share = 0;
                for (int v = 0; v < ring.vnodeCount(); v++) {
                    int p = ring.replicas(v).indexOf(node);
                    boolean had = p >= 0;
                    if (join && had && after.replicas(v).get(p).id().equals(id)) {
                        share++;
                    }
                    int q = after.replicas(v).indexOf(after.node(node.id()).orElseThrow());
                    if (!join && q >= 0 && ring.replicas(v).get(q).id().equals(id)) {
                        share++;
                    }
                }
                shares.add(share);
                moved += share;
            }
            return level(finals, shares, moved);
        }
    }
}
