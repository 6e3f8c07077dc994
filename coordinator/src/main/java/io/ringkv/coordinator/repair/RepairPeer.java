package io.ringkv.coordinator.repair;

import io.ringkv.storage.record.Record;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One replica as anti-entropy sees it: the local replica itself, a peer over gRPC, or a simulated
 * one. Calls block; a peer that cannot be reached or fails throws
 * {@link io.ringkv.coordinator.transport.PeerException} naming it. Keys are stored keys
 * ({@code [token][key UTF-8]}); arrays passed in are not modified.
 *
 * <p>The {@code ...Async} variants let a caller keep several calls in flight. By default they make
 * the blocking call on the caller's thread and return a completed future; a peer across a network
 * overrides them. Their futures fail with the exception the blocking call would have thrown.
 */
public interface RepairPeer {
    String nodeId();

    /**
     * The hashes of the tree nodes {@code indexes} at {@code level}. A level-0 request builds the
     * tree anew from the replica's current records; deeper levels read the tree that request built.
     */
    long[] hashes(TreeSpec spec, int level, int[] indexes);

    /** The digests of every record in the given leaves, in key order. */
    List<KeyDigest> digests(TreeSpec spec, int[] leaves);

    /** The digests of the vnode's tombstones written before {@code writtenBeforeMillis}, in key order. */
    List<KeyDigest> tombstones(TreeSpec spec, long writtenBeforeMillis);

    /** The replica's record of the key, or {@code null}. */
    Record read(String keyspace, byte[] storedKey);

    /** Merges {@code record} into the replica's record of the key, as a replica write does. */
    void write(String keyspace, byte[] storedKey, Record record);

    /**
     * Deletes each tombstone whose stored record is still that tombstone (same version digest);
     * a key written since is left alone. Returns how many were deleted.
     */
    int purge(String keyspace, List<KeyDigest> tombstones);

    default CompletableFuture<long[]> hashesAsync(TreeSpec spec, int level, int[] indexes) {
        return now(() -> hashes(spec, level, indexes));
    }

    default CompletableFuture<List<KeyDigest>> digestsAsync(TreeSpec spec, int[] leaves) {
        return now(() -> digests(spec, leaves));
    }

    /** Completes with the replica's record of the key, or {@code null}. */
    default CompletableFuture<Record> readAsync(String keyspace, byte[] storedKey) {
        return now(() -> read(keyspace, storedKey));
    }

    default CompletableFuture<Void> writeAsync(String keyspace, byte[] storedKey, Record record) {
        return now(() -> {
            write(keyspace, storedKey, record);
            return null;
        });
    }

    private static <T> CompletableFuture<T> now(Supplier<T> call) {
        try {
            return CompletableFuture.completedFuture(call.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
