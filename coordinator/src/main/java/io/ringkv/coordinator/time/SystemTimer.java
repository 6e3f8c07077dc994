package io.ringkv.coordinator.time;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A {@link Timer} on one platform thread that hands each task to a virtual thread. */
public final class SystemTimer implements Timer, AutoCloseable {
    private final java.util.concurrent.ScheduledThreadPoolExecutor scheduler = newScheduler();

    /** Most request timers are cancelled; removing them at once keeps the queue as small as the in-flight set. */
    private static java.util.concurrent.ScheduledThreadPoolExecutor newScheduler() {
        var executor = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("ringkv-timer").factory());
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        ScheduledFuture<?> f = scheduler.schedule(() -> Thread.startVirtualThread(task), delayMillis,
                TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
