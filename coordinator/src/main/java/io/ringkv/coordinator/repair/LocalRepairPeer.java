package io.ringkv.coordinator.repair;

import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.storage.Entry;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * This node's replica as a {@link RepairPeer}: builds trees and digests from ordered scans of the
 * replica's engine and applies repair writes through {@link LocalReplica#apply}, which merges by
 * version. It is what the gRPC service answers peers with. The trees of the last
 * {@value #CACHED_TREES} root requests are kept so deeper levels need no second scan. Thread-safe.
 *
 * <p>Its async writes, trees and digests run on virtual threads of their own: a repair write waits
 * for the engine's group-committed fsync, and writes kept in flight together share one, where
 * writes made one after the other on the caller's thread would wait for one each. Reads of single
 * keys are answered on the caller's thread.
 */
public final class LocalRepairPeer implements RepairPeer {
    static final int CACHED_TREES = 64;
    /** One virtual thread per async call: callers bound how many they keep in flight. */
    private static final Executor VIRTUAL = task -> Thread.ofVirtual().name("repair-local").start(task);

    private final String nodeId;
    private final LocalReplica replica;
    private final Keyspaces keyspaces;
    private final Map<TreeSpec, MerkleTree> trees = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TreeSpec, MerkleTree> eldest) {
            return size() > CACHED_TREES;
        }
    };

    public LocalRepairPeer(String nodeId, LocalReplica replica, Keyspaces keyspaces) {
        this.nodeId = nodeId;
        this.replica = replica;
        this.keyspaces = keyspaces;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    /** A fresh tree of the vnode's current records. */
    public MerkleTree tree(TreeSpec spec) {
        MerkleTree.Builder b = MerkleTree.builder(spec);
        scan(spec, StorageKeys.vnodeStart(spec.vnode(), spec.vnodeCount()),
                StorageKeys.vnodeEnd(spec.vnode(), spec.vnodeCount()), b::add);
        return b.build();
    }

    @Override
    public long[] hashes(TreeSpec spec, int level, int[] indexes) {
        MerkleTree tree;
        synchronized (trees) {
            tree = level == 0 ? null : trees.get(spec);
        }
        if (tree == null) {
            tree = tree(spec);
            synchronized (trees) {
                trees.put(spec, tree);
            }
        }
        return tree.hashes(level, indexes);
    }

    @Override
    public List<KeyDigest> digests(TreeSpec spec, int[] leaves) {
        int[] sorted = leaves.clone();
        Arrays.sort(sorted);
        List<KeyDigest> out = new ArrayList<>();
        // Consecutive leaves are one contiguous key range: one scan each run.
        for (int i = 0; i < sorted.length; ) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] <= sorted[j] + 1) {
                j++;
            }
            if (sorted[i] < 0 || sorted[j] >= spec.leafCount()) {
                throw new IllegalArgumentException("leaf outside [0, " + spec.leafCount() + ")");
            }
            scan(spec, MerkleTree.leafStart(spec, sorted[i]), MerkleTree.leafEnd(spec, sorted[j]), out::add);
            i = j + 1;
        }
        return out;
    }

    @Override
    public List<KeyDigest> tombstones(TreeSpec spec, long writtenBeforeMillis) {
        List<KeyDigest> out = new ArrayList<>();
        scan(spec, StorageKeys.vnodeStart(spec.vnode(), spec.vnodeCount()),
                StorageKeys.vnodeEnd(spec.vnode(), spec.vnodeCount()), d -> {
                    if (d.tombstone() && d.writeTimeMillis() < writtenBeforeMillis) {
                        out.add(d);
                    }
                });
        return out;
    }

    private void scan(TreeSpec spec, byte[] start, byte[] end, Consumer<KeyDigest> sink) {
        Namespace ns = keyspaces.resolve(spec.keyspace()).namespace();
        try (EntryIterator it = replica.engine().scan(ns, start, end)) {
            while (it.hasNext()) {
                Entry e = it.next();
                sink.accept(KeyDigest.of(e.key(), RecordCodec.decode(e.value())));
            }
        }
    }

    @Override
    public Record read(String keyspace, byte[] storedKey) {
        byte[] raw = replica.engine().get(keyspaces.resolve(keyspace).namespace(), storedKey);
        return raw == null ? null : RecordCodec.decode(raw);
    }

    @Override
    public void write(String keyspace, byte[] storedKey, Record record) {
        replica.apply(new ReplicaWrite(keyspace, StorageKeys.userKey(storedKey), record, 0));
    }

    @Override
    public CompletableFuture<Void> writeAsync(String keyspace, byte[] storedKey, Record record) {
        return CompletableFuture.runAsync(() -> write(keyspace, storedKey, record), VIRTUAL);
    }

    @Override
    public CompletableFuture<long[]> hashesAsync(TreeSpec spec, int level, int[] indexes) {
        return CompletableFuture.supplyAsync(() -> hashes(spec, level, indexes), VIRTUAL);
    }

    @Override
    public CompletableFuture<List<KeyDigest>> digestsAsync(TreeSpec spec, int[] leaves) {
        return CompletableFuture.supplyAsync(() -> digests(spec, leaves), VIRTUAL);
    }

    @Override
    public int purge(String keyspace, List<KeyDigest> tombstones) {
        Keyspace ks = keyspaces.resolve(keyspace);
        int purged = 0;
        for (KeyDigest t : tombstones) {
            boolean[] deleted = {false};
            replica.engine().update(ks.namespace(), t.storedKey(), current -> {
                if (current == null) {
                    return null;
                }
                Record r = RecordCodec.decode(current);
                if (r.tombstone() && KeyDigest.versionDigest(r) == t.versionDigest()) {
                    deleted[0] = true;
                    return null;
                }
                return current;
            });
            if (deleted[0]) {
                purged++;
            }
        }
        return purged;
    }
}
