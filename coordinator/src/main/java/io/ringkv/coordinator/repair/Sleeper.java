package io.ringkv.coordinator.repair;

/** Waits: the one place repair blocks on time, injected so tests can run on fake time. */
@FunctionalInterface
public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;

    Sleeper SYSTEM = nanos -> Thread.sleep(java.time.Duration.ofNanos(nanos));
}
