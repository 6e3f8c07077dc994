package io.ringkv.coordinator.repair;

import io.opentelemetry.context.Scope;
import io.ringkv.coordinator.catalog.CatalogException;
import io.ringkv.coordinator.catalog.RepairCursorRow;
import io.ringkv.coordinator.catalog.RepairSessionRow;
import io.ringkv.coordinator.catalog.SystemCatalog;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Sleeper;
import io.ringkv.observability.RepairTelemetry;
import io.ringkv.observability.SpanScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One repair session: a set of vnodes, each repaired in every keyspace of the scope, up to
 * {@code concurrentVnodes} at a time. After each vnode its counters and the vnodes it has yet to
 * finish are saved to the catalog, so a session stopped by a shutdown (or a crash) is continued by
 * the next start from where it stood. Ends DONE when every vnode was fully repaired, FAILED when
 * some vnode had an unreachable replica. Traced as one {@code repair.session} span with a
 * {@code repair.vnode} child per vnode; counts keys compared and repaired per vnode.
 */
public final class RepairSession {
    private static final Logger log = LoggerFactory.getLogger(RepairSession.class);
    /** How long a paused background session waits before it looks at the foreground latency again. */
    static final long PAUSE_CHECK_NANOS = 1_000_000_000L;

    public static final String RUNNING = "RUNNING";
    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";

    /** What a session needs from the node: shared by every session of a {@link RepairService}. */
    record Context(Supplier<Ring> ring, Keyspaces keyspaces, VnodeRepair repair, SystemCatalog catalog,
                   Clock clock, Sleeper sleeper, int concurrentVnodes, int merkleDepth, BooleanSupplier paused,
                   RepairTelemetry telemetry) {
    }

    private final String id;
    private final RepairScope scope;
    private final Context ctx;
    private final Instant startedAt;
    private final int total;
    /** Not yet taken by a worker. Guarded by this. */
    private final TreeSet<Integer> pending;
    /** Not yet finished (pending or in progress): what a restart must still do. Guarded by this. */
    private final TreeSet<Integer> unfinished;
    private long keysCompared;
    private long keysStreamed;
    private long bytesStreamed;
    private int failed;
    private String state = RUNNING;
    private volatile boolean stopped;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Object saveLock = new Object();

    private RepairSession(String id, RepairScope scope, Context ctx, Instant startedAt, int total,
                          SortedSet<Integer> remaining, long compared, long streamed, long bytes, int failed) {
        this.id = id;
        this.scope = scope;
        this.ctx = ctx;
        this.startedAt = startedAt;
        this.total = total;
        this.pending = new TreeSet<>(remaining);
        this.unfinished = new TreeSet<>(remaining);
        this.keysCompared = compared;
        this.keysStreamed = streamed;
        this.bytesStreamed = bytes;
        this.failed = failed;
    }

    /** A new session over {@code vnodes}, recorded in the catalog as RUNNING before it returns. */
    static RepairSession create(String id, RepairScope scope, SortedSet<Integer> vnodes, Context ctx) {
        RepairSession s = new RepairSession(id, scope, ctx, Instant.ofEpochMilli(ctx.clock().wallMillis()), vnodes.size(),
                vnodes, 0, 0, 0, 0);
        s.save();
        return s;
    }

    /** The session a catalog row and cursor describe, to continue where it stood. */
    static RepairSession resume(RepairSessionRow row, RepairCursorRow cursor, Context ctx) {
        return new RepairSession(row.sessionId(), RepairScope.parse(row.scope(), row.keyspace()), ctx, row.startedAt(),
                row.vnodesTotal(), VnodeRanges.decode(cursor.remainingVnodes()), row.keysCompared(), row.keysStreamed(),
                row.bytesStreamed(), cursor.vnodesFailed());
    }

    public String id() {
        return id;
    }

    public RepairScope scope() {
        return scope;
    }

    /** Repairs every remaining vnode on this thread and up to {@code concurrentVnodes - 1} more; returns when done or stopped. */
    public void run() {
        SpanScope span = ctx.telemetry().sessionSpan(scope.kind(), total).set("session.id", id)
                .set("scope", scope.describe());
        if (scope.keyspace() != null) {
            span.set("keyspace", scope.keyspace());
        }
        try {
            int workers;
            synchronized (this) {
                workers = Math.max(1, Math.min(ctx.concurrentVnodes(), pending.size()));
            }
            List<Thread> threads = new ArrayList<>();
            for (int i = 1; i < workers; i++) {
                threads.add(Thread.ofVirtual().name("repair-" + id + "-" + i).start(span.wrap(this::work)));
            }
            try (Scope current = span.makeCurrent()) {
                work();
            }
            for (Thread t : threads) {
                t.join();
            }
            synchronized (this) {
                if (!stopped) {
                    state = failed == 0 && unfinished.isEmpty() ? DONE : FAILED;
                }
            }
            save();
            log.info("repair session {} ({}): {}", id, scope.describe(), stopped ? "stopped, resumes on restart" : state);
        } catch (InterruptedException e) {
            stopped = true;
            Thread.currentThread().interrupt();
        } finally {
            endSpan(span);
            ended.countDown();
        }
    }

    /** The session's totals on its span: STOPPED when a shutdown left it to resume, an error when FAILED. */
    private void endSpan(SpanScope span) {
        synchronized (this) {
            String outcome = stopped && state.equals(RUNNING) ? "STOPPED" : state;
            span.set("state", outcome).set("vnodes.done", total - unfinished.size()).set("vnodes.failed", failed)
                    .set("keys.compared", keysCompared).set("keys.repaired", keysStreamed)
                    .set("bytes.repaired", bytesStreamed);
            if (outcome.equals(FAILED)) {
                span.fail(failed + " of " + total + " vnodes not fully repaired");
            }
        }
        span.end();
    }

    /** Asks the workers to stop after their current vnode; the session stays RUNNING in the catalog. */
    public void stop() {
        stopped = true;
    }

    public boolean await(long timeoutMillis) throws InterruptedException {
        return ended.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    public boolean ended() {
        return ended.getCount() == 0;
    }

    private void work() {
        while (!stopped) {
            try {
                while (ctx.paused().getAsBoolean() && !stopped) {
                    ctx.sleeper().sleepNanos(PAUSE_CHECK_NANOS);
                }
            } catch (InterruptedException e) {
                stopped = true;
                Thread.currentThread().interrupt();
                return;
            }
            Integer vnode;
            synchronized (this) {
                vnode = pending.pollFirst();
            }
            if (vnode == null || stopped) {
                if (vnode != null) {
                    synchronized (this) {
                        pending.add(vnode);
                    }
                }
                return;
            }
            boolean ok;
            ExchangeResult result = ExchangeResult.NONE;
            try {
                VnodeResult r = repairVnode(vnode);
                ok = r.ok;
                result = r.result;
            } catch (RuntimeException e) {
                log.warn("repair session {}: vnode {} failed: {}", id, vnode, e.toString());
                ok = false;
            }
            ctx.telemetry().compared(scope.kind(), result.keysCompared());
            ctx.telemetry().repaired(scope.kind(), result.keysStreamed(), result.bytesStreamed());
            synchronized (this) {
                unfinished.remove(vnode);
                keysCompared += result.keysCompared();
                keysStreamed += result.keysStreamed();
                bytesStreamed += result.bytesStreamed();
                if (!ok) {
                    failed++;
                }
            }
            save();
        }
    }

    private record VnodeResult(boolean ok, ExchangeResult result) {
    }

    private VnodeResult repairVnode(int vnode) {
        Ring ring = ctx.ring().get();
        VnodeRepair repair = ctx.repair();
        Map<Keyspace, List<String>> replicasOf = new LinkedHashMap<>();
        LinkedHashSet<String> peers = new LinkedHashSet<>();
        for (Keyspace ks : keyspaces()) {
            List<Node> all = ring.replicas(vnode);
            List<String> replicas = all.subList(0, Math.min(ks.n(), all.size())).stream().map(Node::id).toList();
            if (scope.node() != null && !replicas.contains(scope.node())) {
                continue;
            }
            replicasOf.put(ks, replicas);
            peers.addAll(replicas);
        }
        // Current while the vnode is exchanged: the repair calls to the peers are traced under it.
        try (SpanScope span = ctx.telemetry().vnodeSpan(vnode, List.copyOf(peers)); Scope current = span.makeCurrent()) {
            try {
                boolean ok = true;
                ExchangeResult total = ExchangeResult.NONE;
                LinkedHashSet<String> unreachable = new LinkedHashSet<>();
                for (Map.Entry<Keyspace, List<String>> e : replicasOf.entrySet()) {
                    Keyspace ks = e.getKey();
                    VnodeRepair.Outcome o = repair.repair(new TreeSpec(ks.name(), vnode, ring.vnodeCount(),
                            ctx.merkleDepth()), e.getValue());
                    total = total.plus(o.result());
                    if (o.full()) {
                        try {
                            ctx.catalog().recordVnodeRepaired(ks.name(), vnode, Instant.ofEpochMilli(o.startedAtMillis()));
                        } catch (CatalogException ce) {
                            log.warn("catalog: {}", ce.getMessage());
                        }
                    } else {
                        ok = false;
                        unreachable.addAll(o.unreachable());
                    }
                }
                span.set("keys.compared", total.keysCompared()).set("keys.repaired", total.keysStreamed())
                        .set("bytes.repaired", total.bytesStreamed()).set("outcome", ok ? "full" : "partial");
                if (!ok) {
                    span.set("unreachable", List.copyOf(unreachable)).fail("unreachable: " + String.join(", ", unreachable));
                }
                return new VnodeResult(ok, total);
            } catch (RuntimeException e) {
                span.set("outcome", "failed").fail(e.toString());
                throw e;
            }
        }
    }

    private List<Keyspace> keyspaces() {
        return scope.keyspace() == null ? ctx.keyspaces().all() : List.of(ctx.keyspaces().resolve(scope.keyspace()));
    }

    /** The session as the catalog holds it, as of now. */
    public synchronized RepairSessionRow row() {
        Instant now = Instant.ofEpochMilli(ctx.clock().wallMillis());
        boolean finished = !state.equals(RUNNING);
        return new RepairSessionRow(id, scope.describe(), scope.keyspace(), total, total - unfinished.size(),
                keysCompared, keysStreamed, bytesStreamed, startedAt, now, finished ? now : null, state);
    }

    public synchronized int vnodesFailed() {
        return failed;
    }

    /** Vnodes finished (repaired or given up on), of {@link #vnodesTotal()}. */
    public synchronized int vnodesDone() {
        return total - unfinished.size();
    }

    public int vnodesTotal() {
        return total;
    }

    private void save() {
        // One save at a time, each taking the newest state: the catalog never goes back to older progress.
        synchronized (saveLock) {
            RepairSessionRow row;
            RepairCursorRow cursor;
            synchronized (this) {
                row = row();
                cursor = new RepairCursorRow(id, VnodeRanges.encode(unfinished), failed, row.updatedAt());
            }
            try {
                ctx.catalog().saveRepairProgress(row, cursor);
            } catch (CatalogException e) {
                // Progress is bookkeeping: a failed save must not stop the repair itself.
                log.warn("catalog: {}", e.getMessage());
            }
        }
    }
}
