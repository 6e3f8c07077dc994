package io.ringkv.coordinator.transport;

import java.util.concurrent.CompletableFuture;

/**
 * Calls from one node's coordinator logic to a replica, by node id (which may be the caller
 * itself: implementations call the local replica directly then). Futures complete with the
 * reply, or exceptionally with a {@link PeerException} when the peer failed or did not answer
 * within {@code timeoutMillis}. Futures may complete on any thread.
 */
public interface Transport {
    CompletableFuture<Void> write(String nodeId, ReplicaWrite write, long timeoutMillis);

    CompletableFuture<ReadReply> read(String nodeId, ReplicaRead read, long timeoutMillis);

    /** A light probe for the failure detector. */
    CompletableFuture<Void> ping(String nodeId, long timeoutMillis);
}
