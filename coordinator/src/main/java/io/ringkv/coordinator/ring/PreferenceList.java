package io.ringkv.coordinator.ring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Who serves a vnode given which nodes are live: its primaries in ring order, each tagged live or
 * down, then the live fallbacks in a fixed order per vnode.
 *
 * <p>Fallbacks are found as Riak's {@code riak_core_apl} does: walk the following vnodes clockwise
 * and collect each new ACTIVE node from their replica lists in order; ACTIVE nodes the walk never
 * meets come last, by id. So the fallbacks of a vnode do not depend on which nodes are down, only
 * which of them are listed does, and every node agrees on the order.
 *
 * @param vnode the vnode the list is for
 * @param primaries the vnode's replicas in preference order, live or not
 * @param fallbacks live ACTIVE non-primaries, most preferred first
 */
public record PreferenceList(int vnode, List<Replica> primaries, List<Replica> fallbacks) {

    public PreferenceList {
        if (vnode < 0) {
            throw new IllegalArgumentException("vnode must be >= 0, got " + vnode);
        }
        primaries = List.copyOf(primaries);
        fallbacks = List.copyOf(fallbacks);
        Set<String> seen = new HashSet<>();
        for (Replica replica : primaries) {
            if (replica.role() != Replica.Role.PRIMARY) {
                throw new IllegalArgumentException("primary list holds " + replica.nodeId() + " as " + replica.role());
            }
            if (!seen.add(replica.nodeId())) {
                throw new IllegalArgumentException("node " + replica.nodeId() + " is listed twice");
            }
        }
        for (Replica replica : fallbacks) {
            if (replica.role() != Replica.Role.FALLBACK || !replica.live()) {
                throw new IllegalArgumentException("fallback list holds " + replica.nodeId() + " as "
                        + replica.role() + (replica.live() ? "" : ", down") + "; fallbacks must be live FALLBACKs");
            }
            if (!seen.add(replica.nodeId())) {
                throw new IllegalArgumentException("node " + replica.nodeId() + " is listed twice");
            }
        }
    }

    /**
     * The preference list of {@code vnode} in {@code ring} when exactly the nodes in {@code liveNodeIds}
     * are up; ids not in the ring are ignored.
     *
     * @throws IndexOutOfBoundsException if the vnode is not in the ring
     */
    public static PreferenceList of(Ring ring, int vnode, Set<String> liveNodeIds) {
        Objects.requireNonNull(ring, "ring must not be null");
        Objects.requireNonNull(liveNodeIds, "live node set must not be null");
        List<Node> replicas = ring.replicas(vnode);
        List<Replica> primaries = new ArrayList<>(replicas.size());
        boolean[] taken = new boolean[ring.nodes().size()];
        for (Node node : replicas) {
            primaries.add(new Replica(node, Replica.Role.PRIMARY, liveNodeIds.contains(node.id())));
            taken[ring.indexOf(node.id())] = true;
        }
        int wanted = ring.activeNodes().size() - replicas.size();
        List<Replica> fallbacks = new ArrayList<>();
        int found = 0;
        int q = ring.vnodeCount();
        int perVnode = ring.replicasPerVnode();
        for (int step = 1; step < q && found < wanted; step++) {
            int v = (vnode + step) & (q - 1);
            for (int p = 0; p < perVnode; p++) {
                int index = ring.replicaIndex(v, p);
                if (!taken[index]) {
                    taken[index] = true;
                    found++;
                    addIfLive(fallbacks, ring.nodes().get(index), liveNodeIds);
                }
            }
        }
        for (int index = 0; index < taken.length && found < wanted; index++) {
            Node node = ring.nodes().get(index);
            if (!taken[index] && node.isActive()) {
                taken[index] = true;
                found++;
                addIfLive(fallbacks, node, liveNodeIds);
            }
        }
        return new PreferenceList(vnode, primaries, fallbacks);
    }

    private static void addIfLive(List<Replica> fallbacks, Node node, Set<String> liveNodeIds) {
        if (liveNodeIds.contains(node.id())) {
            fallbacks.add(new Replica(node, Replica.Role.FALLBACK, true));
        }
    }

    /** The primaries that are live, in preference order. */
    public List<Replica> livePrimaries() {
        return primaries.stream().filter(Replica::live).toList();
    }

    /** The primaries that are down, in preference order; each needs a hint when written sloppily. */
    public List<Replica> downPrimaries() {
        return primaries.stream().filter(r -> !r.live()).toList();
    }

    /** The first {@code count} live fallbacks (fewer if there are not that many). */
    public List<Replica> firstLiveFallbacks(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("fallback count must be >= 0, got " + count);
        }
        return fallbacks.subList(0, Math.min(count, fallbacks.size()));
    }

    /**
     * The sloppy-quorum targets: the live primaries, then one live fallback for each down primary, as
     * far as there are live fallbacks. Its size is the number of primaries unless too few nodes are live.
     */
    public List<Replica> sloppyTargets() {
        List<Replica> live = livePrimaries();
        List<Replica> targets = new ArrayList<>(primaries.size());
        targets.addAll(live);
        targets.addAll(firstLiveFallbacks(primaries.size() - live.size()));
        return List.copyOf(targets);
    }
}
