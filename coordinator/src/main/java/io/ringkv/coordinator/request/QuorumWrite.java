package io.ringkv.coordinator.request;

import io.ringkv.coordinator.time.Timer;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.coordinator.transport.ReplicaWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One coordinated write: sends the record to every replica at once, succeeds after {@code W}
 * acknowledgements, fails with UNAVAILABLE as soon as {@code W} can no longer be reached and with
 * DEADLINE_EXCEEDED when the deadline passes first. Replicas that answer after the outcome still
 * apply the write (stragglers finish in the background); their answers only feed the failure
 * detector.
 */
final class QuorumWrite {
    private final Env env;
    private final List<String> replicas;
    private final ReplicaWrite write;
    private final long timeoutMillis;
    private final PutOutcome success;
    private final Quorum quorum;
    private final List<String> failed = new ArrayList<>();
    private final CompletableFuture<PutOutcome> result = new CompletableFuture<>();
    private Timer.Cancellable deadline;
    private boolean done;

    QuorumWrite(Env env, List<String> replicas, int w, ReplicaWrite write, long timeoutMillis, PutOutcome success) {
        this.env = env;
        this.replicas = replicas;
        this.write = write;
        this.timeoutMillis = timeoutMillis;
        this.success = success;
        this.quorum = new Quorum(w, replicas.size());
    }

    /** Starts the write; {@code alreadyApplied} names a replica that holds it already (the causal coordinator). */
    CompletableFuture<PutOutcome> start(String alreadyApplied) {
        synchronized (this) {
            deadline = env.timer().schedule(timeoutMillis, this::onDeadline);
        }
        for (String node : replicas) {
            if (node.equals(alreadyApplied)) {
                onReply(node, null);
            } else {
                env.transport().write(node, write, timeoutMillis).whenComplete((ok, error) -> onReply(node, error));
            }
        }
        return result;
    }

    private synchronized void onReply(String node, Throwable error) {
        if (error == null) {
            env.failureDetector().onSuccess(node);
        } else {
            env.failureDetector().onFailure(node);
        }
        if (done) {
            return;
        }
        Quorum.State state;
        if (error == null) {
            state = quorum.onSuccess();
        } else {
            failed.add(node + " (" + describe(error) + ")");
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
        result.completeExceptionally(new RequestFailure(RequestFailure.Code.DEADLINE_EXCEEDED,
                "write timed out after " + timeoutMillis + " ms: " + quorum.successes() + " of " + quorum.total()
                        + " replicas acknowledged (W=" + quorum.required() + ")"));
    }

    private void finish() {
        done = true;
        if (deadline != null) {
            deadline.cancel();
        }
    }

    static String describe(Throwable error) {
        Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (e instanceof PeerException p) {
            return p.timedOut() ? "timed out" : "unreachable";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
