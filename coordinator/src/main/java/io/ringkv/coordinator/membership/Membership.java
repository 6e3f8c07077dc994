package io.ringkv.coordinator.membership;

import java.util.List;
import java.util.function.Consumer;

/**
 * Who is in the cluster, as a node needs to know it. An implementation registers this node, keeps
 * the member list current and feeds every newer ring it learns of to the {@link RingHolder} it was
 * built with (rings are only ever received here; the leader publishes them through a
 * {@link RingPublisher}). It never throws from its background work: when its backing service is
 * unreachable it keeps the last member list and ring, reports {@link #reachable()} false and
 * retries.
 */
public interface Membership extends AutoCloseable {

    /** Starts the background work; returns at once. */
    void start();

    /** Every registered member with its health, sorted by id, as last seen; empty before the first answer. */
    List<Member> members();

    /** The members whose every check passes. */
    default List<Member> passingMembers() {
        return members().stream().filter(Member::isPassing).toList();
    }

    /** Whether the backing service answered the last request; for status and health output. */
    boolean reachable();

    /**
     * Calls {@code listener} with the new member list whenever it changes (a member appears, leaves
     * or changes health). Called on the membership's own thread: keep it short.
     */
    void onMembersChange(Consumer<List<Member>> listener);

    /** Stops the background work and leaves the cluster cleanly (deregisters); the ring holder keeps its ring. */
    @Override
    void close();
}
