package io.ringkv.observability;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client request a node coordinates ({@code kv.get}, {@code kv.put}, {@code kv.delete}): its
 * latency and outcome metrics and, with tracing on, its span, whose context counts the replicas
 * asked and answered (the transport decorator reports them through {@link ReplicaCall}).
 * Started by {@link Telemetry#request}; {@link #end} once.
 */
public final class KvRequest {
    static final ContextKey<KvRequest> KEY = ContextKey.named("ringkv.request");

    private final RingkvMetrics metrics;
    private final String operation;
    private final String keyspace;
    private final String consistency;
    private final long startNanos = System.nanoTime();
    private final SpanScope span;
    private final Context context;
    final AtomicInteger asked = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    private volatile String valueClass = RingkvMetrics.SMALL;

    KvRequest(Spans spans, RingkvMetrics metrics, String operation, String keyspace, String consistency) {
        this.metrics = metrics;
        this.operation = operation;
        this.keyspace = keyspace;
        this.consistency = consistency;
        // The name and attributes are built only for a span that starts: with tracing off or sampled off, a
        // request allocates nothing for tracing.
        this.span = spans.startsUnderCurrent() ? spans.child("kv." + operation, Attributes.of(RingkvMetrics.KEYSPACE,
                keyspace, RingkvMetrics.CONSISTENCY, consistency)) : SpanScope.NOOP;
        this.context = span.context() == null ? null : span.context().with(KEY, this);
    }

    String operation() {
        return operation;
    }

    String keyspace() {
        return keyspace;
    }

    /** True when this request has a span (worth computing attributes for). */
    public boolean traced() {
        return context != null;
    }

    /** The size of the value written or read (the largest sibling's), for the {@code value_class} attribute. */
    public KvRequest valueBytes(long bytes) {
        valueClass = RingkvMetrics.valueClass(bytes);
        return this;
    }

    public KvRequest vnode(long vnode) {
        span.set("vnode", vnode);
        return this;
    }

    /** Makes this request current on this thread (replica calls made now count for it). */
    public Scope makeCurrent() {
        return context == null ? Scope.noop() : context.makeCurrent();
    }

    /** {@code task} running as part of this request (the task itself with tracing off). */
    public Runnable wrap(Runnable task) {
        return context == null ? task : context.wrap(task);
    }

    /**
     * Records the outcome: {@code code} is the gRPC status code name of a failure (null on
     * success), {@code reason} its one-line message.
     */
    public void end(String code, String reason) {
        metrics.request(operation, keyspace, consistency, code, valueClass, System.nanoTime() - startNanos);
        span.set("replicas.asked", asked.get()).set("replicas.answered", answered.get());
        if (code != null) {
            span.set("rpc.grpc.status_code", code).fail(reason);
        }
        span.end();
    }
}
