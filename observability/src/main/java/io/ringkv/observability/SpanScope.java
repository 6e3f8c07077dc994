package io.ringkv.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;

/**
 * One started span and the context it belongs to. Not thread-confined: it may be ended on
 * another thread than the one that started it; {@link #makeCurrent()}'s scope must be closed on
 * the thread that opened it. {@link #NOOP} does nothing.
 */
public final class SpanScope implements AutoCloseable {
    public static final SpanScope NOOP = new SpanScope(null, null);

    private final Span span;
    private final Context context;

    SpanScope(Span span, Context context) {
        this.span = span;
        this.context = context;
    }

    public boolean recording() {
        return span != null && span.isRecording();
    }

    /** The context with this span, to hand to other threads; null for {@link #NOOP}. */
    public Context context() {
        return context;
    }

    public SpanScope set(String key, String value) {
        if (span != null) {
            span.setAttribute(key, value);
        }
        return this;
    }

    public SpanScope set(String key, long value) {
        if (span != null) {
            span.setAttribute(AttributeKey.longKey(key), value);
        }
        return this;
    }

    public SpanScope set(String key, List<String> values) {
        if (span != null) {
            span.setAttribute(AttributeKey.stringArrayKey(key), values);
        }
        return this;
    }

    /** Makes this span current on this thread until the returned scope closes. */
    public Scope makeCurrent() {
        return context == null ? Scope.noop() : context.makeCurrent();
    }

    /** {@code task} running with this span current (the task itself for {@link #NOOP}). */
    public Runnable wrap(Runnable task) {
        return context == null ? task : context.wrap(task);
    }

    /** Marks the span failed with {@code error} (its message, not its stack). */
    public SpanScope fail(String reason) {
        if (span != null) {
            span.setStatus(StatusCode.ERROR, reason);
        }
        return this;
    }

    /** Ends the span; later calls are ignored by the SDK. */
    public void end() {
        if (span != null) {
            span.end();
        }
    }

    @Override
    public void close() {
        end();
    }
}
