package io.ringkv.coordinator.repair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.catalog.RepairSessionRow;
import io.ringkv.coordinator.catalog.SystemCatalog;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.request.CoordinatorSettings;
import io.ringkv.coordinator.sim.SimCluster;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.observability.RepairTelemetry;
import io.ringkv.observability.Telemetry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's progress in the catalog and in the progress gauges, and a session interrupted by a
 * restart finishing from its cursor.
 */
class RepairProgressTest {
    private static final long SEED = Long.getLong("ringkv.sim.seed", 20261204L);
    private static final int VNODES = 16;
    private static final int KEYS = 200;

    @TempDir
    Path dir;

    /** Peers that report each vnode whose tree root is asked for. */
    private static RepairService service(SimCluster c, SystemCatalog catalog, RepairSettings settings, IntConsumer onVnode) {
        return new RepairService("n1", settings, () -> Optional.of(c.ring()), Keyspaces.defaults(), c.localRepairPeer("n1"),
                id -> new TreeExchangeTest.CountingPeer(c.repairPeer("n1", id)) {
                    @Override
                    public long[] hashes(TreeSpec spec, int level, int[] indexes) {
                        if (level == 0) {
                            onVnode.accept(spec.vnode());
                        }
                        return super.hashes(spec, level, indexes);
                    }
                }, catalog, c.time, c.time, nanos -> { }, windowMillis -> -1, Telemetry.disabled().repair());
    }

    @Test
    void anInterruptedSessionContinuesAfterARestartFromWhereItStood() throws Exception {
        SimCluster c = new SimCluster(SEED, 3, VNODES, 3, Keyspaces.defaults(), CoordinatorSettings.DEFAULTS);
        for (int i = 0; i < KEYS; i++) {
            c.replica("n1").apply(new ReplicaWrite("default", "k" + i, Replicas.lww(1_000 + i, "n1", "v" + i, 1_000), 0));
        }
        RepairSettings settings = RepairSettings.DEFAULTS.withIntervalMillis(0);
        String id;
        int doneBefore;
        long streamedBefore;
        try (SystemCatalog catalog = SystemCatalog.open(dir.resolve("catalog"), c.time)) {
            Set<Integer> started = new TreeSet<>();
            RepairSession[] session = new RepairSession[1];
            RepairService first = service(c, catalog, settings.withConcurrentVnodes(1), v -> {
                started.add(v);
                if (started.size() == 5) {
                    // The "shutdown": the fifth vnode finishes, no further one starts.
                    session[0].stop();
                }
            });
            session[0] = first.prepare(RepairScope.all(null));
            id = session[0].id();
            session[0].run();
            first.close();
            RepairSessionRow row = catalog.repairSessions(10).getFirst();
            assertThat(row.sessionId()).isEqualTo(id);
            assertThat(row.state()).as("a stopped session stays RUNNING, to be continued").isEqualTo(RepairSession.RUNNING);
            assertThat(row.vnodesDone()).isEqualTo(5);
            assertThat(row.vnodesTotal()).isEqualTo(VNODES);
            assertThat(row.finishedAt()).isNull();
            assertThat(catalog.repairCursor(id).orElseThrow().remainingVnodes()).isEqualTo("5-15");
            doneBefore = row.vnodesDone();
            streamedBefore = row.keysStreamed();
            assertThat(streamedBefore).isPositive();
        }

        // The node restarts on the same catalog: the scheduler's first tick continues the session.
        try (SystemCatalog catalog = SystemCatalog.open(dir.resolve("catalog"), c.time)) {
            Set<Integer> touched = new ConcurrentSkipListSet<>();
            try (RepairService second = service(c, catalog, settings, touched::add)) {
                second.tick();
                RepairSession resumed = second.session(id).orElseThrow();
                assertThat(resumed.await(30_000)).isTrue();
                assertThat(touched).as("only the vnodes it had not finished").containsExactlyElementsOf(range(doneBefore, VNODES));
                List<RepairService.SessionView> views = second.list(10, id);
                assertThat(views).hasSize(1);
                RepairSessionRow row = views.getFirst().row();
                assertThat(row.state()).isEqualTo(RepairSession.DONE);
                assertThat(row.vnodesDone()).isEqualTo(VNODES);
                assertThat(row.finishedAt()).isNotNull();
                assertThat(row.keysStreamed()).as("every key went to the two replicas that lacked it").isEqualTo(2L * KEYS);
                assertThat(row.keysCompared()).isGreaterThanOrEqualTo(2L * KEYS);
                assertThat(row.bytesStreamed()).isPositive();
                assertThat(views.getFirst().etaMillis()).isZero();
                assertThat(views.getFirst().vnodesFailed()).isZero();
                assertThat(catalog.vnodeRepairs("default")).hasSize(VNODES);
            }
        }
        Replicas.assertSameRecords(c, VNODES);
    }

    @Test
    void theProgressGaugesSumARunningKindAndKeepTheNewestSessionWhenNoneRuns() throws Exception {
        SimCluster c = new SimCluster(SEED, 3, VNODES, 3, Keyspaces.defaults(), CoordinatorSettings.DEFAULTS);
        RepairSettings settings = RepairSettings.DEFAULTS.withIntervalMillis(0).withConcurrentVnodes(1);
        try (SystemCatalog catalog = SystemCatalog.open(dir.resolve("catalog"), c.time)) {
            List<List<RepairTelemetry.RepairProgress>> atFifthVnode = new ArrayList<>();
            Set<Integer> started = new TreeSet<>();
            RepairService[] service = new RepairService[1];
            service[0] = service(c, catalog, settings, v -> {
                if (started.add(v) && started.size() == 5) {
                    atFifthVnode.add(service[0].progress());
                }
            });
            try (RepairService s = service[0]) {
                assertThat(s.progress()).as("no session since the start").isEmpty();
                s.runNow(RepairScope.all(null));
                assertThat(atFifthVnode).containsExactly(List.of(new RepairTelemetry.RepairProgress("on_demand", 4, VNODES)));
                assertThat(s.progress()).as("the finished session, until another starts")
                        .containsExactly(new RepairTelemetry.RepairProgress("on_demand", VNODES, VNODES));

                RepairSession three = s.prepare(RepairScope.ofVnode(null, 3));
                RepairSession five = s.prepare(RepairScope.ofVnode(null, 5));
                assertThat(s.progress()).as("two running sessions of one kind add up")
                        .containsExactly(new RepairTelemetry.RepairProgress("on_demand", 0, 2));
                three.run();
                assertThat(s.progress()).as("an ended session leaves the sum while another runs")
                        .containsExactly(new RepairTelemetry.RepairProgress("on_demand", 0, 1));
                five.run();
                assertThat(s.progress()).as("none runs: the newest one")
                        .containsExactly(new RepairTelemetry.RepairProgress("on_demand", 1, 1));
            }
        }
    }

    private static List<Integer> range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).boxed().toList();
    }

    @Test
    void theEtaFollowsThePaceSoFar() {
        java.time.Instant start = java.time.Instant.ofEpochMilli(1_000_000);
        RepairSessionRow row = new RepairSessionRow("s", "all", null, 100, 25, 0, 0, 0, start, start, null, "RUNNING");
        assertThat(RepairService.eta(row, 1_000_000 + 60_000)).as("a quarter in a minute: three more").isEqualTo(1_000_000 + 240_000);
        assertThat(RepairService.eta(new RepairSessionRow("s", "all", null, 100, 0, 0, 0, 0, start, start, null, "RUNNING"),
                2_000_000)).isZero();
        assertThat(RepairService.eta(new RepairSessionRow("s", "all", null, 100, 100, 0, 0, 0, start, start, start, "DONE"),
                2_000_000)).isZero();
    }

    @Test
    void vnodeRangesRoundTrip() {
        TreeSet<Integer> set = new TreeSet<>(List.of(0, 1, 2, 3, 7, 9, 10, 63));
        assertThat(VnodeRanges.encode(set)).isEqualTo("0-3,7,9-10,63");
        assertThat(VnodeRanges.decode("0-3,7,9-10,63")).isEqualTo(set);
        assertThat(VnodeRanges.encode(new TreeSet<>())).isEmpty();
        assertThat(VnodeRanges.decode("")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VnodeRanges.decode("5-2")).hasMessageContaining("5-2");
    }
}
