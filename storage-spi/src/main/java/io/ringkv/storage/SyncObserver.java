package io.ringkv.storage;

/**
 * Told of each fsync an engine makes to keep its durability promise, so a node can publish how long
 * its writes wait for the disk. Called on the engine's sync thread: it must be quick and must not
 * throw.
 */
@FunctionalInterface
public interface SyncObserver {
    /** Observes nothing. */
    SyncObserver NONE = (nanos, writers) -> { };

    /**
     * @param nanos   wall-clock time of the sync, including the sync thread's wait for a CPU after it
     * @param writers the waiting writes it made durable
     */
    void synced(long nanos, int writers);
}
