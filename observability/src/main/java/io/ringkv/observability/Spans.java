package io.ringkv.observability;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;

/**
 * Starts ringkv's own spans. With tracing off this is {@link #NOOP}: every method returns
 * {@link SpanScope#NOOP} without touching the context, so callers never test a flag themselves.
 */
public final class Spans {
    static final String SCOPE = "io.ringkv";
    static final Spans NOOP = new Spans(null, false, false);
    /** Set on the context of tasks a timer runs: a read started there is a speculative retry. */
    static final ContextKey<Boolean> TIMER_FIRED = ContextKey.named("ringkv.timer-fired");

    private final Tracer tracer;
    private final boolean followsParent;
    private final boolean neverSamples;

    /**
     * @param followsParent the sampler never samples a span whose parent was not sampled (the
     *                      {@code parentbased_*} samplers and {@code always_off}): such spans are not
     *                      started at all
     * @param neverSamples  the sampler samples nothing ({@code always_off}): no span under a request is started
     */
    Spans(Tracer tracer, boolean followsParent, boolean neverSamples) {
        this.tracer = tracer;
        this.followsParent = followsParent;
        this.neverSamples = neverSamples;
    }

    /** Spans for {@code sampler} (an {@code otel_traces_sampler} name). */
    static Spans of(Tracer tracer, String sampler) {
        boolean never = sampler.equals("always_off");
        return new Spans(tracer, never || sampler.startsWith("parentbased_"), never);
    }

    /**
     * True when a span started under {@code parent} could not be sampled, so it need not be started:
     * under an unsampled trace a request would otherwise build a non-recording span (ids, attributes,
     * a context) for each replica call and storage operation, which is most of what tracing costs
     * at a low sampling ratio. The trace context the parent carries still propagates.
     */
    private boolean unsampledUnder(Context parent) {
        if (!followsParent) {
            return false;
        }
        SpanContext p = Span.fromContext(parent).getSpanContext();
        return p.isValid() ? !p.isSampled() : neverSamples;
    }

    public boolean enabled() {
        return tracer != null;
    }

    /**
     * True when {@link #child} or {@link #linked} would start a span now: callers test it before
     * building a span's name and attributes, which an unsampled request would otherwise allocate on
     * every replica call and storage operation only to drop them.
     */
    public boolean startsUnderCurrent() {
        return tracer != null && !unsampledUnder(Context.current());
    }

    /** A span under the current one (a new trace when there is none). */
    public SpanScope child(String name, Attributes attributes) {
        if (tracer == null) {
            return SpanScope.NOOP;
        }
        Context parent = Context.current();
        if (unsampledUnder(parent)) {
            return SpanScope.NOOP;
        }
        return start(tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setAllAttributes(attributes), parent);
    }

    /**
     * A span of its own for work a request caused (read repair, a speculative read, forwarding):
     * under the current span and linked to it, so it is found from either side.
     */
    public SpanScope linked(String name, Attributes attributes) {
        if (tracer == null) {
            return SpanScope.NOOP;
        }
        Context parent = Context.current();
        if (unsampledUnder(parent)) {
            return SpanScope.NOOP;
        }
        SpanBuilder b = tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setAllAttributes(attributes);
        Span cause = Span.fromContext(parent);
        if (cause.getSpanContext().isValid()) {
            b.addLink(cause.getSpanContext());
        }
        return start(b, parent);
    }

    /**
     * A new trace for background work (a hint replay, a repair session, a transfer), linked to the
     * current span when something traced started it.
     */
    public SpanScope root(String name, Attributes attributes) {
        if (tracer == null) {
            return SpanScope.NOOP;
        }
        SpanBuilder b = tracer.spanBuilder(name).setNoParent().setSpanKind(SpanKind.INTERNAL)
                .setAllAttributes(attributes);
        Span cause = Span.current();
        if (cause.getSpanContext().isValid()) {
            b.addLink(cause.getSpanContext());
        }
        return start(b, Context.root());
    }

    private static SpanScope start(SpanBuilder b, Context parent) {
        Span span = b.setParent(parent).startSpan();
        return new SpanScope(span, parent.with(span));
    }

    /**
     * {@code task} running in the current context (for a hand-off to another thread); the task
     * itself when there is no context to carry, so an untraced node pays nothing.
     */
    public static Runnable wrap(Runnable task) {
        Context current = Context.current();
        return current == Context.root() ? task : current.wrap(task);
    }

    /** {@code work} running in the current context; {@code work} itself when there is no context to carry. */
    public static <T> java.util.function.Supplier<T> wrap(java.util.function.Supplier<T> work) {
        Context current = Context.current();
        return current == Context.root() ? work : current.wrapSupplier(work);
    }

    /**
     * {@code task} running in the current context, marked as run by a timer; the task itself when
     * there is no context to carry.
     */
    public static Runnable wrapTimerTask(Runnable task) {
        Context current = Context.current();
        return current == Context.root() ? task : current.with(TIMER_FIRED, Boolean.TRUE).wrap(task);
    }
}
