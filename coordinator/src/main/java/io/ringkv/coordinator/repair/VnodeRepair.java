package io.ringkv.coordinator.repair;

import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.transport.PeerException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs one vnode of one keyspace across its replicas, then collects its old tombstones.
 *
 * <p>Replicas are exchanged through a hub, the first reachable replica: the hub with every other
 * replica in turn (the hub ends with the union, the last one too), then again with all but the
 * last (they get what later ones brought). With no writes racing, every replica ends identical.
 * An unreachable replica is left out and the repair is not full: then no tombstone is purged and
 * the vnode's last full repair is not advanced.
 */
public final class VnodeRepair {
    private static final Logger log = LoggerFactory.getLogger(VnodeRepair.class);
    /** Tombstones one purge call names, so one message stays small. */
    public static final int PURGE_BATCH = 512;

    /**
     * What repairing one vnode of one keyspace did.
     *
     * @param full           every replica was reached and made identical
     * @param startedAtMillis when the repair started (wall time): a full repair's mark for tombstone collection
     * @param unreachable    replicas left out
     * @param purged         tombstones purged, counted once per key
     */
    public record Outcome(String keyspace, int vnode, boolean full, long startedAtMillis, ExchangeResult result,
                          List<String> unreachable, long purged) {
    }

    private final Function<String, RepairPeer> peers;
    private final TreeExchange exchange;
    private final Clock clock;
    private final long gcGraceMillis;

    public VnodeRepair(Function<String, RepairPeer> peers, TreeExchange exchange, Clock clock, long gcGraceMillis) {
        this.peers = peers;
        this.exchange = exchange;
        this.clock = clock;
        this.gcGraceMillis = gcGraceMillis;
    }

    public Outcome repair(TreeSpec spec, List<String> replicas) {
        long started = clock.wallMillis();
        List<String> live = new ArrayList<>(replicas);
        List<String> unreachable = new ArrayList<>();
        ExchangeResult total = ExchangeResult.NONE;
        while (live.size() >= 2) {
            String hub = live.getFirst();
            List<String> pass = new ArrayList<>(live.subList(1, live.size()));
            boolean hubFailed = false;
            String last = null;
            for (int round = 0; round < 2 && !hubFailed; round++) {
                for (String other : pass) {
                    try {
                        total = total.plus(exchange.exchange(spec, peers.apply(hub), peers.apply(other)));
                        last = other;
                    } catch (PeerException e) {
                        String failed = hub.equals(e.nodeId()) ? hub : other;
                        log.debug("repair of {} vnode {}: {} unreachable: {}", spec.keyspace(), spec.vnode(), failed,
                                e.getMessage());
                        live.remove(failed);
                        unreachable.add(failed);
                        if (failed.equals(hub)) {
                            hubFailed = true;
                            break;
                        }
                    }
                }
                // Round two: every live replica but the last one exchanged, which already holds the union.
                pass = new ArrayList<>(live.subList(1, live.size()));
                pass.remove(last);
            }
            if (!hubFailed) {
                break;
            }
        }
        boolean full = unreachable.isEmpty();
        long purged = full && replicas.size() >= 1 ? collect(spec, replicas, OptionalLong.of(started)) : 0;
        return new Outcome(spec.keyspace(), spec.vnode(), full, started, total, List.copyOf(unreachable), purged);
    }

    /**
     * Purges, on every replica, the tombstones that {@link TombstoneGc} allows given the vnode's
     * last full repair; a replica that cannot be reached keeps its tombstones (the next repair
     * brings them back to the others, which is harmless). Returns the tombstones purged on the
     * first replica that answered.
     */
    public long collect(TreeSpec spec, List<String> replicas, OptionalLong lastFullRepairStartMillis) {
        long now = clock.wallMillis();
        long before = TombstoneGc.purgeableBefore(now, gcGraceMillis, lastFullRepairStartMillis);
        if (before == Long.MIN_VALUE) {
            return 0;
        }
        List<KeyDigest> candidates = null;
        for (String id : replicas) {
            try {
                candidates = peers.apply(id).tombstones(spec, before);
                break;
            } catch (PeerException e) {
                log.debug("tombstones of {} vnode {} on {}: {}", spec.keyspace(), spec.vnode(), id, e.getMessage());
            }
        }
        if (candidates == null || candidates.isEmpty()) {
            return 0;
        }
        List<KeyDigest> purgeable = new ArrayList<>();
        for (KeyDigest t : candidates) {
            if (TombstoneGc.verdict(t.writeTimeMillis(), now, gcGraceMillis, lastFullRepairStartMillis)
                    == TombstoneGc.Verdict.PURGE) {
                purgeable.add(t);
            }
        }
        long purged = -1;
        for (String id : replicas) {
            long here = 0;
            try {
                RepairPeer peer = peers.apply(id);
                for (int from = 0; from < purgeable.size(); from += PURGE_BATCH) {
                    here += peer.purge(spec.keyspace(), purgeable.subList(from, Math.min(purgeable.size(), from + PURGE_BATCH)));
                }
            } catch (PeerException e) {
                log.info("purging tombstones of {} vnode {} on {}: {}", spec.keyspace(), spec.vnode(), id, e.getMessage());
            }
            purged = Math.max(purged, here);
        }
        return Math.max(0, purged);
    }
}
