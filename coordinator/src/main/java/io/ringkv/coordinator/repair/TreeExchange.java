package io.ringkv.coordinator.repair;

import io.ringkv.coordinator.version.Records;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import java.util.Arrays;
import java.util.List;

/**
 * Makes two replicas of one vnode hold the same records: compares their trees top-down, level by
 * level, descending only into differing nodes; then compares the key digests of the differing
 * leaves and, for each key that differs, writes the merge of both records (by the keyspace's
 * rules: the newer LWW version, or the causal sync of both sets) to each side that lacks it.
 * Afterwards both sides hold the same records, but for writes that raced the exchange.
 *
 * <p>Pure logic over two {@link RepairPeer}s; failures of a peer propagate as its exception.
 */
public final class TreeExchange {
    /** Leaves whose digests one call asks for, so one answer stays small. */
    public static final int LEAVES_PER_CALL = 64;
    /** Tree nodes whose hashes one call asks for (128 KiB of hashes). */
    public static final int HASHES_PER_CALL = 16_384;

    /** Called with the encoded size of each record before it is written; the session's rate limit. */
    @FunctionalInterface
    public interface Throttle {
        void acquire(long bytes);

        Throttle NONE = bytes -> {
        };
    }

    private final Throttle throttle;

    public TreeExchange(Throttle throttle) {
        this.throttle = throttle;
    }

    /** The leaves where the two replicas' trees differ, found top-down. */
    public static int[] differingLeaves(TreeSpec spec, RepairPeer a, RepairPeer b) {
        int[] diff = {0};
        for (int level = 0; level <= spec.depth() && diff.length > 0; level++) {
            int[] candidates = level == 0 ? diff : MerkleTree.children(diff);
            long[] ha = hashes(a, spec, level, candidates);
            long[] hb = hashes(b, spec, level, candidates);
            int n = 0;
            int[] next = new int[candidates.length];
            for (int i = 0; i < candidates.length; i++) {
                if (ha[i] != hb[i]) {
                    next[n++] = candidates[i];
                }
            }
            diff = Arrays.copyOf(next, n);
        }
        return diff;
    }

    private static long[] hashes(RepairPeer peer, TreeSpec spec, int level, int[] indexes) {
        if (indexes.length <= HASHES_PER_CALL) {
            return peer.hashes(spec, level, indexes);
        }
        long[] out = new long[indexes.length];
        for (int from = 0; from < indexes.length; from += HASHES_PER_CALL) {
            int to = Math.min(indexes.length, from + HASHES_PER_CALL);
            System.arraycopy(peer.hashes(spec, level, Arrays.copyOfRange(indexes, from, to)), 0, out, from, to - from);
        }
        return out;
    }

    /** Exchanges until {@code a} and {@code b} agree on the vnode; returns what it did. */
    public ExchangeResult exchange(TreeSpec spec, RepairPeer a, RepairPeer b) {
        int[] leaves = differingLeaves(spec, a, b);
        long compared = 0;
        long streamed = 0;
        long bytes = 0;
        for (int from = 0; from < leaves.length; from += LEAVES_PER_CALL) {
            int[] batch = Arrays.copyOfRange(leaves, from, Math.min(leaves.length, from + LEAVES_PER_CALL));
            List<KeyDigest> da = a.digests(spec, batch);
            List<KeyDigest> db = b.digests(spec, batch);
            int i = 0;
            int j = 0;
            while (i < da.size() || j < db.size()) {
                KeyDigest x = i < da.size() ? da.get(i) : null;
                KeyDigest y = j < db.size() ? db.get(j) : null;
                int order = x == null ? 1 : y == null ? -1 : Arrays.compareUnsigned(x.storedKey(), y.storedKey());
                compared++;
                if (order == 0) {
                    i++;
                    j++;
                    if (x.sameRecord(y)) {
                        continue;
                    }
                }
                else if (order < 0) {
                    i++;
                    y = null;
                } else {
                    j++;
                    x = null;
                }
                long[] sent = sync(spec.keyspace(), x != null ? x.storedKey() : y.storedKey(), a, b);
                streamed += sent[0];
                bytes += sent[1];
            }
        }
        return new ExchangeResult(leaves.length, compared, streamed, bytes);
    }

    /** Brings one key to the merge of both sides' records; returns {records written, bytes}. */
    private long[] sync(String keyspace, byte[] key, RepairPeer a, RepairPeer b) {
        // Read now rather than trust the digests: a write may have landed since the scan.
        Record ra = a.read(keyspace, key);
        Record rb = b.read(keyspace, key);
        Record merged = ra == null ? rb : rb == null ? ra : Records.merge(ra, rb);
        if (merged == null) {
            return new long[] {0, 0};
        }
        long[] sent = {0, 0};
        long size = -1;
        for (RepairPeer side : new RepairPeer[] {a, b}) {
            Record held = side == a ? ra : rb;
            if (!Records.sameVersion(held, merged) || held.tombstone() != merged.tombstone()) {
                if (size < 0) {
                    size = RecordCodec.encode(merged).length;
                }
                throttle.acquire(size);
                side.write(keyspace, key, merged);
                sent[0]++;
                sent[1] += size;
            }
        }
        return sent;
    }
}
