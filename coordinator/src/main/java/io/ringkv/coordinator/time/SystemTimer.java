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
 */
public final class SystemTimer implements Timer, AutoCloseable {
    /** The wheel's precision: the longest a task may run after its delay. */
    public static final long TICK_MILLIS = 1;
    private static final Cancellable STARTED = () -> { };

    private final HashedWheelTimer wheel = new HashedWheelTimer(
            Thread.ofPlatform().daemon().name("ringkv-timer").factory(), TICK_MILLIS, TimeUnit.MILLISECONDS, 1024);

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        if (delayMillis <= 0) {
            Thread.startVirtualThread(task);
            return STARTED;
        }
        Timeout t = wheel.newTimeout(timeout -> Thread.startVirtualThread(task), delayMillis, TimeUnit.MILLISECONDS);
        return t::cancel;
    }

    @Override
    public void close() {
        wheel.stop();
    }
}
