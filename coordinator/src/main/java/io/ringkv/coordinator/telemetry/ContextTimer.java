package io.ringkv.coordinator.telemetry;

import io.ringkv.coordinator.time.Timer;
import io.ringkv.observability.Spans;

/**
 * A {@link Timer} whose tasks run in the trace context they were scheduled in, marked as run by
 * a timer (so a read a timer starts shows as a speculative retry of its request). Install it only
 * with tracing on; untraced tasks are passed through unwrapped anyway.
 */
public final class ContextTimer implements Timer {
    private final Timer inner;

    public ContextTimer(Timer inner) {
        this.inner = inner;
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        return inner.schedule(delayMillis, Spans.wrapTimerTask(task));
    }
}
