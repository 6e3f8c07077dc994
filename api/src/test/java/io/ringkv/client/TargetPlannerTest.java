package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties of the attempt order, checked on seeded random inputs against a simple oracle. */
class TargetPlannerTest {
    @Test
    void readsRotateOverTheReplicasAndFallBackToTheSeeds() {
        List<String> replicas = List.of("a", "b", "c");
        List<String> seeds = List.of("s", "b");
        Predicate<String> noneDown = x -> false;
        assertThat(TargetPlanner.readPlan(replicas, seeds, 0, noneDown)).containsExactly("a", "b", "c", "s");
        assertThat(TargetPlanner.readPlan(replicas, seeds, 1, noneDown)).containsExactly("b", "c", "a", "s");
        assertThat(TargetPlanner.readPlan(replicas, seeds, -1, noneDown)).containsExactly("c", "a", "b", "s");
        assertThat(TargetPlanner.readPlan(replicas, seeds, 1, "b"::equals)).containsExactly("c", "a", "b", "s");
    }

    @Test
    void writesGoToTheFirstLiveReplicaThenTheOthersInOrderDownOnesLast() {
        assertThat(TargetPlanner.writePlan(List.of("a", "b", "c"), x -> false)).containsExactly("a", "b", "c");
        assertThat(TargetPlanner.writePlan(List.of("a", "b", "c"), "a"::equals)).containsExactly("b", "c", "a");
        assertThat(TargetPlanner.writePlan(List.of("a", "b", "c"), "b"::equals)).containsExactly("a", "c", "b");
        assertThat(TargetPlanner.writePlan(List.of("a", "b"), x -> true)).containsExactly("a", "b");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void aReadPlanTriesEveryCandidateOnceLiveReplicasFirstInRotatedOrder(long seed) {
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<String> replicas = distinct(random, 1 + random.nextInt(5), "r");
            List<String> seeds = new ArrayList<>(distinct(random, random.nextInt(4), "s"));
            if (random.nextBoolean() && !replicas.isEmpty()) {
                seeds.add(replicas.get(random.nextInt(replicas.size()))); // a seed that is also a replica
            }
            Set<String> down = new HashSet<>();
            for (String r : replicas) {
                if (random.nextInt(3) == 0) {
                    down.add(r);
                }
            }
            int offset = random.nextInt();

            List<String> plan = TargetPlanner.readPlan(replicas, seeds, offset, down::contains);

            Set<String> all = new LinkedHashSet<>(replicas);
            all.addAll(seeds);
            assertThat(plan).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
            // Oracle: the replicas rotated by offset, live ones keeping their order before the down ones.
            List<String> rotated = new ArrayList<>();
            for (int i = 0; i < replicas.size(); i++) {
                rotated.add(replicas.get(Math.floorMod(offset + i, replicas.size())));
            }
            List<String> expectedHead = new ArrayList<>(rotated.stream().filter(r -> !down.contains(r)).toList());
            expectedHead.addAll(rotated.stream().filter(down::contains).toList());
            assertThat(plan.subList(0, replicas.size())).containsExactlyElementsOf(expectedHead);
        }
    }

    @Test
    void consecutiveOffsetsStartEachReadAtADifferentReplica() {
        List<String> replicas = List.of("a", "b", "c");
        Set<String> firsts = new HashSet<>();
        for (int offset = 0; offset < 3; offset++) {
            firsts.add(TargetPlanner.readPlan(replicas, List.of(), offset, x -> false).getFirst());
        }
        assertThat(firsts).containsExactlyInAnyOrder("a", "b", "c");
    }

    private static List<String> distinct(Random random, int count, String prefix) {
        Set<String> out = new LinkedHashSet<>();
        while (out.size() < count) {
            out.add(prefix + random.nextInt(20));
        }
        return List.copyOf(out);
    }
}
