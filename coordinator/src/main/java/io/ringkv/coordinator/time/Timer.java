package io.ringkv.coordinator.time;

/** Runs tasks after a delay; the simulated cluster implements it on virtual time. */
public interface Timer {
    /** Runs {@code task} once after {@code delayMillis}; the handle cancels it if it has not run. */
    Cancellable schedule(long delayMillis, Runnable task);

    /** A scheduled task that can still be called off. */
    interface Cancellable {
        void cancel();
    }
}
