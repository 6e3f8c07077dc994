package io.ringkv.client;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Pure functions choosing which nodes a request goes to, in order: the replicas of the key's
 * vnode (or the seeds when there is no ring), nodes believed down last.
 *
 * <p>Writes go to the vnode's first live replica: one coordinator per key in the common case keeps
 * the key's LWW timestamps from one clock and applies the write locally without a hop. Reads
 * start at a rotating offset so that even a single hot key spreads its coordination work over all
 * of its replicas; which replica coordinates does not change what a quorum read returns.
 */
final class TargetPlanner {
    private TargetPlanner() {
    }

    /**
     * Read attempt order: {@code preferred} rotated to start at {@code offset} (live before down),
     * then the {@code fallbacks} not already listed (live before down), without duplicates.
     */
    static List<String> readPlan(List<String> preferred, List<String> fallbacks, int offset,
                                 Predicate<String> isDown) {
        Set<String> live = new LinkedHashSet<>();
        Set<String> down = new LinkedHashSet<>();
        int n = preferred.size();
        int start = n == 0 ? 0 : Math.floorMod(offset, n);
        for (int i = 0; i < n; i++) {
            String address = preferred.get((start + i) % n);
            (isDown.test(address) ? down : live).add(address);
        }
        List<String> plan = new ArrayList<>(live);
        for (String address : down) {
            if (!plan.contains(address)) {
                plan.add(address);
            }
        }
        Set<String> liveFallbacks = new LinkedHashSet<>();
        Set<String> downFallbacks = new LinkedHashSet<>();
        for (String address : fallbacks) {
            if (!plan.contains(address)) {
                (isDown.test(address) ? downFallbacks : liveFallbacks).add(address);
            }
        }
        plan.addAll(liveFallbacks);
        plan.addAll(downFallbacks);
        return List.copyOf(plan);
    }

    /**
     * Write attempt order: the live nodes of {@code preferred} in order, then the ones that look
     * down. The first is the write's target; the others are tried only if it refuses the connection.
     */
    static List<String> writePlan(List<String> preferred, Predicate<String> isDown) {
        if (preferred.isEmpty()) {
            throw new IllegalArgumentException("no candidate nodes");
        }
        List<String> plan = new ArrayList<>(preferred.size());
        for (String address : preferred) {
            if (!isDown.test(address) && !plan.contains(address)) {
                plan.add(address);
            }
        }
        for (String address : preferred) {
            if (!plan.contains(address)) {
                plan.add(address);
            }
        }
        return List.copyOf(plan);
    }
}
