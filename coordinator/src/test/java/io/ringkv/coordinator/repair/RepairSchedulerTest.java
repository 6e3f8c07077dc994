package io.ringkv.coordinator.repair;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.catalog.SystemCatalog;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.request.Coordinator;
import io.ringkv.coordinator.request.CoordinatorSettings;
import io.ringkv.coordinator.request.PutCommand;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.sim.SimCluster;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.observability.Telemetry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepairSchedulerTest {
    private static final long SEED = Long.getLong("ringkv.sim.seed", 20261204L);
    private static final long HOUR = 3_600_000;
    private static final int VNODES = 16;

    @TempDir
    Path dir;

    @Test
    void aVnodeIsDueOncePerIntervalAndOnlyAtItsFirstReplica() {
        SimCluster c = new SimCluster(SEED, 3, VNODES, 3, Keyspaces.defaults(), CoordinatorSettings.DEFAULTS);
        Ring ring = c.ring();
        List<Keyspace> ks = Keyspaces.defaults().all();
        SortedSet<Integer> owned = RepairScheduler.dueVnodes(ring, "n1", ks, Map.of(), 0, 24 * HOUR, 24 * HOUR);
        assertThat(owned).isNotEmpty().allMatch(v -> ring.replicas(v).getFirst().id().equals("n1"));
        int total = 0;
        for (String n : c.nodeIds()) {
            total += RepairScheduler.dueVnodes(ring, n, ks, Map.of(), 0, 24 * HOUR, 24 * HOUR).size();
        }
        assertThat(total).as("every vnode is scheduled by exactly one node").isEqualTo(VNODES);
        assertThat(RepairScheduler.dueVnodes(ring, "n1", ks, Map.of(), 0, 0, 24 * HOUR).size())
                .as("a new node spreads its first round over the interval").isLessThan(owned.size());

        Map<Integer, Instant> last = new HashMap<>();
        owned.forEach(v -> last.put(v, Instant.ofEpochMilli(10 * HOUR)));
        Map<String, Map<Integer, Instant>> lastRepairs = Map.of("default", last);
        assertThat(RepairScheduler.dueVnodes(ring, "n1", ks, lastRepairs, 0, 34 * HOUR - 1, 24 * HOUR)).isEmpty();
        assertThat(RepairScheduler.dueVnodes(ring, "n1", ks, lastRepairs, 0, 34 * HOUR, 24 * HOUR)).isEqualTo(owned);
        for (int v = 0; v < 1000; v++) {
            assertThat(RepairScheduler.spread("default", v, 24 * HOUR)).isBetween(0L, 24 * HOUR - 1);
        }
    }

    @Test
    void theSchedulerHoldsOffWhileTheForegroundIsSlowThenRepairsWhatIsDue() throws Exception {
        SimCluster c = new SimCluster(SEED, 3, VNODES, 3, Keyspaces.defaults(), CoordinatorSettings.DEFAULTS);
        for (int i = 0; i < 100; i++) {
            c.replica("n2").apply(new ReplicaWrite("default", "k" + i, Replicas.lww(1_000 + i, "n2", "v", 1_000), 0));
        }
        AtomicLong p99Micros = new AtomicLong(80_000);
        RepairSettings settings = RepairSettings.DEFAULTS.withIntervalMillis(24 * HOUR);
        try (SystemCatalog catalog = SystemCatalog.open(dir.resolve("catalog"), c.time);
             RepairService service = new RepairService("n1", settings, () -> Optional.of(c.ring()), Keyspaces.defaults(),
                     c.localRepairPeer("n1"), id -> c.repairPeer("n1", id), catalog, c.time, c.time, nanos -> { },
                     windowMillis -> p99Micros.get(), Telemetry.disabled().repair())) {
            c.time.runFor(24 * HOUR);
            assertThat(service.paused()).as("80 ms p99 is above the 50 ms threshold").isTrue();
            service.tick();
            assertThat(service.lastScheduled()).isEmpty();
            assertThat(catalog.repairSessions(10)).isEmpty();

            p99Micros.set(50_000);
            assertThat(service.paused()).as("at the threshold repair runs").isFalse();
            service.tick();
            RepairSession s = service.lastScheduled().orElseThrow();
            assertThat(s.await(30_000)).isTrue();
            assertThat(s.row().state()).isEqualTo(RepairSession.DONE);
            assertThat(s.row().scope()).isEqualTo("scheduled");
            SortedSet<Integer> owned = RepairScheduler.dueVnodes(c.ring(), "n1", Keyspaces.defaults().all(), Map.of(), 0,
                    24 * HOUR, 24 * HOUR);
            assertThat(catalog.vnodeRepairs("default").keySet()).containsExactlyInAnyOrderElementsOf(owned);
            // Just repaired: nothing is due until the interval has passed again.
            service.tick();
            assertThat(service.lastScheduled()).containsSame(s);
            assertThat(catalog.repairSessions(10)).hasSize(1);
        }
    }

    @Test
    void aBurstOfSlowRequestsHoldsBackgroundRepairOffOnlyUntilItIsAPauseWindowOld() throws Exception {
        System.out.println("seed " + SEED);
        SimCluster c = new SimCluster(SEED, 3, VNODES, 3, Keyspaces.defaults(), CoordinatorSettings.DEFAULTS);
        Coordinator n1 = c.node("n1");
        long window = 10_000;
        RepairSettings settings = RepairSettings.DEFAULTS.withIntervalMillis(24 * HOUR).withPauseWindowMillis(window);
        try (SystemCatalog catalog = SystemCatalog.open(dir.resolve("catalog"), c.time);
             RepairService service = new RepairService("n1", settings, () -> Optional.of(c.ring()), Keyspaces.defaults(),
                     c.localRepairPeer("n1"), id -> c.repairPeer("n1", id), catalog, c.time, c.time, nanos -> { },
                     n1::recentRequestP99Micros, Telemetry.disabled().repair())) {
            c.time.runFor(24 * HOUR);
            assertThat(service.paused()).as("no request at all: nothing to yield to").isFalse();

            // Every message takes 40-60 ms: a W=2 put takes at least 80 ms, above the 50 ms threshold.
            c.network.setDelays(40_000, 60_000);
            for (int i = 0; i < 50; i++) {
                c.await(n1.put(PutCommand.put("", "k" + i, "v".getBytes(UTF_8), Consistency.DEFAULT, 0))).join();
            }
            assertThat(service.paused()).as("seed %d: slow foreground", SEED).isTrue();
            service.tick();
            assertThat(service.lastScheduled()).isEmpty();

            // No request since: the burst holds repair off until its newest request is a window old.
            c.time.runFor(window - 1);
            assertThat(service.paused()).isTrue();
            c.time.runFor(1);
            assertThat(service.paused()).as("idle for a whole window").isFalse();
            service.tick();
            RepairSession s = service.lastScheduled().orElseThrow();
            assertThat(s.await(30_000)).isTrue();
            assertThat(s.row().state()).isEqualTo(RepairSession.DONE);
        }
    }
}
