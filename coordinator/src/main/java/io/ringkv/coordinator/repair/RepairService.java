package io.ringkv.coordinator.repair;

import io.ringkv.coordinator.catalog.RepairCursorRow;
import io.ringkv.coordinator.catalog.RepairSessionRow;
import io.ringkv.coordinator.catalog.SystemCatalog;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Sleeper;
import io.ringkv.coordinator.time.Timer;
import io.ringkv.observability.RepairTelemetry;
import io.ringkv.observability.Spans;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's anti-entropy: starts, resumes, lists and stops repair sessions, runs the background
 * scheduler, answers peers' repair calls through {@link #localPeer()}, and reports this node's
 * Merkle roots. Built once per node and closed with it; closing stops running sessions after their
 * current vnode, leaving them RUNNING in the catalog so the next start continues them. Reports
 * progress gauges, key counters and session spans to its {@link RepairTelemetry}.
 */
public final class RepairService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RepairService.class);
    /** How long {@link #close()} waits for a session's workers to finish their vnode. */
    static final long CLOSE_WAIT_MILLIS = 10_000;
    public static final int DEFAULT_LIST_LIMIT = 100;
    /** Sessions kept in memory before ended ones are dropped (the catalog keeps them all). */
    static final int MAX_SESSIONS_KEPT = 100;

    /** A session as ListRepairs shows it. {@code etaMillis} is 0 when unknown or finished. */
    public record SessionView(RepairSessionRow row, int vnodesFailed, long etaMillis) {
    }

    /** How slow the node's foreground is: what background repair pauses on. */
    @FunctionalInterface
    public interface ForegroundLatency {
        /** The p99 in microseconds of the client requests completed in the last {@code windowMillis}; -1: none. */
        long p99Micros(long windowMillis);
    }

    /** This node's Merkle root of one vnode of a keyspace, and how many records it covers. */
    public record VnodeRoot(int vnode, long root, long keys) {
    }

    private final String selfId;
    private final RepairSettings settings;
    private final Supplier<Optional<Ring>> ring;
    private final Keyspaces keyspaces;
    private final LocalRepairPeer local;
    private final Function<String, RepairPeer> remote;
    private final SystemCatalog catalog;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ForegroundLatency foreground;
    private final RateLimiter limiter;
    private final VnodeRepair vnodeRepair;
    private final RepairScheduler scheduler;
    private final RepairTelemetry telemetry;
    private final Map<String, RepairSession> sessions = new ConcurrentHashMap<>();
    /** The newest session of each kind, kept past its end for the progress gauges. */
    private final Map<String, RepairSession> newestOfKind = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile RepairSession scheduled;

    /**
     * @param remote              the peer of another node, by id
     * @param foreground          the node's recent foreground p99; the node gives its client-request p99
     * @param telemetry           where progress, key counts and spans go; the gauges are registered here, once
     */
    public RepairService(String selfId, RepairSettings settings, Supplier<Optional<Ring>> ring, Keyspaces keyspaces,
                         LocalRepairPeer local, Function<String, RepairPeer> remote, SystemCatalog catalog, Clock clock,
                         Timer timer, Sleeper sleeper, ForegroundLatency foreground, RepairTelemetry telemetry) {
        this.selfId = selfId;
        this.settings = settings;
        this.ring = ring;
        this.keyspaces = keyspaces;
        this.local = local;
        this.remote = remote;
        this.catalog = catalog;
        this.clock = clock;
        this.sleeper = sleeper;
        this.foreground = foreground;
        this.limiter = new RateLimiter(settings.bytesPerSecond(), clock);
        this.vnodeRepair = new VnodeRepair(this::peer, new TreeExchange(this::throttle, settings.keysInFlight()), clock,
                settings.gcGraceMillis());
        this.scheduler = new RepairScheduler(selfId, keyspaces.all(), settings, clock, timer, new SchedulerHooks());
        this.telemetry = telemetry;
        telemetry.registerRepairProgress(this::progress);
    }

    /** Starts the scheduler; its first tick (once a ring is known) also continues interrupted sessions. */
    public RepairService start() {
        scheduler.start();
        return this;
    }

    public LocalRepairPeer localPeer() {
        return local;
    }

    public RepairSettings settings() {
        return settings;
    }

    RepairPeer peer(String nodeId) {
        return nodeId.equals(selfId) ? local : remote.apply(nodeId);
    }

    private void throttle(long bytes) {
        long wait = limiter.reserve(bytes);
        if (wait > 0) {
            try {
                sleeper.sleepNanos(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Per kind, the vnodes done and planned of the running sessions, or of the newest one when none
     * runs (so a finished session reads done = planned until the next one starts). Kinds without a
     * session since this node started are left out. Never blocks for long: the gauges call it.
     */
    List<RepairTelemetry.RepairProgress> progress() {
        Map<String, long[]> byKind = new TreeMap<>();
        for (RepairSession s : sessions.values()) {
            if (!s.ended()) {
                long[] p = byKind.computeIfAbsent(s.scope().kind(), k -> new long[2]);
                p[0] += s.vnodesDone();
                p[1] += s.vnodesTotal();
            }
        }
        newestOfKind.forEach((kind, s) -> byKind.computeIfAbsent(kind, k -> new long[] {s.vnodesDone(), s.vnodesTotal()}));
        List<RepairTelemetry.RepairProgress> out = new ArrayList<>(byKind.size());
        byKind.forEach((kind, p) -> out.add(new RepairTelemetry.RepairProgress(kind, p[0], p[1])));
        return out;
    }

    /**
     * True while the p99 of the client requests of the last {@code repair_pause_window} is above
     * {@code repair_pause_p99_ms}: background repair holds off. With no request in the window it
     * does not, so a burst of slow requests on a node that then goes idle does not hold repair off.
     */
    public boolean paused() {
        return settings.pauseP99Millis() > 0
                && foreground.p99Micros(settings.pauseWindowMillis()) > settings.pauseP99Millis() * 1_000;
    }

    private RepairSession.Context context(boolean background) {
        return new RepairSession.Context(this::requireRing, keyspaces, vnodeRepair, catalog, clock, sleeper,
                settings.concurrentVnodes(), settings.merkleDepth(), background ? this::paused : () -> false, telemetry);
    }

    private Ring requireRing() {
        return ring.get().orElseThrow(() -> new IllegalStateException("the cluster has not formed yet: no ring"));
    }

    /**
     * Starts a session on its own thread and returns it once it is recorded as RUNNING.
     *
     * @throws IllegalArgumentException for an unknown keyspace, vnode or node
     * @throws IllegalStateException    before the node has a ring
     */
    public RepairSession start(RepairScope scope) {
        RepairSession s = create(scope, null);
        // With the caller's context, so the session's trace links to the StartRepair call that began it.
        Thread.ofVirtual().name("repair-" + s.id()).start(Spans.wrap(s::run));
        return s;
    }

    /** Runs a session on the caller's thread, to its end. */
    public RepairSession runNow(RepairScope scope) {
        RepairSession s = create(scope, null);
        s.run();
        return s;
    }

    /** A session recorded as RUNNING and not started: the caller runs it (tests that stop it half-way). */
    RepairSession prepare(RepairScope scope) {
        return create(scope, null);
    }

    private RepairSession create(RepairScope scope, SortedSet<Integer> due) {
        Ring r = requireRing();
        if (scope.keyspace() != null) {
            keyspaces.resolve(scope.keyspace());
        }
        SortedSet<Integer> vnodes = new TreeSet<>();
        if (scope.vnode() != null) {
            if (scope.vnode() < 0 || scope.vnode() >= r.vnodeCount()) {
                throw new IllegalArgumentException("vnode " + scope.vnode() + " outside [0, " + r.vnodeCount() + ")");
            }
            vnodes.add(scope.vnode());
        } else if (scope.node() != null) {
            if (r.node(scope.node()).isEmpty()) {
                throw new IllegalArgumentException("node '" + scope.node() + "' is not on the ring");
            }
            for (int v : r.vnodesOf(scope.node())) {
                vnodes.add(v);
            }
        } else if (scope.scheduled()) {
            vnodes.addAll(due);
        } else {
            for (int v = 0; v < r.vnodeCount(); v++) {
                vnodes.add(v);
            }
        }
        if (sessions.size() >= MAX_SESSIONS_KEPT) {
            // Ended sessions live on in the catalog; only running ones must stay reachable here.
            sessions.values().removeIf(RepairSession::ended);
        }
        String id = selfId + "-" + clock.wallMillis() + "-" + sequence.incrementAndGet();
        RepairSession s = RepairSession.create(id, scope, vnodes, context(scope.scheduled()));
        sessions.put(id, s);
        newestOfKind.put(scope.kind(), s);
        log.info("repair session {} started: {} of {}, {} vnodes", id, scope.describe(),
                scope.keyspace() == null ? "every keyspace" : scope.keyspace(), vnodes.size());
        return s;
    }

    /** Continues every session the catalog holds as RUNNING that is not running here. */
    void resumeInterrupted() {
        for (RepairSessionRow row : catalog.repairSessionsInState(RepairSession.RUNNING, SystemCatalog.MAX_LIST_ROWS)) {
            if (sessions.containsKey(row.sessionId())) {
                continue;
            }
            Optional<RepairCursorRow> cursor = catalog.repairCursor(row.sessionId());
            if (cursor.isEmpty()) {
                continue;
            }
            RepairScope scope = RepairScope.parse(row.scope(), row.keyspace());
            RepairSession s = RepairSession.resume(row, cursor.get(), context(scope.scheduled()));
            sessions.put(s.id(), s);
            newestOfKind.put(scope.kind(), s);
            if (scope.scheduled()) {
                scheduled = s;
            }
            log.info("repair session {} resumes: {} of {} vnodes left", s.id(),
                    VnodeRanges.decode(cursor.get().remainingVnodes()).size(), row.vnodesTotal());
            Thread.ofVirtual().name("repair-" + s.id()).start(s::run);
        }
    }

    /** The session running or run here since this node started, if any. */
    public Optional<RepairSession> session(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /** This node's sessions, newest first (or only {@code sessionId} when given), with live counters. */
    public List<SessionView> list(int limit, String sessionId) {
        List<SessionView> out = new ArrayList<>();
        long now = clock.wallMillis();
        boolean one = sessionId != null && !sessionId.isEmpty();
        // Looking for one session: search them all, not only the newest few.
        for (RepairSessionRow stored : catalog.repairSessions(one ? SystemCatalog.MAX_LIST_ROWS : limit)) {
            if (one && !stored.sessionId().equals(sessionId)) {
                continue;
            }
            RepairSession live = sessions.get(stored.sessionId());
            RepairSessionRow row = live != null && !live.ended() ? live.row() : stored;
            int failed = live != null ? live.vnodesFailed()
                    : catalog.repairCursor(row.sessionId()).map(RepairCursorRow::vnodesFailed).orElse(0);
            out.add(new SessionView(row, failed, eta(row, now)));
        }
        return out;
    }

    /** A linear estimate from the pace so far; 0 when finished or nothing is done yet. */
    static long eta(RepairSessionRow row, long nowMillis) {
        if (!row.state().equals(RepairSession.RUNNING) || row.vnodesDone() == 0) {
            return 0;
        }
        long elapsed = Math.max(0, nowMillis - row.startedAt().toEpochMilli());
        return nowMillis + elapsed * (row.vnodesTotal() - row.vnodesDone()) / row.vnodesDone();
    }

    /** This node's Merkle root of every vnode of the keyspace it replicates, built from its records now. */
    public List<VnodeRoot> vnodeDigests(String keyspace) {
        Keyspace ks = keyspaces.resolve(keyspace);
        Ring r = requireRing();
        List<VnodeRoot> out = new ArrayList<>();
        for (int v : r.vnodesOf(selfId)) {
            if (!replicaIds(r, ks, v).contains(selfId)) {
                continue;
            }
            MerkleTree tree = local.tree(new TreeSpec(ks.name(), v, r.vnodeCount(), settings.merkleDepth()));
            out.add(new VnodeRoot(v, tree.root(), tree.keys()));
        }
        return out;
    }

    /**
     * Purges the vnode's tombstones that {@link TombstoneGc} allows given the last full repair this
     * node recorded for it; none when it recorded none. Returns how many were purged.
     */
    public long collectTombstones(String keyspace, int vnode) {
        Keyspace ks = keyspaces.resolve(keyspace);
        Ring r = requireRing();
        Instant last = catalog.vnodeRepairs(ks.name()).get(vnode);
        return vnodeRepair.collect(new TreeSpec(ks.name(), vnode, r.vnodeCount(), settings.merkleDepth()),
                replicaIds(r, ks, vnode), last == null ? OptionalLong.empty() : OptionalLong.of(last.toEpochMilli()));
    }

    static List<String> replicaIds(Ring r, Keyspace ks, int vnode) {
        List<Node> all = r.replicas(vnode);
        return all.subList(0, Math.min(ks.n(), all.size())).stream().map(Node::id).toList();
    }

    /** One scheduler tick now, on the caller's thread (tests). */
    void tick() {
        scheduler.tick();
    }

    /** The last scheduled session started here, running or ended. */
    Optional<RepairSession> lastScheduled() {
        return Optional.ofNullable(scheduled);
    }

    /** The running scheduled session, if any. */
    Optional<RepairSession> scheduledSession() {
        RepairSession s = scheduled;
        return s == null || s.ended() ? Optional.empty() : Optional.of(s);
    }

    private final class SchedulerHooks implements RepairScheduler.Node {
        @Override
        public Optional<Ring> ring() {
            return ring.get();
        }

        @Override
        public void resume() {
            resumeInterrupted();
        }

        @Override
        public boolean busy() {
            return scheduledSession().isPresent();
        }

        @Override
        public boolean paused() {
            return RepairService.this.paused();
        }

        @Override
        public Map<String, Map<Integer, Instant>> lastRepairs() {
            Map<String, Map<Integer, Instant>> out = new HashMap<>();
            for (Keyspace ks : keyspaces.all()) {
                out.put(ks.name(), catalog.vnodeRepairs(ks.name()));
            }
            return out;
        }

        @Override
        public void startScheduled(SortedSet<Integer> due) {
            RepairSession s = create(RepairScope.background(), due);
            scheduled = s;
            Thread.ofVirtual().name("repair-" + s.id()).start(s::run);
        }
    }

    @Override
    public void close() {
        scheduler.close();
        sessions.values().forEach(RepairSession::stop);
        for (RepairSession s : sessions.values()) {
            try {
                if (!s.await(CLOSE_WAIT_MILLIS)) {
                    log.warn("repair session {} still running at close", s.id());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
