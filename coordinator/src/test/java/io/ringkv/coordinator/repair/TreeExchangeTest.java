package io.ringkv.coordinator.repair;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.keyspace.ConflictMode;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.testing.Seeds;
import io.ringkv.coordinator.version.DvvSet;
import io.ringkv.coordinator.version.Records;
import io.ringkv.coordinator.version.Sibling;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.record.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tree exchanges between replicas over memory engines in one JVM, with seeded random divergence. */
class TreeExchangeTest {
    private static final int VNODES = 16;
    private static final int DEPTH = 2;
    private static final int KEYS = 300;

    /** A seeded divergence of replicas that all started from the same records. */
    record Divergence(long seed, Replicas replicas, Map<String, Record> expected) {
        @Override
        public String toString() {
            return "Divergence[seed=" + seed + "]";
        }
    }

    static Divergence diverge(Seeds.Gen g, String... ids) {
        Replicas rs = new Replicas(Keyspaces.defaults(), ids);
        Map<String, Record> expected = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "k" + i;
            Record base = Replicas.lww(1_000 + i, "n1", "v" + i, 1_000);
            Record winner = null;
            for (String id : ids) {
                int roll = g.index(10);
                if (roll == 0) {
                    continue; // this replica missed the key
                }
                Record r = base;
                // A version names one write: the replica's id and distinct clock ranges keep them unique.
                if (roll == 1) {
                    r = Replicas.lww(5_000 + g.index(100), id, "newer" + i + id, 2_000);
                } else if (roll == 2) {
                    r = Replicas.lww(6_000 + g.index(100), id, null, 2_000);
                }
                rs.write(id, "default", key, r);
                winner = Records.merge(winner, r);
            }
            if (winner != null) {
                expected.put(key, winner);
            }
        }
        return new Divergence(g.between(0, Long.MAX_VALUE), rs, expected);
    }

    private static TreeSpec spec(int vnode) {
        return new TreeSpec("default", vnode, VNODES, DEPTH);
    }

    private static int differingKeys(Replicas rs, String a, String b) {
        Map<String, Record> ca = rs.contents(a, "default");
        Map<String, Record> cb = rs.contents(b, "default");
        java.util.Set<String> keys = new java.util.HashSet<>(ca.keySet());
        keys.addAll(cb.keySet());
        int n = 0;
        for (String k : keys) {
            if (!java.util.Objects.equals(ca.get(k), cb.get(k))) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aPairExchangeStreamsExactlyTheDivergenceAndTheNewerVersionWins() {
        Seeds.check(15, g -> diverge(g, "a", "b"), d -> {
            Replicas rs = d.replicas();
            int divergence = differingKeys(rs, "a", "b");
            ExchangeResult total = ExchangeResult.NONE;
            for (int v = 0; v < VNODES; v++) {
                total = total.plus(new TreeExchange(TreeExchange.Throttle.NONE).exchange(spec(v), rs.peer("a"), rs.peer("b")));
            }
            assertThat(total.keysStreamed()).as("LWW: one write per differing key").isEqualTo(divergence);
            assertThat(rs.contents("a", "default")).isEqualTo(rs.contents("b", "default"));
            for (var e : d.expected().entrySet()) {
                Record held = rs.replicas.get("a").get("default", e.getKey());
                Record expected = e.getValue();
                // A key both missed stays absent; otherwise the newest version any side held wins.
                if (held != null) {
                    assertThat(Records.merge(held, expected)).as("key %s", e.getKey()).isSameAs(held);
                }
            }
            // A second pass finds nothing left to do.
            for (int v = 0; v < VNODES; v++) {
                assertThat(TreeExchange.differingLeaves(spec(v), rs.peer("a"), rs.peer("b"))).isEmpty();
            }
        });
    }

    @Test
    void threeReplicasEndIdenticalWithTheNewestVersionOfEveryKey() {
        Seeds.check(10, g -> diverge(g, "a", "b", "c"), d -> {
            Replicas rs = d.replicas();
            // Shortly after the writes: no tombstone is old enough to be collected.
            RateLimiterTest.FakeClock clock = new RateLimiterTest.FakeClock();
            clock.nanos = 10_000_000_000L;
            VnodeRepair repair = new VnodeRepair(rs::peer, new TreeExchange(TreeExchange.Throttle.NONE), clock,
                    RepairSettings.DEFAULTS.gcGraceMillis());
            for (int v = 0; v < VNODES; v++) {
                VnodeRepair.Outcome o = repair.repair(spec(v), List.of("a", "b", "c"));
                assertThat(o.full()).isTrue();
            }
            Map<String, Record> a = rs.contents("a", "default");
            assertThat(rs.contents("b", "default")).isEqualTo(a);
            assertThat(rs.contents("c", "default")).isEqualTo(a);
            assertThat(a).hasSameSizeAs(d.expected());
            for (var e : d.expected().entrySet()) {
                assertThat(rs.replicas.get("c").get("default", e.getKey())).as("key %s", e.getKey()).isEqualTo(e.getValue());
            }
        });
    }

    /** Counts what a peer is asked. */
    static class CountingPeer implements RepairPeer {
        final RepairPeer inner;
        final List<Integer> leavesAsked = new ArrayList<>();
        int reads;
        int writes;

        CountingPeer(RepairPeer inner) {
            this.inner = inner;
        }

        @Override
        public String nodeId() {
            return inner.nodeId();
        }

        @Override
        public long[] hashes(TreeSpec spec, int level, int[] indexes) {
            return inner.hashes(spec, level, indexes);
        }

        @Override
        public List<KeyDigest> digests(TreeSpec spec, int[] leaves) {
            for (int l : leaves) {
                leavesAsked.add(l);
            }
            return inner.digests(spec, leaves);
        }

        @Override
        public List<KeyDigest> tombstones(TreeSpec spec, long writtenBeforeMillis) {
            return inner.tombstones(spec, writtenBeforeMillis);
        }

        @Override
        public Record read(String keyspace, byte[] storedKey) {
            reads++;
            return inner.read(keyspace, storedKey);
        }

        @Override
        public void write(String keyspace, byte[] storedKey, Record record) {
            writes++;
            inner.write(keyspace, storedKey, record);
        }

        @Override
        public int purge(String keyspace, List<KeyDigest> tombstones) {
            return inner.purge(keyspace, tombstones);
        }
    }

    @Test
    void onlyTheDifferingLeafIsExchanged() {
        Replicas rs = new Replicas(Keyspaces.defaults(), "a", "b");
        for (int i = 0; i < KEYS; i++) {
            Record r = Replicas.lww(1_000 + i, "n1", "v" + i, 1_000);
            rs.write("a", "default", "k" + i, r);
            rs.write("b", "default", "k" + i, r);
        }
        String changed = "k42";
        rs.write("b", "default", changed, Replicas.lww(9_000, "n2", "changed", 2_000));
        int vnode = Replicas.vnodeOf(changed, VNODES);
        byte[] stored = StorageKeys.encode(changed, StorageLimits.DEFAULTS);
        int leaf = MerkleTree.leafOf(spec(vnode), stored);
        long keysInLeaf = rs.peer("a").digests(spec(vnode), new int[] {leaf}).size();

        CountingPeer a = new CountingPeer(rs.peer("a"));
        CountingPeer b = new CountingPeer(rs.peer("b"));
        ExchangeResult r = new TreeExchange(TreeExchange.Throttle.NONE).exchange(spec(vnode), a, b);
        assertThat(a.leavesAsked).containsExactly(leaf);
        assertThat(b.leavesAsked).containsExactly(leaf);
        assertThat(r.leavesDiffering()).isEqualTo(1);
        assertThat(r.keysCompared()).isEqualTo(keysInLeaf);
        assertThat(r.keysStreamed()).isEqualTo(1);
        assertThat(a.writes).as("only the stale side is written").isEqualTo(1);
        assertThat(b.writes).isZero();
        assertThat(new String(rs.replicas.get("a").get("default", changed).value(), UTF_8)).isEqualTo("changed");

        // Another vnode was never looked into below its root.
        int other = (vnode + 1) % VNODES;
        CountingPeer a2 = new CountingPeer(rs.peer("a"));
        assertThat(new TreeExchange(TreeExchange.Throttle.NONE).exchange(spec(other), a2, rs.peer("b")))
                .isEqualTo(ExchangeResult.NONE);
        assertThat(a2.leavesAsked).isEmpty();
    }

    @Test
    void causalSiblingsWrittenOnDifferentReplicasMerge() {
        Keyspaces ks = Keyspaces.of(List.of(new Keyspace("carts", 3, 2, 2, ConflictMode.CAUSAL)));
        Replicas rs = new Replicas(ks, "a", "b");
        String key = "cart:42";
        DvvSet apple = DvvSet.empty().update(Sibling.of("apple".getBytes(UTF_8), 1_000), "n1");
        DvvSet pear = DvvSet.empty().update(Sibling.of("pear".getBytes(UTF_8), 1_001), "n2");
        rs.write("a", "carts", key, Records.causal(apple));
        rs.write("b", "carts", key, Records.causal(pear));
        TreeSpec spec = new TreeSpec("carts", Replicas.vnodeOf(key, VNODES), VNODES, DEPTH);

        ExchangeResult r = new TreeExchange(TreeExchange.Throttle.NONE).exchange(spec, rs.peer("a"), rs.peer("b"));
        assertThat(r.keysStreamed()).as("each side lacked the other's sibling").isEqualTo(2);
        for (String id : List.of("a", "b")) {
            DvvSet held = DvvSet.decode(rs.replicas.get(id).get("carts", key).value());
            assertThat(held.values()).extracting(s -> new String(s.value(), UTF_8)).containsExactlyInAnyOrder("apple", "pear");
        }
        assertThat(TreeExchange.differingLeaves(spec, rs.peer("a"), rs.peer("b"))).isEmpty();
    }

    @Test
    void theThrottleIsAskedForEveryStreamedByte() {
        Replicas rs = new Replicas(Keyspaces.defaults(), "a", "b");
        for (int i = 0; i < 50; i++) {
            rs.write("a", "default", "k" + i, Replicas.lww(1_000 + i, "n1", "x".repeat(100), 1_000));
        }
        long[] asked = {0};
        TreeExchange exchange = new TreeExchange(bytes -> asked[0] += bytes);
        ExchangeResult total = ExchangeResult.NONE;
        for (int v = 0; v < VNODES; v++) {
            total = total.plus(exchange.exchange(spec(v), rs.peer("a"), rs.peer("b")));
        }
        assertThat(total.keysStreamed()).isEqualTo(50);
        assertThat(asked[0]).isEqualTo(total.bytesStreamed()).isGreaterThan(50 * 100);
    }
}
