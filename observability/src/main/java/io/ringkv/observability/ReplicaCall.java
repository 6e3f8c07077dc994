package io.ringkv.observability;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;

/**
 * One call from a coordinator to a replica (itself included): its latency by peer and, with
 * tracing on, a span: {@code replica.read} / {@code replica.write} under the request, or
 * {@code kv.read_repair} / {@code kv.speculative_read}, linked to the request, when a read
 * repairs a stale replica or asks one more replica after a timer fired.
 */
public final class ReplicaCall {
    private final RingkvMetrics metrics;
    private final String peer;
    private final String operation;
    private final long startNanos = System.nanoTime();
    private final SpanScope span;
    private final Context parent;
    private final KvRequest request;
    private volatile String valueClass = RingkvMetrics.SMALL;

    private ReplicaCall(RingkvMetrics metrics, String peer, String operation, SpanScope span, Context parent,
                        KvRequest request) {
        this.metrics = metrics;
        this.peer = peer;
        this.operation = operation;
        this.span = span;
        this.parent = parent;
        this.request = request;
    }

    /** Starts a call to {@code peer}; {@code operation} is {@code read} or {@code write}. */
    static ReplicaCall start(Spans spans, RingkvMetrics metrics, String peer, String operation) {
        if (!spans.startsUnderCurrent()) {
            // No span (tracing off, or an unsampled trace), so no traced request counts replicas; an unsampled
            // trace's context still comes back with the reply, so what follows stays unsampled with it.
            Context parent = spans.enabled() ? Context.current() : Context.root();
            return new ReplicaCall(metrics, peer, operation, SpanScope.NOOP, parent == Context.root() ? null : parent, null);
        }
        Context parent = Context.current();
        KvRequest request = parent.get(KvRequest.KEY);
        Attributes attributes = Attributes.of(RingkvMetrics.PEER, peer, RingkvMetrics.OPERATION, operation);
        SpanScope span;
        KvRequest counted = request;
        if (request != null && request.operation().equals("get") && operation.equals("write")) {
            // Repairs are not among the replicas the read asked.
            span = spans.linked("kv.read_repair", attributes);
            counted = null;
        } else if (request != null && operation.equals("read") && Boolean.TRUE.equals(parent.get(Spans.TIMER_FIRED))) {
            span = spans.linked("kv.speculative_read", attributes);
        } else {
            span = spans.child("replica." + operation, attributes);
        }
        if (counted != null) {
            counted.asked.incrementAndGet();
        }
        return new ReplicaCall(metrics, peer, operation, span, parent, counted);
    }

    /** The size of the value sent or received, for the {@code value_class} attribute. */
    public ReplicaCall valueBytes(long bytes) {
        valueClass = RingkvMetrics.valueClass(bytes);
        return this;
    }

    /** Makes the call's span current while the call is sent (so the gRPC client span is its child). */
    public Scope makeCurrent() {
        return span.makeCurrent();
    }

    /**
     * Ends the call when {@code reply} completes, and returns the future its caller should use:
     * with tracing on, one completed in the caller's context, so what the caller does next (ask
     * another replica, repair one) belongs to the same request.
     *
     * @param timedOut tells a timeout from another failure
     */
    public <T> CompletableFuture<T> complete(CompletableFuture<T> reply, java.util.function.Predicate<Throwable> timedOut) {
        return complete(reply, timedOut, null);
    }

    /** As above, with the size of the value a reply carries ({@code valueBytes}; null: as sent) for {@code value_class}. */
    public <T> CompletableFuture<T> complete(CompletableFuture<T> reply, java.util.function.Predicate<Throwable> timedOut,
                                             java.util.function.ToLongFunction<T> valueBytes) {
        if (parent == null) {
            reply.whenComplete((v, e) -> {
                if (v != null && valueBytes != null) {
                    valueBytes(valueBytes.applyAsLong(v));
                }
                record(e, timedOut);
            });
            return reply;
        }
        CompletableFuture<T> out = new CompletableFuture<>();
        reply.whenComplete((v, e) -> {
            if (v != null && valueBytes != null) {
                valueBytes(valueBytes.applyAsLong(v));
            }
            record(e, timedOut);
            try (Scope ignored = parent.makeCurrent()) {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(v);
                }
            }
        });
        return out;
    }

    private void record(Throwable error, java.util.function.Predicate<Throwable> timedOut) {
        String outcome = error == null ? "ok" : timedOut.test(error) ? "timeout" : "error";
        metrics.replicaCall(peer, operation, outcome, valueClass, System.nanoTime() - startNanos);
        if (error == null) {
            if (request != null) {
                request.answered.incrementAndGet();
            }
        } else {
            span.set("outcome", outcome).fail(String.valueOf(error.getMessage()));
        }
        span.end();
    }
}
