package io.ringkv.coordinator.repair;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.catalog.SystemCatalog;
import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.request.GetCommand;
import io.ringkv.coordinator.request.GetOutcome;
import io.ringkv.coordinator.request.PutCommand;
import io.ringkv.coordinator.request.PutOutcome;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.sim.SimCluster;
import io.ringkv.coordinator.version.Sibling;
import io.ringkv.observability.Telemetry;
import io.ringkv.storage.Tokens;
import io.ringkv.storage.record.Record;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resurrection scenario: a delete acknowledged by two of three replicas while the third is
 * down holding the old value. The tombstone must outlive gc_grace until a full repair has made
 * the delete win on the third replica too; purged earlier, the next repair would bring the value back.
 */
class TombstoneResurrectionTest {
    private static final long SEED = Long.getLong("ringkv.sim.seed", 20261204L);
    private static final long HOUR = 3_600_000L;
    /**
     * Shorter than the 10 d default so the simulation (pings every 200 ms of virtual time) stays quick;
     * longer than max_hint_window, as it must be in production too.
     */
    private static final long GC_GRACE = 6 * HOUR;
    /** A replica down this long gets no hints (max_hint_window is 3 h): only repair can bring it the delete. */
    private static final long DOWN_BEFORE_DELETE = 4 * HOUR;
    /** Long enough for the pings to see a restarted replica up again. */
    private static final long SEEN_UP = 2_000;
    private static final String KEY = "doomed";

    @TempDir
    Path dir;

    /** A three-node cluster where KEY was written everywhere, then deleted while its third replica was down. */
    private static final class Scenario {
        final SimCluster c = SimCluster.threeNodes(SEED);
        final List<String> replicas;
        final String orchestrator;
        final String down;
        final int vnode;
        final List<String[]> writesSeen = new ArrayList<>();

        Scenario() {
            vnode = c.ring().vnodeOf(Tokens.of(KEY));
            replicas = c.ring().replicas(vnode).stream().map(Node::id).toList();
            orchestrator = replicas.get(0);
            down = replicas.get(2);
            ok(c.node(orchestrator).put(PutCommand.put("", KEY, "old".getBytes(UTF_8), Consistency.of(Consistency.Level.ALL), 0)));
            c.network.crash(down);
            c.time.runFor(DOWN_BEFORE_DELETE);
            PutOutcome del = ok(c.node(orchestrator).put(PutCommand.delete("", KEY, Consistency.DEFAULT, 0)));
            assertThat(del.acks()).isEqualTo(2);
            assertThat(c.replica(down).get("default", KEY).tombstone()).as("the down replica holds the old value").isFalse();
            assertThat(c.replica(orchestrator).get("default", KEY).tombstone()).isTrue();
        }

        <T> T ok(CompletableFuture<T> f) {
            return c.await(f).join();
        }

        RepairService service(SystemCatalog catalog) {
            return new RepairService(orchestrator, RepairSettings.DEFAULTS.withIntervalMillis(0).withGcGraceMillis(GC_GRACE), () -> Optional.of(c.ring()),
                    io.ringkv.coordinator.keyspace.Keyspaces.defaults(), c.localRepairPeer(orchestrator), id -> recording(id),
                    catalog, c.time, c.time, nanos -> { }, windowMillis -> -1, Telemetry.disabled().repair());
        }

        /** The peer of {@code id}, noting every record written to it. */
        private RepairPeer recording(String id) {
            RepairPeer inner = c.repairPeer(orchestrator, id);
            return new TreeExchangeTest.CountingPeer(inner) {
                @Override
                public void write(String keyspace, byte[] storedKey, Record record) {
                    writesSeen.add(new String[] {id, record.tombstone() ? "tombstone" : "value"});
                    super.write(keyspace, storedKey, record);
                }
            };
        }

        Record held(String node) {
            return c.replica(node).get("default", KEY);
        }

        GetOutcome readAll() {
            return ok(c.node(orchestrator).get(new GetCommand("", KEY, Consistency.of(Consistency.Level.ALL), 0)));
        }
    }

    @Test
    void theTombstoneOutlivesGcGraceUntilAFullRepairThenGoesEverywhereAndTheValueNeverReturns() {
        Scenario s = new Scenario();
        try (SystemCatalog catalog = SystemCatalog.open(dir.resolve("catalog"), s.c.time);
             RepairService service = s.service(catalog)) {
            long deletedAt = s.held(s.orchestrator).writeTimeMillis();

            // Before gc_grace: too young, whatever the repairs.
            assertThat(s.c.handoff(s.orchestrator).snapshot()).as("no hint: the replica was down too long")
                    .allSatisfy(h -> assertThat(h.pending()).isZero());
            s.c.time.runFor(GC_GRACE / 2);
            assertThat(TombstoneGc.verdict(deletedAt, s.c.time.wallMillis(), GC_GRACE, OptionalLong.empty()))
                    .isEqualTo(TombstoneGc.Verdict.TOO_YOUNG);

            // After gc_grace, with the third replica still down: a repair cannot be full, so nothing is purged.
            s.c.time.runFor(GC_GRACE);
            RepairSession partial = service.runNow(RepairScope.ofVnode("default", s.vnode));
            assertThat(partial.row().state()).isEqualTo(RepairSession.FAILED);
            assertThat(catalog.vnodeRepairs("default")).as("a partial repair is not a full one").doesNotContainKey(s.vnode);
            assertThat(TombstoneGc.verdict(deletedAt, s.c.time.wallMillis(), GC_GRACE, OptionalLong.empty()))
                    .as("the guard refuses: no full repair since the delete").isEqualTo(TombstoneGc.Verdict.NOT_REPAIRED_SINCE);
            assertThat(service.collectTombstones("default", s.vnode)).isZero();
            assertThat(s.held(s.replicas.get(0)).tombstone()).isTrue();
            assertThat(s.held(s.replicas.get(1)).tombstone()).isTrue();

            // The third replica returns; the repair makes the delete win there, and being full, collects the tombstone.
            s.c.network.restart(s.down);
            s.c.time.runFor(SEEN_UP);
            s.writesSeen.clear();
            RepairSession full = service.runNow(RepairScope.ofVnode("default", s.vnode));
            assertThat(full.row().state()).isEqualTo(RepairSession.DONE);
            assertThat(s.writesSeen).as("the tombstone, never the value, was streamed, to the returning replica")
                    .containsExactly(new String[] {s.down, "tombstone"});
            assertThat(catalog.vnodeRepairs("default")).containsKey(s.vnode);
            for (String r : s.replicas) {
                assertThat(s.held(r)).as("purged on %s", r).isNull();
            }
            assertThat(s.readAll().found()).isFalse();

            // Further repairs and reads never bring the value back.
            RepairSession again = service.runNow(RepairScope.ofVnode("default", s.vnode));
            assertThat(again.row().keysStreamed()).isZero();
            assertThat(s.readAll().found()).isFalse();
            for (String r : s.replicas) {
                assertThat(s.held(r)).isNull();
            }
        }
    }

    @Test
    void purgingWithoutTheGuardWouldResurrectTheDeletedValue() {
        Scenario s = new Scenario();
        try (SystemCatalog catalog = SystemCatalog.open(dir.resolve("catalog"), s.c.time);
             RepairService service = s.service(catalog)) {
            s.c.time.runFor(GC_GRACE + HOUR);
            // What a collector without the full-repair guard would do: purge where the tombstone is, now.
            TreeSpec spec = new TreeSpec("default", s.vnode, s.c.ring().vnodeCount(), RepairSettings.DEFAULTS.merkleDepth());
            for (String r : s.replicas.subList(0, 2)) {
                RepairPeer peer = s.c.repairPeer(s.orchestrator, r);
                assertThat(peer.purge("default", peer.tombstones(spec, s.c.time.wallMillis()))).isEqualTo(1);
            }
            s.c.network.restart(s.down);
            s.c.time.runFor(SEEN_UP);
            service.runNow(RepairScope.ofVnode("default", s.vnode));
            GetOutcome read = s.readAll();
            assertThat(read.found()).as("the deleted value came back").isTrue();
            assertThat(read.values()).extracting(Sibling::value).containsExactly("old".getBytes(UTF_8));
        }
    }
}
