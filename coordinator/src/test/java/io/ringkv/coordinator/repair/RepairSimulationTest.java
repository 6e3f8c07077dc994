package io.ringkv.coordinator.repair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.request.CoordinatorSettings;
import io.ringkv.coordinator.request.PutCommand;
import io.ringkv.coordinator.request.PutOutcome;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.sim.SimCluster;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.storage.Entry;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.Tokens;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The anti-entropy invariant on a simulated five-node cluster: writes and deletes through random
 * coordinators while nodes crash, restart and are partitioned; after healing and one repair of
 * every vnode, all replicas of each vnode hold identical records and no acknowledged write is lost
 * (each replica holds its version or a newer one).
 */
class RepairSimulationTest {
    private static final long BASE_SEED = Long.getLong("ringkv.sim.seed", 20261204L);
    private static final int RUNS = 4;
    private static final int OPS = 400;
    private static final int KEYS = 60;
    private static final int VNODES = 32;

    @Test
    void afterHealingAndRepairEveryVnodesReplicasAreIdenticalAndNoAckedWriteIsLost() {
        for (int run = 0; run < RUNS; run++) {
            long seed = BASE_SEED + run;
            System.out.println("RepairSimulationTest seed " + seed + " (rerun with -Dringkv.sim.seed=" + seed + ")");
            runOnce(seed);
        }
    }

    private static void runOnce(long seed) {
        SimCluster c = new SimCluster(seed, 5, VNODES, 3, Keyspaces.defaults(), CoordinatorSettings.DEFAULTS);
        Random random = new Random(seed);
        List<String> nodes = c.nodeIds();
        Map<String, LwwVersion> acked = new HashMap<>();
        int partialRepairs = 0;
        for (int op = 0; op < OPS; op++) {
            int roll = random.nextInt(100);
            if (roll < 4) {
                long crashed = nodes.stream().filter(c.network::isCrashed).count();
                if (crashed < 2) {
                    c.network.crash(nodes.get(random.nextInt(nodes.size())));
                }
            } else if (roll < 8) {
                nodes.forEach(c.network::restart);
            } else if (roll < 11) {
                c.network.partition(nodes.get(random.nextInt(nodes.size())), nodes.get(random.nextInt(nodes.size())));
            } else if (roll < 13) {
                c.network.heal();
            } else if (roll < 15) {
                partialRepairs += repairAll(c, nodes.get(random.nextInt(nodes.size())), seed);
            } else {
                List<String> up = nodes.stream().filter(n -> !c.network.isCrashed(n)).toList();
                String coordinator = up.get(random.nextInt(up.size()));
                String key = "key-" + random.nextInt(KEYS);
                PutCommand cmd = random.nextInt(10) == 0 ? PutCommand.delete("", key, Consistency.DEFAULT, 0)
                        : PutCommand.put("", key, ("v" + op).getBytes(StandardCharsets.UTF_8), Consistency.DEFAULT, 0);
                CompletableFuture<PutOutcome> f = c.await(c.node(coordinator).put(cmd));
                if (!f.isCompletedExceptionally()) {
                    LwwVersion v = LwwVersion.decode(f.join().context());
                    acked.merge(key, v, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
        }
        c.network.heal();
        nodes.forEach(c.network::restart);
        // Let writes still in flight (stragglers past their quorum) land or time out.
        c.time.runFor(10_000);
        assertThat(acked).as("the workload must acknowledge writes to check anything; %s", c).hasSizeGreaterThan(KEYS / 2);

        assertThat(repairAll(c, nodes.get(0), seed)).as("with every node up, every vnode repairs fully; %s", c).isZero();

        Ring ring = c.ring();
        for (int v = 0; v < VNODES; v++) {
            List<String> replicas = ring.replicas(v).stream().map(Node::id).toList();
            Map<String, Record> first = contents(c, replicas.getFirst(), v);
            for (String r : replicas.subList(1, replicas.size())) {
                assertThat(contents(c, r, v)).as("vnode %d: %s and %s; %s", v, replicas.getFirst(), r, c).isEqualTo(first);
            }
        }
        for (var e : acked.entrySet()) {
            int vnode = ring.vnodeOf(Tokens.of(e.getKey()));
            for (Node n : ring.replicas(vnode)) {
                Record held = c.replica(n.id()).get("default", e.getKey());
                assertThat(held).as("acked write of %s on %s; %s", e.getKey(), n.id(), c).isNotNull();
                assertThat(LwwVersion.decode(held.version())).as("acked version of %s on %s; %s", e.getKey(), n.id(), c)
                        .isGreaterThanOrEqualTo(e.getValue());
            }
        }
        System.out.println("  " + acked.size() + " keys acked, " + partialRepairs + " vnode repairs left a replica out");
    }

    /** Repairs every vnode from {@code orchestrator}; returns how many were not full (a replica unreachable). */
    private static int repairAll(SimCluster c, String orchestrator, long seed) {
        VnodeRepair repair = new VnodeRepair(id -> c.repairPeer(orchestrator, id),
                new TreeExchange(TreeExchange.Throttle.NONE), c.time, RepairSettings.DEFAULTS.gcGraceMillis());
        int partial = 0;
        for (int v = 0; v < VNODES; v++) {
            List<String> replicas = c.ring().replicas(v).stream().map(Node::id).toList();
            VnodeRepair.Outcome o = repair.repair(new TreeSpec("default", v, VNODES, 2), replicas);
            boolean allReachable = replicas.stream().allMatch(r -> c.network.reachable(orchestrator, r));
            assertThat(o.full()).as("seed %d vnode %d: full exactly when every replica is reachable", seed, v)
                    .isEqualTo(allReachable);
            assertThat(o.purged()).as("nothing is old enough to collect").isZero();
            if (!o.full()) {
                partial++;
            }
        }
        return partial;
    }

    private static Map<String, Record> contents(SimCluster c, String node, int vnode) {
        Map<String, Record> out = new TreeMap<>();
        try (EntryIterator it = c.replica(node).engine().scan(Namespace.DATA, StorageKeys.vnodeStart(vnode, VNODES),
                StorageKeys.vnodeEnd(vnode, VNODES))) {
            while (it.hasNext()) {
                Entry e = it.next();
                out.put(HexFormat.of().formatHex(e.key()), RecordCodec.decode(e.value()));
            }
        }
        return out;
    }
}
