package io.ringkv.coordinator.repair;

import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Timer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background repair: on every tick, once the node has a ring, continues the sessions a restart
 * interrupted (first tick only), then, unless a scheduled session is still running or the
 * foreground is slow, starts one session over the vnodes that are due. A vnode is scheduled only by
 * its first replica, so the nodes of a cluster never repeat each other's work; it is due once
 * {@code repair_interval} has passed since its last full repair. A vnode never repaired is due at a
 * point of the first interval after the scheduler started picked by hashing it, which spreads a new
 * cluster's first round over the interval instead of starting it all at once.
 */
final class RepairScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RepairScheduler.class);
    static final long FIRST_TICK_MILLIS = 1_000;
    static final long MAX_TICK_MILLIS = 60_000;

    /** What the scheduler reads and starts; the service implements it. */
    interface Node {
        Optional<Ring> ring();

        /** Continues the sessions a restart left RUNNING. */
        void resume();

        /** True while a scheduled session runs. */
        boolean busy();

        /** True while foreground latency asks repair to hold off. */
        boolean paused();

        /** Per keyspace, when each vnode was last fully repaired. */
        Map<String, Map<Integer, Instant>> lastRepairs();

        void startScheduled(SortedSet<Integer> due);
    }

    private final String selfId;
    private final List<Keyspace> keyspaces;
    private final RepairSettings settings;
    private final Clock clock;
    private final Timer timer;
    private final Node node;
    private final long startedAtMillis;
    private boolean resumed;
    private volatile boolean closed;
    private volatile Timer.Cancellable next;

    RepairScheduler(String selfId, List<Keyspace> keyspaces, RepairSettings settings, Clock clock, Timer timer, Node node) {
        this.selfId = selfId;
        this.keyspaces = keyspaces;
        this.settings = settings;
        this.clock = clock;
        this.timer = timer;
        this.node = node;
        this.startedAtMillis = clock.wallMillis();
    }

    void start() {
        next = timer.schedule(FIRST_TICK_MILLIS, this::tick);
    }

    long tickMillis() {
        return settings.schedulerEnabled()
                ? Math.clamp(settings.intervalMillis() / 100, FIRST_TICK_MILLIS, MAX_TICK_MILLIS) : MAX_TICK_MILLIS;
    }

    /** One look at what is due; runs on the timer, or on a test's thread. */
    synchronized void tick() {
        if (closed) {
            return;
        }
        try {
            Optional<Ring> ring = node.ring();
            if (ring.isPresent()) {
                if (!resumed) {
                    resumed = true;
                    node.resume();
                }
                if (settings.schedulerEnabled() && !node.busy() && !node.paused()) {
                    SortedSet<Integer> due = dueVnodes(ring.get(), selfId, keyspaces, node.lastRepairs(), startedAtMillis,
                            clock.wallMillis(), settings.intervalMillis());
                    if (!due.isEmpty()) {
                        node.startScheduled(due);
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("repair scheduler: {}", e.toString());
        } finally {
            if (!closed) {
                next = timer.schedule(tickMillis(), this::tick);
            }
        }
    }

    /** The vnodes {@code selfId} schedules (it is their first replica) that are due in some keyspace. Pure. */
    static SortedSet<Integer> dueVnodes(Ring ring, String selfId, List<Keyspace> keyspaces,
                                        Map<String, Map<Integer, Instant>> lastRepairs, long firstSeenMillis,
                                        long nowMillis, long intervalMillis) {
        SortedSet<Integer> due = new TreeSet<>();
        for (int v = 0; v < ring.vnodeCount(); v++) {
            if (!ring.replicas(v).getFirst().id().equals(selfId)) {
                continue;
            }
            for (Keyspace ks : keyspaces) {
                Instant last = lastRepairs.getOrDefault(ks.name(), Map.of()).get(v);
                long dueAt = last == null ? firstSeenMillis + spread(ks.name(), v, intervalMillis)
                        : last.toEpochMilli() + intervalMillis;
                if (dueAt <= nowMillis) {
                    due.add(v);
                    break;
                }
            }
        }
        return due;
    }

    /** A point in [0, interval) that depends only on the keyspace and vnode. */
    static long spread(String keyspace, int vnode, long intervalMillis) {
        long h = keyspace.hashCode() * 0x9e3779b97f4a7c15L + vnode;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return Math.floorMod(h, intervalMillis);
    }

    @Override
    public void close() {
        closed = true;
        Timer.Cancellable n = next;
        if (n != null) {
            n.cancel();
        }
    }
}
