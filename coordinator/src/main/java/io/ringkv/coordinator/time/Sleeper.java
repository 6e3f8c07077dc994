package io.ringkv.coordinator.time;

/** Blocking waits (repair's pacing), injected so tests can run on simulated time. */
@FunctionalInterface
public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;

    /** The machine's sleep. */
    Sleeper SYSTEM = nanos -> Thread.sleep(java.time.Duration.ofNanos(nanos));
}
