package io.ringkv.coordinator.request;

import io.ringkv.coordinator.concurrent.Failures;
import io.ringkv.coordinator.keyspace.ConflictMode;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.PreferenceList;
import io.ringkv.coordinator.ring.Replica;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Timer;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.transport.Transport;
import io.ringkv.coordinator.version.DvvSet;
import io.ringkv.coordinator.version.HybridLogicalClock;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.coordinator.version.Sibling;
import io.ringkv.coordinator.version.VersionVector;
import io.ringkv.storage.LimitException;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.Tokens;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.VersionKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Coordinates the client requests a node receives: validates them, finds the key's replicas on
 * the current ring, versions writes (an HLC timestamp, or a new dot in the causal set) and runs
 * a {@link QuorumWrite} or {@link QuorumRead}. Keeps no per-request state of its own.
 */
public final class Coordinator {
    /** Client-request latencies kept for {@link #recentRequestP99Micros}: the newest ones, within its window. */
    static final int REQUEST_LATENCY_SAMPLES = 1024;
    private final String selfId;
    private final Supplier<Ring> ring;
    private final Keyspaces keyspaces;
    private final LocalReplica replica;
    private final HybridLogicalClock hlc;
    private final StorageLimits limits;
    private final Env env;
    /** Client requests (get, put, conditional put) from validation to outcome, failures included. */
    private final LatencyWindow requestLatency = new LatencyWindow(REQUEST_LATENCY_SAMPLES);
    /** Per key, the tail of the conditional puts running through this node (serializes them). */
    private final java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<?>> conditionalTurns =
            new java.util.concurrent.ConcurrentHashMap<>();

    public Coordinator(String selfId, Supplier<Ring> ring, Keyspaces keyspaces, LocalReplica replica,
                       Transport transport, FailureDetector failureDetector, Clock clock, Timer timer,
                       HybridLogicalClock hlc, CoordinatorSettings settings, RandomGenerator random,
                       StorageLimits limits) {
        this(selfId, ring, keyspaces, replica, transport, failureDetector, clock, timer, hlc, settings, random, limits,
                HintSink.NONE);
    }

    /** A coordinator that hands writes its replicas did not acknowledge to {@code hints}. */
    public Coordinator(String selfId, Supplier<Ring> ring, Keyspaces keyspaces, LocalReplica replica,
                       Transport transport, FailureDetector failureDetector, Clock clock, Timer timer,
                       HybridLogicalClock hlc, CoordinatorSettings settings, RandomGenerator random,
                       StorageLimits limits, HintSink hints) {
        this.selfId = selfId;
        this.ring = ring;
        this.keyspaces = keyspaces;
        this.replica = replica;
        this.hlc = hlc;
        this.limits = limits;
        this.env = new Env(selfId, transport, failureDetector, clock, timer, settings, random, new LatencyTracker(1024),
                hints);
    }

    public String selfId() {
        return selfId;
    }

    /** The recent p99 of this node's replica reads in microseconds, or -1 before there are enough. */
    public long recentReplicaP99Micros() {
        return env.readLatency().p99Micros();
    }

    /**
     * The p99 of the client requests this node coordinated (gets, puts, deletes, conditional puts;
     * failures and timeouts included, requests refused as invalid left out) that completed in the last
     * {@code windowMillis}, over the newest {@value #REQUEST_LATENCY_SAMPLES} of them, in microseconds;
     * -1 when none did: how busy the foreground is as its clients see it now. An idle node reads -1
     * once its last request is older than the window.
     */
    public long recentRequestP99Micros(long windowMillis) {
        return requestLatency.p99Micros(env.clock().monotonicNanos(), windowMillis * 1_000_000);
    }

    /** {@code request} as a client request: its latency feeds {@link #recentRequestP99Micros}. */
    private <T> CompletableFuture<T> measured(long startedNanos, CompletableFuture<T> request) {
        request.whenComplete((r, e) -> {
            long now = env.clock().monotonicNanos();
            requestLatency.record(now, (now - startedNanos) / 1_000);
        });
        return request;
    }

    public Ring ring() {
        return ring.get();
    }

    public Keyspaces keyspaces() {
        return keyspaces;
    }

    /**
     * Where a request for {@code key} should be coordinated: empty when this node is one of its
     * replicas, otherwise the replica to forward it to (the first one believed up).
     */
    public Optional<Node> forwardTarget(String keyspace, String key) {
        Keyspace ks = keyspaces.resolve(keyspace);
        List<Node> replicas = replicasOf(ring.get(), ks, key);
        for (Node n : replicas) {
            if (n.id().equals(selfId)) {
                return Optional.empty();
            }
        }
        for (Node n : replicas) {
            if (env.failureDetector().isAvailable(n.id())) {
                return Optional.of(n);
            }
        }
        return replicas.isEmpty() ? Optional.empty() : Optional.of(replicas.getFirst());
    }

    /** Checks what can be checked before routing: the keyspace exists and the key is within limits. */
    public void checkRequest(String keyspace, String key) {
        resolve(keyspace);
        checkKey(key);
    }

    public CompletableFuture<PutOutcome> put(PutCommand command) {
        long started = env.clock().monotonicNanos();
        try {
            return measured(started, startPut(command));
        } catch (RequestFailure f) {
            return CompletableFuture.failedFuture(f);
        }
    }

    /**
     * A put that first checks {@code condition} against a QUORUM read of the key and writes only
     * if it holds (with the read's context, so a causal write supersedes exactly what was checked);
     * otherwise fails with FAILED_PRECONDITION. Conditional puts of one key through this node run
     * one at a time. Like Riak's, the check is not atomic across coordinators: two conditional
     * writes of one key through different nodes can both pass. Clients that route each key to its
     * first replica (the Java client does) serialize them on that node.
     */
    public CompletableFuture<PutOutcome> putIf(PutCommand command, Condition condition) {
        if (condition.isNone()) {
            return put(command);
        }
        long startedNanos = env.clock().monotonicNanos();
        try {
            checkRequest(command.keyspace(), command.key());
        } catch (RequestFailure f) {
            return CompletableFuture.failedFuture(f);
        }
        String lockKey = command.keyspace() + "\u0000" + command.key();
        CompletableFuture<PutOutcome> result = new CompletableFuture<>();
        CompletableFuture<?> turn = conditionalTurns.compute(lockKey, (k, previous) ->
                (previous == null ? CompletableFuture.completedFuture(null) : previous)
                        .handle((ignored, error) -> null)
                        .thenCompose(ignored -> checkThenPut(command, condition))
                        .whenComplete((outcome, error) -> {
                            if (error != null) {
                                result.completeExceptionally(Failures.cause(error));
                            } else {
                                result.complete(outcome);
                            }
                        }));
        // Forget the chain once it is idle, so the map holds only keys with conditional puts in flight.
        turn.whenComplete((ignored, error) -> conditionalTurns.remove(lockKey, turn));
        return measured(startedNanos, result);
    }

    private CompletableFuture<PutOutcome> checkThenPut(PutCommand command, Condition condition) {
        long started = env.clock().monotonicMillis();
        long timeout = timeoutOf(command.timeoutMillis());
        return unmeasured(() -> startGet(new GetCommand(command.keyspace(), command.key(),
                io.ringkv.coordinator.keyspace.Consistency.of(io.ringkv.coordinator.keyspace.Consistency.Level.QUORUM),
                timeout))).thenCompose(current -> {
                    String violation = condition.violation(current);
                    if (violation != null) {
                        return CompletableFuture.failedFuture(
                                new RequestFailure(RequestFailure.Code.FAILED_PRECONDITION, violation));
                    }
                    long left = Math.max(1, timeout - (env.clock().monotonicMillis() - started));
                    PutCommand write = new PutCommand(command.keyspace(), command.key(), command.value(),
                            command.delete(), command.consistency(), current.context(), left);
                    // The read may have completed on an event loop, and the local write can wait for an
                    // fsync: start it through the timer (a virtual thread in a node, the event queue in
                    // the simulation).
                    CompletableFuture<PutOutcome> written = new CompletableFuture<>();
                    env.timer().schedule(0, () -> unmeasured(() -> startPut(write)).whenComplete((o, e) -> {
                        if (e != null) {
                            written.completeExceptionally(e);
                        } else {
                            written.complete(o);
                        }
                    }));
                    return written;
                });
    }

    public CompletableFuture<GetOutcome> get(GetCommand command) {
        long started = env.clock().monotonicNanos();
        try {
            return measured(started, startGet(command));
        } catch (RequestFailure f) {
            return CompletableFuture.failedFuture(f);
        }
    }

    /** A step of a conditional put: its latency counts as part of the conditional put's, not as a request. */
    private static <T> CompletableFuture<T> unmeasured(Supplier<CompletableFuture<T>> step) {
        try {
            return step.get();
        } catch (RequestFailure f) {
            return CompletableFuture.failedFuture(f);
        }
    }

    private CompletableFuture<PutOutcome> startPut(PutCommand c) {
        Keyspace ks = resolve(c.keyspace());
        checkKey(c.key());
        if (c.value() == null) {
            throw RequestFailure.invalid("value is missing");
        }
        try {
            limits.checkValue(c.value().length);
        } catch (LimitException e) {
            throw RequestFailure.invalid(e.getMessage());
        }
        int w = quorumOf(c.consistency(), ks.n(), ks.w(), 'W');
        Ring current = ring.get();
        List<String> replicas = ids(replicasOf(current, ks, c.key()));
        List<QuorumWrite.Target> targets;
        if (ks.sloppy()) {
            targets = sloppyTargets(current, ks, c.key());
            failFastIfTooFewTargets(targets, replicas.size(), w);
        } else {
            failFastIfTooFewAlive(replicas, w, "W", "write");
            targets = replicas.stream().map(QuorumWrite.Target::primary).toList();
        }
        long timeout = timeoutOf(c.timeoutMillis());
        long now = env.clock().wallMillis();
        if (ks.mode() == ConflictMode.LWW) {
            observeContext(c.context());
            long stamp = hlc.now();
            LwwVersion version = new LwwVersion(stamp, selfId);
            byte[] encoded = version.encode();
            Record record = c.delete()
                    ? Record.tombstone(VersionKind.LWW, encoded, now)
                    : Record.value(VersionKind.LWW, encoded, now, c.value());
            PutOutcome success = new PutOutcome(encoded, version.timestamp().physicalMillis(), current.epoch(), 0);
            return new QuorumWrite(env, targets, w, new ReplicaWrite(ks.name(), c.key(), record, current.epoch()),
                    timeout, success).start(null);
        }
        VersionVector context;
        try {
            context = c.context().length == 0 ? VersionVector.empty() : VersionVector.decode(c.context());
        } catch (IllegalArgumentException e) {
            throw RequestFailure.invalid("causal context is not one this cluster issued: " + e.getMessage());
        }
        long stampMillis = io.ringkv.coordinator.version.HlcTimestamp.unpack(hlc.now()).physicalMillis();
        Sibling sibling = c.delete() ? Sibling.tombstone(stampMillis) : Sibling.of(c.value(), stampMillis);
        // The causal update is made here, under the key's lock, and waits for its fsync: through the
        // timer (a virtual thread in a node), so the caller (an event loop) does not wait.
        CompletableFuture<PutOutcome> written = new CompletableFuture<>();
        env.timer().schedule(0, () -> {
            try {
                Record record = replica.coordinateCausal(ks, c.key(), context, sibling, selfId);
                byte[] newContext = DvvSet.decode(record.value()).join().encode();
                PutOutcome success = new PutOutcome(newContext, stampMillis, current.epoch(), 0);
                String applied = targets.contains(QuorumWrite.Target.primary(selfId)) ? selfId : null;
                new QuorumWrite(env, targets, w, new ReplicaWrite(ks.name(), c.key(), record, current.epoch()),
                        timeout, success).start(applied).whenComplete((o, e) -> {
                            if (e != null) {
                                written.completeExceptionally(e);
                            } else {
                                written.complete(o);
                            }
                        });
            } catch (RuntimeException e) {
                written.completeExceptionally(e);
            }
        });
        return written;
    }

    private CompletableFuture<GetOutcome> startGet(GetCommand c) {
        Keyspace ks = resolve(c.keyspace());
        checkKey(c.key());
        int r = quorumOf(c.consistency(), ks.n(), ks.r(), 'R');
        Ring current = ring.get();
        List<String> replicas = ids(replicasOf(current, ks, c.key()));
        failFastIfTooFewAlive(replicas, r, "R", "read");
        // This node first (a local read is cheapest), then the replicas believed up, then the rest.
        List<String> ordered = new ArrayList<>(replicas.size());
        if (replicas.contains(selfId)) {
            ordered.add(selfId);
        }
        for (String n : replicas) {
            if (!n.equals(selfId) && env.failureDetector().isAvailable(n)) {
                ordered.add(n);
            }
        }
        for (String n : replicas) {
            if (!ordered.contains(n)) {
                ordered.add(n);
            }
        }
        long epoch = current.epoch();
        return new QuorumRead(env, ks, c.key(), ordered, r, timeoutOf(c.timeoutMillis()), epoch,
                best -> outcomeOf(best, epoch)).withLocalRead(c.localRead()).start();
    }

    static GetOutcome outcomeOf(Record best, long epoch) {
        if (best == null) {
            return new GetOutcome(false, List.of(), new byte[0], epoch);
        }
        if (best.kind() == VersionKind.LWW) {
            if (best.tombstone()) {
                return new GetOutcome(false, List.of(), best.version(), epoch);
            }
            long millis = LwwVersion.decode(best.version()).timestamp().physicalMillis();
            return new GetOutcome(true, List.of(Sibling.of(best.value(), millis)), best.version(), epoch);
        }
        DvvSet set = DvvSet.decode(best.value());
        List<Sibling> live = set.values().stream().filter(s -> !s.tombstone()).toList();
        return new GetOutcome(!live.isEmpty(), live, set.join().encode(), epoch);
    }

    /**
     * A client that read version V and writes again must get a timestamp after V even when this
     * node's clock is behind the node that wrote V: the HLC observes the context's timestamp.
     */
    private void observeContext(byte[] context) {
        if (context.length == 0) {
            return;
        }
        LwwVersion seen;
        try {
            seen = LwwVersion.decode(context);
        } catch (IllegalArgumentException e) {
            throw RequestFailure.invalid("context is not one this cluster issued: " + e.getMessage());
        }
        try {
            hlc.observe(seen.hlc());
        } catch (io.ringkv.coordinator.version.ClockDriftException e) {
            // A context from far in the future must not drag this clock with it; the write keeps its own stamp.
        }
    }

    private void failFastIfTooFewAlive(List<String> replicas, int required, String letter, String op) {
        int alive = 0;
        for (String n : replicas) {
            if (n.equals(selfId) || env.failureDetector().isAvailable(n)) {
                alive++;
            }
        }
        if (alive < required) {
            throw new RequestFailure(RequestFailure.Code.UNAVAILABLE, "not enough replicas for the " + op + ": "
                    + alive + " of " + replicas.size() + " believed up (" + letter + "=" + required + ")");
        }
    }

    /**
     * Sloppy quorum: the key's live primaries, and for each primary believed down the next live
     * fallback of the vnode's extended preference list, which keeps the write as a hint for it.
     * Replicas the ring places beyond this keyspace's N come first among the fallbacks. A down
     * primary for which no fallback is left is still tried (and hinted when it fails).
     */
    private List<QuorumWrite.Target> sloppyTargets(Ring ring, Keyspace ks, String key) {
        int vnode = ring.vnodeOf(Tokens.of(key.getBytes(StandardCharsets.UTF_8)));
        java.util.Set<String> live = new java.util.HashSet<>();
        for (Node n : ring.nodes()) {
            if (n.id().equals(selfId) || env.failureDetector().isAvailable(n.id())) {
                live.add(n.id());
            }
        }
        PreferenceList list = PreferenceList.of(ring, vnode, live);
        List<Replica> all = list.primaries();
        List<Replica> primaries = all.subList(0, Math.min(ks.n(), all.size()));
        List<String> fallbacks = new ArrayList<>();
        for (Replica extra : all.subList(primaries.size(), all.size())) {
            if (extra.live() && extra.node().isActive()) {
                fallbacks.add(extra.nodeId());
            }
        }
        for (Replica f : list.fallbacks()) {
            fallbacks.add(f.nodeId());
        }
        List<QuorumWrite.Target> targets = new ArrayList<>(primaries.size());
        int next = 0;
        for (Replica p : primaries) {
            if (p.live()) {
                targets.add(QuorumWrite.Target.primary(p.nodeId()));
            } else if (next < fallbacks.size()) {
                targets.add(new QuorumWrite.Target(fallbacks.get(next++), p.nodeId()));
            } else {
                targets.add(QuorumWrite.Target.primary(p.nodeId()));
            }
        }
        return targets;
    }

    private void failFastIfTooFewTargets(List<QuorumWrite.Target> targets, int replicas, int w) {
        long alive = targets.stream().filter(t -> t.hintFor() != null || t.node().equals(selfId)
                || env.failureDetector().isAvailable(t.node())).count();
        if (alive < w) {
            throw new RequestFailure(RequestFailure.Code.UNAVAILABLE, "not enough nodes for the sloppy write: " + alive
                    + " of " + replicas + " replicas or fallbacks believed up (W=" + w + ")");
        }
    }

    private static List<Node> replicasOf(Ring ring, Keyspace ks, String key) {
        long token = Tokens.of(key.getBytes(StandardCharsets.UTF_8));
        List<Node> all = ring.replicas(ring.vnodeOf(token));
        return all.size() <= ks.n() ? all : all.subList(0, ks.n());
    }

    private static List<String> ids(List<Node> nodes) {
        List<String> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            out.add(n.id());
        }
        return out;
    }

    private Keyspace resolve(String name) {
        try {
            return keyspaces.resolve(name);
        } catch (IllegalArgumentException e) {
            throw RequestFailure.invalid(e.getMessage());
        }
    }

    private void checkKey(String key) {
        if (key == null) {
            throw RequestFailure.invalid("key is missing");
        }
        try {
            limits.checkKey(key.getBytes(StandardCharsets.UTF_8));
        } catch (LimitException e) {
            throw RequestFailure.invalid(e.getMessage());
        }
    }

    private static int quorumOf(io.ringkv.coordinator.keyspace.Consistency consistency, int n, int keyspaceDefault,
                                char letter) {
        try {
            return consistency.required(n, keyspaceDefault, letter);
        } catch (IllegalArgumentException e) {
            throw RequestFailure.invalid(e.getMessage());
        }
    }

    private long timeoutOf(long requested) {
        return requested > 0 ? requested : env.settings().defaultTimeoutMillis();
    }
}
