package io.ringkv.coordinator.membership;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * At most one node of a cluster leads. Leadership is a lease: {@link #isLeader()} is this node's
 * belief, which can lag reality by up to the lease time (a paused or partitioned leader notices
 * late). Anything the leader writes must therefore also be guarded by the store itself (the ring
 * is published with check-and-set, see {@link RingPublisher}).
 */
public interface LeaderElection extends AutoCloseable {

    /** Starts campaigning; returns at once. */
    void start();

    /** Whether this node believes it holds leadership now. */
    boolean isLeader();

    /** The id of the node last seen holding leadership, if any; for status output and forwarding. */
    Optional<String> leaderId();

    /**
     * Calls {@code listener} with the new value each time {@link #isLeader()} changes. Called on the
     * election's own thread (or the caller of {@link #verify()} / {@link #resign()}): keep it short.
     */
    void onChange(Consumer<Boolean> listener);

    /**
     * Asks the store whether this node still leads, stepping down (and notifying) unless it
     * confirms so; an unreachable store counts as no. Call it after evidence of a rival, such as a
     * refused check-and-set write. Blocks for at most one request.
     */
    boolean verify();

    /** Gives up leadership and stops campaigning: releases the lock so another node can take over at once. */
    void resign();

    /** {@link #resign()} and stops the background work. */
    @Override
    void close();
}
