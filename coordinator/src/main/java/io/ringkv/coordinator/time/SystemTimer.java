package io.ringkv.coordinator.time;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Timer} on a hashed wheel with a {@link #TICK_MILLIS} tick, one platform thread that hands
 * each due task to a virtual thread. Every request schedules and cancels a few timers (its deadline,
 * a speculative read, each replica call's timeout) and almost none fire: on a wheel, scheduling and
 * cancelling are queue appends that never wake the timer thread, where a scheduled thread pool takes
 * a lock and wakes its thread whenever a new task becomes the earliest (a futex call each way).
 * Tasks run up to one tick late; a task with no delay starts at once.
 *
 * <p>The wheel's thread wakes every tick whether or not anything is due (about 0.03 of a core here),
 * so the nodes of one process ({@code ringkv dev}, tests) share one wheel: each {@code SystemTimer}
 * holds a lease on it, and the last one closed stops it. A closed timer's pending tasks do not run,
 * as when each node had a wheel of its own, and it refuses new ones.
 */
public final class SystemTimer implements Timer, AutoCloseable {
    /** The wheel's precision: the longest a task may run after its delay. */
    public static final long TICK_MILLIS = 1;
    private static final Cancellable STARTED = () -> { };
    private static final Object SHARED = new Object();
    private static HashedWheelTimer sharedWheel;
    private static int leases;

    private final HashedWheelTimer wheel;
    private volatile boolean closed;

    public SystemTimer() {
        synchronized (SHARED) {
            if (sharedWheel == null) {
                sharedWheel = new HashedWheelTimer(Thread.ofPlatform().daemon().name("ringkv-timer").factory(),
                        TICK_MILLIS, TimeUnit.MILLISECONDS, 1024);
            }
            leases++;
            wheel = sharedWheel;
        }
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        if (closed) {
            throw new IllegalStateException("timer closed");
        }
        if (delayMillis <= 0) {
            Thread.startVirtualThread(task);
            return STARTED;
        }
        Timeout t = wheel.newTimeout(timeout -> {
            if (!closed) {
                Thread.startVirtualThread(task);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
        return t::cancel;
    }

    /** The timers of this process that share the wheel now (for tests). */
    static int leases() {
        synchronized (SHARED) {
            return leases;
        }
    }

    @Override
    public void close() {
        synchronized (SHARED) {
            if (closed) {
                return;
            }
            closed = true;
            if (--leases == 0) {
                sharedWheel.stop();
                sharedWheel = null;
            }
        }
    }
}
