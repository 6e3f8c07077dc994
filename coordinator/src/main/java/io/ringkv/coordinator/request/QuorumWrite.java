package io.ringkv.coordinator.request;

import io.ringkv.coordinator.concurrent.Failures;
import io.ringkv.coordinator.time.Timer;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.coordinator.transport.ReplicaWrite;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One coordinated write: sends the record to every target at once, succeeds after {@code W}
 * acknowledgements, fails with UNAVAILABLE as soon as {@code W} can no longer be reached and with
 * DEADLINE_EXCEEDED when the deadline passes first. Replicas that answer after the outcome still
 * apply the write (stragglers finish in the background); their answers only feed the failure
 * detector. Every replica that fails, times out or is still silent at the deadline is handed to
 * the {@link HintSink} once (never this node itself); a hint never counts toward {@code W}.
 */
final class QuorumWrite {
    /**
     * Where one copy of the write goes: {@code node}, which applies it, or, when {@code hintFor}
     * is set, a sloppy-quorum fallback that keeps it as a hint for that primary.
     */
    record Target(String node, String hintFor) {
        static Target primary(String node) {
            return new Target(node, null);
        }

        /** The replica a failed copy is meant for: the primary itself, or the one a fallback stood in for. */
        String owner() {
            return hintFor == null ? node : hintFor;
        }
    }

    private final Env env;
    private final List<Target> targets;
    private final ReplicaWrite write;
    private final long timeoutMillis;
    /** When the replica calls went out: a failure counts against a peer only if it has not answered since. */
    private long sentMillis;
    private final PutOutcome success;
    private final Quorum quorum;
    private final List<String> failed = new ArrayList<>();
    /** Targets that answered, or were hinted at the deadline: nothing more to do for them. */
    private final Set<Target> settled = new HashSet<>();
    private final CompletableFuture<PutOutcome> result = new CompletableFuture<>();
    private Timer.Cancellable deadline;
    private boolean done;

    QuorumWrite(Env env, List<Target> targets, int w, ReplicaWrite write, long timeoutMillis, PutOutcome success) {
        this.env = env;
        this.targets = List.copyOf(targets);
        this.write = write;
        this.timeoutMillis = timeoutMillis;
        this.success = success;
        this.quorum = new Quorum(w, targets.size());
    }

    /** Starts the write; {@code alreadyApplied} names a replica that holds it already (the causal coordinator). */
    CompletableFuture<PutOutcome> start(String alreadyApplied) {
        synchronized (this) {
            sentMillis = env.clock().monotonicMillis();
            deadline = env.timer().schedule(timeoutMillis, this::onDeadline);
        }
        for (Target target : targets) {
            if (target.hintFor() == null && target.node().equals(alreadyApplied)) {
                onReply(target, null);
            } else {
                ReplicaWrite copy = target.hintFor() == null ? write : write.withHintFor(target.hintFor());
                env.transport().write(target.node(), copy, timeoutMillis)
                        .whenComplete((ok, error) -> onReply(target, error));
            }
        }
        return result;
    }

    private synchronized void onReply(Target target, Throwable error) {
        String node = target.node();
        if (error == null) {
            env.failureDetector().onSuccess(node);
        } else {
            env.failureDetector().onError(node, error, sentMillis);
            if (settled.add(target)) {
                hint(target);
            }
        }
        settled.add(target);
        if (done) {
            return;
        }
        Quorum.State state;
        if (error == null) {
            state = quorum.onSuccess();
        } else {
            failed.add(node + (target.hintFor() == null ? "" : " for " + target.hintFor()) + " (" + describe(error) + ")");
            state = quorum.onFailure();
        }
        if (state == Quorum.State.MET) {
            finish();
            result.complete(new PutOutcome(success.context(), success.timestampMillis(), success.ringEpoch(),
                    quorum.successes()));
        } else if (state == Quorum.State.FAILED) {
            finish();
            result.completeExceptionally(new RequestFailure(RequestFailure.Code.UNAVAILABLE,
                    "not enough replicas acknowledged the write: " + quorum.successes() + " of " + quorum.total()
                            + " acknowledged, " + quorum.failures() + " failed (W=" + quorum.required() + "); failed: "
                            + String.join(", ", failed)));
        }
    }

    private synchronized void onDeadline() {
        if (done) {
            return;
        }
        done = true;
        // Replicas still silent get their hint now; their late failure will not hint them twice.
        for (Target target : targets) {
            if (settled.add(target)) {
                hint(target);
            }
        }
        result.completeExceptionally(new RequestFailure(RequestFailure.Code.DEADLINE_EXCEEDED,
                "write timed out after " + timeoutMillis + " ms: " + quorum.successes() + " of " + quorum.total()
                        + " replicas acknowledged (W=" + quorum.required() + ")"));
    }

    private void hint(Target target) {
        String owner = target.owner();
        if (!owner.equals(env.selfId())) {
            env.hints().hint(owner, write);
        }
    }

    private void finish() {
        done = true;
        if (deadline != null) {
            deadline.cancel();
        }
    }

    static String describe(Throwable error) {
        Throwable e = Failures.cause(error);
        if (e instanceof PeerException p) {
            if (p.timedOut()) {
                return "timed out";
            }
            // A busy peer (a failed bulk-lane call is one) or a refusal says more than "unreachable".
            return p.overloaded() ? "overloaded: " + p.reason() : p.rejected() ? "refused: " + p.reason() : "unreachable";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
