package io.ringkv.coordinator.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.Tokens;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
    private static final int VNODES = 16;

    /** Keys of vnode {@code vnode}: key-0, key-1, ... filtered by token. */
    static List<byte[]> keysOf(int vnode, int count) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            byte[] utf8 = ("key-" + i).getBytes(StandardCharsets.UTF_8);
            long token = Tokens.of(utf8);
            if (StorageKeys.vnodeOf(token, VNODES) == vnode) {
                out.add(StorageKeys.encode(token, utf8));
            }
        }
        return out;
    }

    static List<KeyDigest> digests(List<byte[]> keys, long version) {
        List<KeyDigest> out = new ArrayList<>();
        for (byte[] k : keys) {
            out.add(new KeyDigest(k, version + Arrays.hashCode(k), false, 0));
        }
        return out;
    }

    private static final TreeSpec SPEC = new TreeSpec("default", 5, VNODES, 2);

    @Test
    void identicalRecordSetsHaveEqualRootsWhateverTheOrderGiven() {
        List<KeyDigest> d = digests(keysOf(5, 300), 7);
        List<KeyDigest> shuffled = new ArrayList<>(d);
        Collections.shuffle(shuffled, new java.util.Random(1));
        MerkleTree a = MerkleTree.of(SPEC, d);
        MerkleTree b = MerkleTree.of(SPEC, shuffled);
        assertThat(a.root()).isEqualTo(b.root()).isNotZero();
        assertThat(a.keys()).isEqualTo(300);
        assertThat(a.differingLeaves(b)).isEmpty();
        assertThat(MerkleTree.of(SPEC, List.of()).root()).as("an empty vnode").isZero();
    }

    @Test
    void oneChangedVersionTombstoneOrMissingKeyIsFoundInExactlyItsLeaf() {
        Seeds.check(30, g -> g.between(0, 299), changed -> {
            List<KeyDigest> base = digests(keysOf(5, 300), 7);
            KeyDigest k = base.get(changed);
            int leaf = MerkleTree.leafOf(SPEC, k.storedKey());
            MerkleTree original = MerkleTree.of(SPEC, base);

            List<KeyDigest> newer = new ArrayList<>(base);
            newer.set(changed, new KeyDigest(k.storedKey(), k.versionDigest() + 1, false, 0));
            List<KeyDigest> deleted = new ArrayList<>(base);
            deleted.set(changed, new KeyDigest(k.storedKey(), k.versionDigest(), true, 0));
            List<KeyDigest> missing = new ArrayList<>(base);
            missing.remove((int) changed);
            for (List<KeyDigest> variant : List.of(newer, deleted, missing)) {
                MerkleTree other = MerkleTree.of(SPEC, variant);
                assertThat(other.root()).isNotEqualTo(original.root());
                assertThat(original.differingLeaves(other)).containsExactly(leaf);
            }
        });
    }

    @Test
    void writeTimeIsNotHashedVersionIs() {
        List<KeyDigest> base = digests(keysOf(5, 10), 7);
        List<KeyDigest> retimed = base.stream().map(d -> new KeyDigest(d.storedKey(), d.versionDigest(), false, 99)).toList();
        assertThat(MerkleTree.of(SPEC, retimed).root()).isEqualTo(MerkleTree.of(SPEC, base).root());
    }

    @Test
    void leavesCutTheVnodeIntoContiguousRangesInKeyOrder() {
        assertThat(MerkleTree.leafStart(SPEC, 0)).isEqualTo(StorageKeys.vnodeStart(5, VNODES));
        assertThat(MerkleTree.leafEnd(SPEC, SPEC.leafCount() - 1)).isEqualTo(StorageKeys.vnodeEnd(5, VNODES));
        TreeSpec last = new TreeSpec("default", VNODES - 1, VNODES, 2);
        assertThat(MerkleTree.leafEnd(last, last.leafCount() - 1)).isNull();
        for (byte[] key : keysOf(5, 500)) {
            int leaf = MerkleTree.leafOf(SPEC, key);
            assertThat(Arrays.compareUnsigned(MerkleTree.leafStart(SPEC, leaf), key)).isLessThanOrEqualTo(0);
            assertThat(Arrays.compareUnsigned(key, MerkleTree.leafEnd(SPEC, leaf))).isNegative();
        }
        // A one-vnode ring: the vnode is the whole token space.
        TreeSpec whole = new TreeSpec("default", 0, 1, 1);
        assertThat(MerkleTree.leafOf(whole, StorageKeys.encode(-1L, new byte[] {1}))).isEqualTo(15);
        assertThat(MerkleTree.leafOf(whole, StorageKeys.encode(0L, new byte[] {1}))).isZero();
    }

    @Test
    void badInputIsRefusedWithAReason() {
        List<byte[]> keys = keysOf(5, 2);
        MerkleTree.Builder b = MerkleTree.builder(SPEC);
        b.add(new KeyDigest(keys.get(1), 1, false, 0));
        assertThatThrownBy(() -> b.add(new KeyDigest(keys.get(0), 1, false, 0))).hasMessageContaining("ascending");
        assertThatThrownBy(() -> MerkleTree.builder(SPEC).add(new KeyDigest(keysOf(6, 1).getFirst(), 1, false, 0)))
                .hasMessageContaining("key of vnode 6 in the tree of vnode 5");
        assertThatThrownBy(() -> new TreeSpec("default", 0, 16, MerkleTree.MAX_DEPTH + 1)).hasMessageContaining("depth");
        assertThatThrownBy(() -> new TreeSpec("default", 16, 16, 2)).hasMessageContaining("outside");
        assertThatThrownBy(() -> MerkleTree.of(SPEC, List.of()).hash(3, 0)).hasMessageContaining("level 3");
        assertThat(new TreeSpec("default", 0, 1, MerkleTree.MAX_DEPTH).leafCount()).isEqualTo(1 << 24);
    }
}
