package io.ringkv.coordinator.repair;

import io.ringkv.storage.StorageKeys;

/**
 * Names one Merkle tree: vnode {@code vnode} of {@code vnodeCount} in {@code keyspace}, with
 * {@code depth} levels below the root. Both sides of an exchange build their tree to the same spec,
 * so the caller states it whole and a replica needs no ring to answer.
 */
public record TreeSpec(String keyspace, int vnode, int vnodeCount, int depth) {
    public TreeSpec {
        if (keyspace == null || keyspace.isEmpty()) {
            throw new IllegalArgumentException("keyspace must be named");
        }
        int bits = StorageKeys.log2(vnodeCount);
        if (vnode < 0 || vnode >= vnodeCount) {
            throw new IllegalArgumentException("vnode " + vnode + " outside [0, " + vnodeCount + ")");
        }
        if (depth < 1 || depth > MerkleTree.MAX_DEPTH) {
            throw new IllegalArgumentException("tree depth must be in [1, " + MerkleTree.MAX_DEPTH + "], was " + depth);
        }
        if (bits + depth * MerkleTree.FANOUT_BITS > 64) {
            throw new IllegalArgumentException("a vnode of " + vnodeCount + " cannot be cut into 16^" + depth + " leaves");
        }
    }

    public int leafCount() {
        return 1 << (MerkleTree.FANOUT_BITS * depth);
    }
}
