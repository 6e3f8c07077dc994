package io.ringkv.coordinator.request;

import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.time.Timer;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.coordinator.version.Records;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.VersionKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One coordinated read, as a state machine over replica replies and timer events.
 *
 * <p>COLLECTING: asks {@code R} replicas (in LWW keyspaces one for the record and the others for
 * its version only, since one LWW version names one content); a failed replica is replaced by
 * one not yet asked; a replica silent past the recent p95 latency gets a speculative companion.
 * Once {@code R} answered: FETCHING the full record if only a digest named the newest version,
 * then REPAIRING the replicas of the read set that were stale, waiting for their
 * acknowledgements (blocking read repair, so a second read cannot go back in time), then DONE.
 * With {@code readRepairChance}, the replicas outside the read set are checked in the
 * background afterwards and repaired if stale.
 */
final class QuorumRead {
    private enum Phase { COLLECTING, FETCHING, REPAIRING, DONE }

    private final Env env;
    private final Keyspace keyspace;
    private final String key;
    private final List<String> candidates;
    private final long timeoutMillis;
    private final long ringEpoch;
    private final Function<Record, GetOutcome> outcome;
    private final Quorum quorum;
    private final boolean lww;
    private final Map<String, ReadReply> answered = new LinkedHashMap<>();
    private final Set<String> asked = new HashSet<>();
    private final CompletableFuture<GetOutcome> result = new CompletableFuture<>();
    private final List<Timer.Cancellable> timers = new ArrayList<>();
    private Phase phase = Phase.COLLECTING;
    private Record best;
    private String fetching;
    private ReadReply localRead;
    private LwwVersion newestVersion;
    private final Set<String> fetched = new HashSet<>();
    private final Map<String, ReadReply> late = new LinkedHashMap<>();
    private int repairsPending;

    /**
     * @param candidates the keyspace's replicas of the key, best first (this node first when it is
     *                   one, then the replicas the failure detector believes up)
     */
    QuorumRead(Env env, Keyspace keyspace, String key, List<String> candidates, int r, long timeoutMillis,
               long ringEpoch, Function<Record, GetOutcome> outcome) {
        this.env = env;
        this.keyspace = keyspace;
        this.key = key;
        this.candidates = candidates;
        this.timeoutMillis = timeoutMillis;
        this.ringEpoch = ringEpoch;
        this.outcome = outcome;
        this.quorum = new Quorum(r, candidates.size());
        this.lww = keyspace.mode() == io.ringkv.coordinator.keyspace.ConflictMode.LWW;
    }

    /** This node's full read of the key, made already by the caller (null: asked like any replica's). */
    QuorumRead withLocalRead(ReadReply reply) {
        this.localRead = reply;
        return this;
    }

    CompletableFuture<GetOutcome> start() {
        synchronized (this) {
            timers.add(env.timer().schedule(timeoutMillis, this::onDeadline));
            if (env.settings().speculativeRetry()) {
                long p95 = env.readLatency().p95Micros();
                if (p95 >= 0) {
                    long delay = Math.max(env.settings().speculativeMinDelayMillis(), (p95 + 999) / 1000);
                    if (delay < timeoutMillis) {
                        timers.add(env.timer().schedule(delay, this::onSpeculate));
                    }
                }
            }
            for (int i = 0; i < quorum.required(); i++) {
                askNext();
            }
        }
        return result;
    }

    /** Asks the next candidate not yet asked; the first ask of a read wants the full record. */
    private boolean askNext() {
        String node = nextUnasked();
        if (node == null) {
            return false;
        }
        ask(node, lww && !asked.isEmpty());
        return true;
    }

    private void ask(String node, boolean digestOnly) {
        asked.add(node);
        long sentNanos = env.clock().monotonicNanos();
        if (!digestOnly && localRead != null && node.equals(env.selfId())) {
            ReadReply reply = localRead;
            localRead = null; // once: a later full read of this node (a fetch) reads again
            onReply(node, sentNanos, reply, null);
            return;
        }
        env.transport().read(node, new ReplicaRead(keyspace.name(), key, digestOnly, ringEpoch), timeoutMillis)
                .whenComplete((reply, error) -> onReply(node, sentNanos, reply, error));
    }

    private synchronized void onReply(String node, long sentNanos, ReadReply reply, Throwable error) {
        if (error != null) {
            env.failureDetector().onError(node, error, sentNanos / 1_000_000L);
        } else {
            env.failureDetector().onSuccess(node);
            env.readLatency().record((env.clock().monotonicNanos() - sentNanos) / 1_000);
        }
        if (phase == Phase.DONE) {
            if (error == null) {
                repairIfStale(node, reply);
            }
            return;
        }
        if (phase == Phase.FETCHING && node.equals(fetching)) {
            if (error != null || reply.record() == null || olderThanNewest(reply)) {
                // Another replica that named the same version may still return it; failing that, one
                // not asked yet may hold it (only a replica at the newest version or later is taken).
                String next = nextHolderOfNewest();
                if (next == null) {
                    next = nextUnasked();
                }
                if (next != null) {
                    fetch(next);
                    return;
                }
                fail(RequestFailure.Code.UNAVAILABLE, "replica " + node + " named the newest version but did not return it"
                        + (error == null ? "" : " (" + QuorumWrite.describe(error) + ")"));
                return;
            }
            answered.put(node, reply);
            resolve();
            return;
        }
        if (error != null) {
            if (quorum.onFailure() == Quorum.State.FAILED) {
                fail(RequestFailure.Code.UNAVAILABLE, "not enough replicas answered the read: " + quorum.successes()
                        + " of " + quorum.total() + " (R=" + quorum.required() + "); last failure: " + node + " ("
                        + QuorumWrite.describe(error) + ")");
            } else if (phase == Phase.COLLECTING) {
                askNext();
            }
            return;
        }
        if (phase != Phase.COLLECTING) {
            // A speculative straggler arriving while fetching or repairing: checked once the outcome is known.
            late.put(node, reply);
            return;
        }
        answered.put(node, reply);
        if (quorum.onSuccess() == Quorum.State.MET) {
            resolve();
        }
    }

    /** Decides the newest record among the answers; fetches it, repairs, or finishes. */
    private void resolve() {
        if (lww) {
            String newestNode = null;
            LwwVersion newest = null;
            for (Map.Entry<String, ReadReply> e : answered.entrySet()) {
                ReadReply r = e.getValue();
                if (r.found()) {
                    LwwVersion v = LwwVersion.decode(r.version());
                    if (newest == null || v.compareTo(newest) > 0 || (v.compareTo(newest) == 0 && r.record() != null)) {
                        newest = v;
                        newestNode = e.getKey();
                    }
                }
            }
            if (newestNode != null && answered.get(newestNode).record() == null) {
                phase = Phase.FETCHING;
                newestVersion = newest;
                fetched.clear();
                fetch(newestNode);
                return;
            }
            best = newestNode == null ? null : answered.get(newestNode).record();
        } else {
            Record merged = null;
            for (ReadReply r : answered.values()) {
                if (r.record() != null) {
                    merged = Records.merge(merged, r.record());
                }
            }
            best = merged;
        }
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, ReadReply> e : answered.entrySet()) {
            if (isStale(e.getValue())) {
                stale.add(e.getKey());
            }
        }
        if (stale.isEmpty()) {
            finish();
            return;
        }
        phase = Phase.REPAIRING;
        repairsPending = stale.size();
        for (String node : stale) {
            env.transport().write(node, new ReplicaWrite(keyspace.name(), key, best, ringEpoch), timeoutMillis)
                    .whenComplete((ok, error) -> onRepaired(node, error));
        }
    }

    /** Fetches the full record from {@code node}, which named the newest version in its digest. */
    private void fetch(String node) {
        fetching = node;
        fetched.add(node);
        asked.add(node);
        long sent = env.clock().monotonicNanos();
        env.transport().read(node, new ReplicaRead(keyspace.name(), key, false, ringEpoch), timeoutMillis)
                .whenComplete((reply, error) -> onReply(node, sent, reply, error));
    }

    /** Whether a fetched reply holds a version older than the newest one named (or none). */
    private boolean olderThanNewest(ReadReply reply) {
        return !reply.found() || LwwVersion.decode(reply.version()).compareTo(newestVersion) < 0;
    }

    /** A candidate not asked yet, or null. */
    private String nextUnasked() {
        for (String node : candidates) {
            if (!asked.contains(node)) {
                return node;
            }
        }
        return null;
    }

    /** A replica not yet fetched from whose answer named the newest version, or null. */
    private String nextHolderOfNewest() {
        for (Map.Entry<String, ReadReply> e : answered.entrySet()) {
            ReadReply r = e.getValue();
            if (r.found() && !fetched.contains(e.getKey())
                    && LwwVersion.decode(r.version()).compareTo(newestVersion) == 0) {
                return e.getKey();
            }
        }
        return null;
    }

    private boolean isStale(ReadReply reply) {
        if (best == null) {
            return false;
        }
        if (!reply.found()) {
            return true;
        }
        if (best.kind() == VersionKind.LWW) {
            return LwwVersion.decode(reply.version()).compareTo(LwwVersion.decode(best.version())) < 0;
        }
        return reply.record() == null || !Records.sameVersion(reply.record(), best);
    }

    private synchronized void onRepaired(String node, Throwable error) {
        if (error != null) {
            env.failureDetector().onError(node, error);
        }
        if (phase == Phase.REPAIRING && --repairsPending == 0) {
            finish();
        }
    }

    /** A reply after the outcome (speculative straggler or background check): repair it if stale. */
    private void repairIfStale(String node, ReadReply reply) {
        if (best == null) {
            return;
        }
        Record target = best;
        if (best.kind() == VersionKind.CAUSAL && reply.record() != null) {
            target = Records.merge(reply.record(), best);
            if (target == reply.record()) {
                return;
            }
        } else if (!isStale(reply)) {
            return;
        }
        env.transport().write(node, new ReplicaWrite(keyspace.name(), key, target, ringEpoch), timeoutMillis)
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        env.failureDetector().onError(node, error);
                    }
                });
    }

    private synchronized void onSpeculate() {
        if (phase == Phase.COLLECTING) {
            askNext();
        }
    }

    private synchronized void onDeadline() {
        if (phase == Phase.DONE) {
            return;
        }
        if (phase == Phase.REPAIRING) {
            // The value is known; a replica slow to take its repair must not fail the read.
            finish();
            return;
        }
        fail(RequestFailure.Code.DEADLINE_EXCEEDED, "read timed out after " + timeoutMillis + " ms: "
                + quorum.successes() + " of " + quorum.total() + " replicas answered (R=" + quorum.required() + ")");
    }

    private void finish() {
        phase = Phase.DONE;
        timers.forEach(Timer.Cancellable::cancel);
        result.complete(outcome.apply(best));
        late.forEach(this::repairIfStale);
        if (best != null && env.random().nextDouble() < env.settings().readRepairChance()) {
            for (String node : candidates) {
                if (!asked.contains(node)) {
                    ask(node, lww);
                }
            }
        }
    }

    private void fail(RequestFailure.Code code, String message) {
        phase = Phase.DONE;
        timers.forEach(Timer.Cancellable::cancel);
        result.completeExceptionally(new RequestFailure(code, message));
    }

}
