package io.ringkv.coordinator.repair;

import io.ringkv.storage.Bytes;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.Tokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A hash tree over the records of one vnode: an immutable value. The vnode's token range is cut
 * into {@code 16^depth} equal sub-ranges, the leaves; a leaf hashes its records' (key, version
 * digest, tombstone) in key order, an inner node hashes its 16 children, and an empty subtree
 * hashes to 0. Two replicas holding the same records build equal trees, and the leaves where
 * they differ name the only key ranges that need to be exchanged.
 *
 * <p>Hashes are 64 bits (Murmur3 and its finaliser): a difference goes unnoticed with odds of
 * about 2^-64 per node compared, and is then found by the next repair of a changed vnode.
 */
public final class MerkleTree {
    /** Children per inner node, as bits: fan-out 16. */
    public static final int FANOUT_BITS = 4;
    public static final int FANOUT = 1 << FANOUT_BITS;
    /** Deepest tree: 16^6 leaves, 16.7 M. */
    public static final int MAX_DEPTH = 6;

    private final TreeSpec spec;
    /** levels[l] holds the 16^l hashes of level l; level 0 is the root, level depth the leaves. */
    private final long[][] levels;
    private final long keys;

    private MerkleTree(TreeSpec spec, long[][] levels, long keys) {
        this.spec = spec;
        this.levels = levels;
        this.keys = keys;
    }

    public static Builder builder(TreeSpec spec) {
        return new Builder(spec);
    }

    /** The tree of these digests, which need not be sorted. */
    public static MerkleTree of(TreeSpec spec, List<KeyDigest> digests) {
        List<KeyDigest> sorted = new ArrayList<>(digests);
        sorted.sort((a, b) -> Arrays.compareUnsigned(a.storedKey(), b.storedKey()));
        Builder b = builder(spec);
        sorted.forEach(b::add);
        return b.build();
    }

    public TreeSpec spec() {
        return spec;
    }

    public int depth() {
        return spec.depth();
    }

    public long root() {
        return levels[0][0];
    }

    /** Records hashed into the tree. */
    public long keys() {
        return keys;
    }

    /** The hash of node {@code index} at {@code level} (0 is the root). */
    public long hash(int level, int index) {
        if (level < 0 || level > spec.depth()) {
            throw new IllegalArgumentException("level " + level + " outside [0, " + spec.depth() + "]");
        }
        long[] l = levels[level];
        if (index < 0 || index >= l.length) {
            throw new IllegalArgumentException("index " + index + " outside [0, " + l.length + ") at level " + level);
        }
        return l[index];
    }

    /** The hashes of the given nodes at {@code level}, in the order given. */
    public long[] hashes(int level, int[] indexes) {
        long[] out = new long[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            out[i] = hash(level, indexes[i]);
        }
        return out;
    }

    /** The leaves where this tree and {@code other}, built to the same spec, differ: ascending. */
    public int[] differingLeaves(MerkleTree other) {
        if (!spec.equals(other.spec)) {
            throw new IllegalArgumentException("trees of different specs: " + spec + " and " + other.spec);
        }
        int[] diff = {0};
        for (int level = 0; level <= spec.depth() && diff.length > 0; level++) {
            int[] candidates = level == 0 ? diff : children(diff);
            int n = 0;
            int[] next = new int[candidates.length];
            for (int index : candidates) {
                if (levels[level][index] != other.levels[level][index]) {
                    next[n++] = index;
                }
            }
            diff = Arrays.copyOf(next, n);
        }
        return diff;
    }

    /** The children of the given nodes, ascending when the nodes are. */
    public static int[] children(int[] parents) {
        int[] out = new int[parents.length * FANOUT];
        for (int i = 0; i < parents.length; i++) {
            for (int c = 0; c < FANOUT; c++) {
                out[i * FANOUT + c] = parents[i] * FANOUT + c;
            }
        }
        return out;
    }

    /** The leaf of a stored key of this tree's vnode. */
    public static int leafOf(TreeSpec spec, byte[] storedKey) {
        long token = StorageKeys.token(storedKey);
        int vnodeBits = StorageKeys.log2(spec.vnodeCount());
        if (StorageKeys.vnodeOf(token, spec.vnodeCount()) != spec.vnode()) {
            throw new IllegalArgumentException("key of vnode " + StorageKeys.vnodeOf(token, spec.vnodeCount())
                    + " in the tree of vnode " + spec.vnode());
        }
        long within = vnodeBits == 0 ? token : token << vnodeBits;
        return (int) (within >>> (64 - FANOUT_BITS * spec.depth()));
    }

    /** The first stored key of {@code leaf} (inclusive). */
    public static byte[] leafStart(TreeSpec spec, int leaf) {
        int vnodeBits = StorageKeys.log2(spec.vnodeCount());
        long vnodeBase = vnodeBits == 0 ? 0 : (long) spec.vnode() << (64 - vnodeBits);
        long token = vnodeBase | ((long) leaf << (64 - vnodeBits - FANOUT_BITS * spec.depth()));
        byte[] out = new byte[StorageKeys.TOKEN_BYTES];
        Bytes.putLong(out, 0, token);
        return out;
    }

    /** The end of {@code leaf} (exclusive), or {@code null} at the end of the token space. */
    public static byte[] leafEnd(TreeSpec spec, int leaf) {
        return leaf == spec.leafCount() - 1 ? StorageKeys.vnodeEnd(spec.vnode(), spec.vnodeCount())
                : leafStart(spec, leaf + 1);
    }

    /** Accumulates digests in ascending key order and builds the tree. Not thread-safe. */
    public static final class Builder {
        private final TreeSpec spec;
        private final long[] leaves;
        private byte[] lastKey;
        private long count;

        private Builder(TreeSpec spec) {
            this.spec = spec;
            this.leaves = new long[spec.leafCount()];
        }

        public Builder add(KeyDigest d) {
            byte[] key = d.storedKey();
            if (lastKey != null && Arrays.compareUnsigned(lastKey, key) >= 0) {
                throw new IllegalArgumentException("digests must come in ascending key order");
            }
            int leaf = leafOf(spec, key);
            lastKey = key;
            long[] h = Tokens.murmur3x64_128(key, 0, key.length, 0);
            long entry = fmix(h[0] ^ fmix(d.versionDigest() + (d.tombstone() ? 0x5bd1e995L : 0)) ^ h[1]);
            leaves[leaf] = fold(leaves[leaf], entry);
            count++;
            return this;
        }

        public MerkleTree build() {
            int depth = spec.depth();
            long[][] levels = new long[depth + 1][];
            levels[depth] = leaves.clone();
            for (int level = depth - 1; level >= 0; level--) {
                long[] below = levels[level + 1];
                long[] here = new long[below.length / FANOUT];
                for (int i = 0; i < here.length; i++) {
                    long h = 0;
                    boolean empty = true;
                    for (int c = 0; c < FANOUT; c++) {
                        long child = below[i * FANOUT + c];
                        empty &= child == 0;
                        h = fold(h, child ^ (c + 1) * 0x9e3779b97f4a7c15L);
                    }
                    here[i] = empty ? 0 : h;
                }
                levels[level] = here;
            }
            return new MerkleTree(spec, levels, count);
        }
    }

    /** An order-dependent combination: the same entries in another order hash differently. */
    private static long fold(long acc, long value) {
        long h = fmix(acc * 0xc6a4a7935bd1e995L + value);
        return h == 0 ? 1 : h;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    @Override
    public String toString() {
        return "MerkleTree[" + spec + ", keys=" + keys + ", root=" + Long.toHexString(root()) + "]";
    }
}
