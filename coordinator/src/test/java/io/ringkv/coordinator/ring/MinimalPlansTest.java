package io.ringkv.coordinator.ring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The test oracle itself, on instances small enough to decide by hand. */
class MinimalPlansTest {

    @Test
    void lowerBoundsNeedEnoughAllowedItems() {
        boolean[][] bothWantItemZero = {{true, false}, {true, false}};
        assertThat(MinimalPlans.feasible(new long[] {1, 1}, new long[] {1, 1}, bothWantItemZero,
                new boolean[] {false, false}, 2)).isFalse();
        boolean[][] oneEach = {{true, false}, {false, true}};
        assertThat(MinimalPlans.feasible(new long[] {1, 1}, new long[] {1, 1}, oneEach,
                new boolean[] {false, false}, 2)).isTrue();
    }

    @Test
    void requiredItemsMustBeTaken() {
        boolean[][] onlyFirstMayTake = {{true, true}, {false, false}};
        assertThat(MinimalPlans.feasible(new long[] {0, 0}, new long[] {1, 1}, onlyFirstMayTake,
                new boolean[] {true, true}, 2)).isFalse();
        assertThat(MinimalPlans.feasible(new long[] {0, 0}, new long[] {2, 1}, onlyFirstMayTake,
                new boolean[] {true, true}, 2)).isTrue();
        assertThat(MinimalPlans.feasible(new long[] {0, 0}, new long[] {2, 1}, onlyFirstMayTake,
                new boolean[] {true, false}, 2)).isTrue();
        assertThat(MinimalPlans.feasible(new long[] {0, 0}, new long[] {2, 1}, onlyFirstMayTake,
                new boolean[] {true, false}, 3)).isFalse();
    }

    @Test
    void aPlannedRingAlwaysAdmitsAMinimalPlan() {
        Ring ring = Planner.initial(java.util.List.of(RingTest.node("a", "r1", NodeState.ACTIVE),
                RingTest.node("b", "r2", NodeState.ACTIVE), RingTest.node("c", "r3", NodeState.ACTIVE),
                RingTest.node("d", "r1", NodeState.ACTIVE)), 64, 2);
        assertThat(MinimalPlans.joinExists(ring, true)).isTrue();
        assertThat(MinimalPlans.removeExists(ring, "b", true)).isTrue();
    }
}
