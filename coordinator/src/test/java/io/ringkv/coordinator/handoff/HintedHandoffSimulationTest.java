package io.ringkv.coordinator.handoff;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.keyspace.ConflictMode;
import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.request.CoordinatorSettings;
import io.ringkv.coordinator.request.PutCommand;
import io.ringkv.coordinator.request.PutOutcome;
import io.ringkv.coordinator.request.RequestFailure;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.sim.SimCluster;
import io.ringkv.storage.Tokens;
import io.ringkv.storage.record.Record;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Hinted handoff and sloppy quorum on a simulated cluster (seeded, virtual time; no read ever repairs here). */
class HintedHandoffSimulationTest {
    private static final long SEED = Long.getLong("ringkv.sim.seed", 20261205L);
    /** No read repair: whatever reaches a returning replica came by hint replay. */
    private static final CoordinatorSettings NO_READ_REPAIR = new CoordinatorSettings(2_000, 0, true, 1);
    private static final Keyspaces KEYSPACES = Keyspaces.of(List.of(
            new Keyspace("sessions", 3, 2, 2, ConflictMode.LWW, true),
            new Keyspace("strict", 3, 2, 2, ConflictMode.LWW, false)));

    private static SimCluster cluster(int nodes, HintSettings hints) {
        SimCluster c = new SimCluster(SEED, nodes, 64, 3, KEYSPACES, NO_READ_REPAIR, hints);
        System.out.println("hinted handoff simulation: " + c);
        // Let the first pings tell every node that every other one is up.
        c.time.runFor(1_000);
        return c;
    }

    private static List<String> replicasOf(SimCluster c, String key) {
        return c.ring().replicas(c.ring().vnodeOf(Tokens.of(key))).stream().map(Node::id).toList();
    }

    private static <T> T ok(SimCluster c, CompletableFuture<T> f) {
        try {
            return c.await(f).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("request failed: " + e.getCause() + "; " + c, e);
        }
    }

    private static RequestFailure failure(SimCluster c, CompletableFuture<?> f) {
        c.await(f);
        try {
            f.get();
            throw new AssertionError("expected a failure; " + c);
        } catch (ExecutionException e) {
            return (RequestFailure) e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] v(String s) {
        return s.getBytes(UTF_8);
    }

    private static PutCommand put(String keyspace, String key, String value) {
        return PutCommand.put(keyspace, key, v(value), Consistency.DEFAULT, 0);
    }

    @Test
    void aPartitionedReplicaGetsTheWriteByReplayWithoutAnyRead() {
        SimCluster c = cluster(3, SimCluster.HINTS);
        String key = "walk-through";
        List<String> replicas = replicasOf(c, key);
        String coordinator = replicas.get(0);
        String down = replicas.get(2);
        c.network.partition(coordinator, down);

        PutOutcome out = ok(c, c.node(coordinator).put(put("", key, "hello")));
        assertThat(out.acks()).as("W=2 met by the two reachable replicas; %s", c).isEqualTo(2);
        HintStore hints = c.handoff(coordinator).store();
        // The partitioned replica's write times out (2 s) and is hinted.
        assertThat(c.time.runUntil(() -> hints.pending(down) == 1, 5_000)).as("a hint is stored; %s", c).isTrue();
        assertThat(c.replica(down).get("default", key)).isNull();
        assertThat(hints.pending(replicas.get(1))).as("no hint for a replica that acknowledged").isZero();
        assertThat(hints.pending(coordinator)).as("never a hint to self").isZero();

        // Still partitioned: replay waits for the detector to see the target again.
        c.time.runFor(5_000);
        assertThat(hints.pending(down)).isEqualTo(1);

        c.network.heal();
        assertThat(c.time.runUntil(() -> hints.pending(down) == 0, 10_000)).as("replayed; %s", c).isTrue();
        Record delivered = c.replica(down).get("default", key);
        assertThat(delivered).as("the formerly partitioned replica holds the write; %s", c).isNotNull();
        assertThat(delivered.value()).isEqualTo(v("hello"));
        assertThat(hints.oldest(down, 10, Long.MAX_VALUE)).as("the hint is deleted").isEmpty();
        HintStats stats = hints.stats(down, 0);
        assertThat(stats.delivered()).isEqualTo(1);
        assertThat(stats.bytes()).isZero();
        assertThat(c.handoff(coordinator).snapshot()).extracting(HintStats::target).contains(down);
    }

    @Test
    void aHintIsKeptWhileTheTargetAnswersDeliveriesWithFailures() {
        SimCluster c = cluster(3, SimCluster.HINTS);
        String key = "kept";
        List<String> replicas = replicasOf(c, key);
        String coordinator = replicas.get(0);
        String down = replicas.get(2);
        c.network.partition(coordinator, down);
        ok(c, c.node(coordinator).put(put("", key, "v1")));
        HintStore hints = c.handoff(coordinator).store();
        assertThat(c.time.runUntil(() -> hints.pending(down) == 1, 5_000)).as("%s", c).isTrue();

        // The target is reachable again (pings answer) but fails every write.
        c.network.refuseWrites(down, true);
        c.network.heal();
        c.time.runFor(10_000);
        assertThat(hints.pending(down)).as("not deleted without an acknowledgement; %s", c).isEqualTo(1);
        assertThat(hints.stats(down, 0).delivered()).isZero();
        assertThat(c.replica(down).get("default", key)).isNull();
        assertThat(c.handoff(coordinator).replayer().share(down)).as("failures back the pacing off").isLessThan(1.0);

        c.network.refuseWrites(down, false);
        assertThat(c.time.runUntil(() -> hints.pending(down) == 0, 10_000)).as("%s", c).isTrue();
        assertThat(c.replica(down).get("default", key).value()).isEqualTo(v("v1"));
    }

    @Test
    void sloppyQuorumWritesThroughAFallbackAndReplayReachesBothPrimaries() {
        SimCluster c = cluster(5, SimCluster.HINTS);
        String key = "sloppy-key";
        List<String> primaries = replicasOf(c, key);
        String coordinator = primaries.get(0);
        c.network.crash(primaries.get(1));
        c.network.crash(primaries.get(2));
        // Pings teach the coordinator that both are down.
        c.time.runFor(2_000);
        assertThat(c.detector(coordinator).isAvailable(primaries.get(1))).isFalse();
        assertThat(c.detector(coordinator).isAvailable(primaries.get(2))).isFalse();

        RequestFailure strict = failure(c, c.node(coordinator).put(put("strict", key, "no")));
        assertThat(strict.code()).as("a strict keyspace counts only true replicas").isEqualTo(RequestFailure.Code.UNAVAILABLE);

        PutOutcome out = ok(c, c.node(coordinator).put(put("sessions", key, "yes")));
        assertThat(out.acks()).as("the live primary and a fallback; %s", c).isEqualTo(2);
        List<String> fallbacks = c.nodeIds().stream().filter(n -> !primaries.contains(n)).toList();
        long fallbackHints = fallbacks.stream().mapToLong(f -> c.handoff(f).store().pending(primaries.get(1))
                + c.handoff(f).store().pending(primaries.get(2))).sum();
        assertThat(fallbackHints).as("the fallbacks keep the write for the down primaries; %s", c).isEqualTo(2);
        for (String f : fallbacks) {
            assertThat(c.replica(f).get("sessions", key)).as("a fallback does not apply it to its data").isNull();
        }

        c.network.restart(primaries.get(1));
        c.network.restart(primaries.get(2));
        assertThat(c.time.runUntil(() -> c.replica(primaries.get(1)).get("sessions", key) != null
                && c.replica(primaries.get(2)).get("sessions", key) != null, 10_000)).as("%s", c).isTrue();
        assertThat(c.replica(primaries.get(1)).get("sessions", key).value()).isEqualTo(v("yes"));
        assertThat(c.replica(primaries.get(2)).get("sessions", key).value()).isEqualTo(v("yes"));
        c.time.runFor(1_000);
        for (String f : fallbacks) {
            assertThat(c.handoff(f).store().targetsWithHints()).as("delivered hints are gone; %s", c).isEmpty();
        }
        assertThat(c.replica(primaries.get(1)).get("strict", key)).as("the failed strict write left nothing").isNull();
    }

    @Test
    void aReplicaDownLongerThanTheHintWindowGetsNoNewHints() {
        long window = 5_000;
        SimCluster c = cluster(3, SimCluster.HINTS.withWindow(window));
        List<String> replicas = replicasOf(c, "w0");
        String coordinator = replicas.get(0);
        String down = replicas.get(2);
        c.network.crash(down);
        c.time.runFor(1_000);
        HintStore hints = c.handoff(coordinator).store();
        ok(c, c.node(coordinator).put(put("", "w0", "within")));
        assertThat(c.time.runUntil(() -> hints.pending(down) == 1, 5_000)).as("hinted within the window; %s", c).isTrue();

        c.time.runFor(window);
        assertThat(c.detector(coordinator).downForMillis(down)).isGreaterThan(window);
        ok(c, c.node(coordinator).put(put("", "w0", "after")));
        c.time.runFor(3_000);
        assertThat(hints.pending(down)).as("no new hint after the window; %s", c).isEqualTo(1);
        assertThat(hints.stats(down, 0).droppedWindow()).isEqualTo(1);
    }
}
