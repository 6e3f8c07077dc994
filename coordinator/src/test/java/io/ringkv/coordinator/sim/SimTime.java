package io.ringkv.coordinator.sim;

import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Timer;
import java.util.PriorityQueue;

/**
 * Virtual time for a whole simulated cluster: one event queue ordered by time, then by
 * insertion, run on the test's thread. Same seed, same schedule, same outcome.
 */
public final class SimTime implements Clock, Timer {
    /** Wall time of the simulation's start: a fixed date so runs do not depend on the real clock. */
    static final long EPOCH_MILLIS = 1_780_000_000_000L;

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long nowNanos;
    private long sequence;
    private long executed;

    private static final class Event implements Comparable<Event>, Cancellable {
        final long atNanos;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Event(long atNanos, long seq, Runnable task) {
            this.atNanos = atNanos;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(atNanos, o.atNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public long wallMillis() {
        return EPOCH_MILLIS + nowNanos / 1_000_000L;
    }

    @Override
    public long monotonicNanos() {
        return nowNanos;
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        return scheduleNanos(delayMillis * 1_000_000L, task);
    }

    public Cancellable scheduleNanos(long delayNanos, Runnable task) {
        Event e = new Event(nowNanos + Math.max(0, delayNanos), sequence++, task);
        queue.add(e);
        return e;
    }

    /** Runs events until {@code done} holds or the queue is empty or {@code maxMillis} of virtual time pass. */
    public boolean runUntil(java.util.function.BooleanSupplier done, long maxMillis) {
        long limit = nowNanos + maxMillis * 1_000_000L;
        while (!done.getAsBoolean()) {
            Event e = queue.peek();
            if (e == null || e.atNanos > limit) {
                return done.getAsBoolean();
            }
            queue.poll();
            if (e.cancelled) {
                continue;
            }
            nowNanos = e.atNanos;
            executed++;
            e.task.run();
        }
        return true;
    }

    /** Runs every event due within the next {@code millis} of virtual time. */
    public void runFor(long millis) {
        long limit = nowNanos + millis * 1_000_000L;
        while (true) {
            Event e = queue.peek();
            if (e == null || e.atNanos > limit) {
                break;
            }
            queue.poll();
            if (e.cancelled) {
                continue;
            }
            nowNanos = e.atNanos;
            executed++;
            e.task.run();
        }
        nowNanos = limit;
    }

    public long executed() {
        return executed;
    }
}
