package io.ringkv.coordinator.request;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.keyspace.ConflictMode;
import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.sim.SimCluster;
import io.ringkv.coordinator.version.Sibling;
import io.ringkv.storage.Tokens;
import io.ringkv.storage.record.Record;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Quorum reads and writes on a simulated three-node cluster (seeded, virtual time). */
class QuorumSimulationTest {
    private static final long SEED = Long.getLong("ringkv.sim.seed", 20261204L);

    private static byte[] v(String s) {
        return s.getBytes(UTF_8);
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
        assertThat(f).as("%s", c).isCompletedExceptionally();
        try {
            f.get();
            throw new AssertionError("unreachable");
        } catch (ExecutionException e) {
            return (RequestFailure) e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The replicas of a key's vnode in ring order: the first is where a token-aware client sends it. */
    private static List<String> replicasOf(SimCluster c, String key) {
        return c.ring().replicas(c.ring().vnodeOf(Tokens.of(key))).stream().map(Node::id).toList();
    }

    @Test
    void classicWalkThroughN3W2WithOneReplicaDown() {
        SimCluster c = SimCluster.threeNodes(SEED);
        String key = "walk-through";
        List<String> replicas = replicasOf(c, key);
        String coordinator = replicas.get(0);
        String down = replicas.get(2);
        c.network.crash(down);

        PutOutcome put = ok(c, c.node(coordinator).put(PutCommand.put("", key, v("hello"), Consistency.DEFAULT, 0)));
        assertThat(put.acks()).as("acknowledged by W=2 replicas").isEqualTo(2);
        assertThat(c.replica(down).get("default", key)).as("the down replica missed the write").isNull();

        GetOutcome read = ok(c, c.node(replicas.get(1)).get(new GetCommand("", key, Consistency.DEFAULT, 0)));
        assertThat(read.found()).isTrue();
        assertThat(read.values()).extracting(Sibling::value).containsExactly(v("hello"));

        // The replica comes back; an R=3 read sees it stale and repairs it before answering.
        c.network.restart(down);
        GetOutcome all = ok(c, c.node(coordinator).get(new GetCommand("", key, Consistency.of(Consistency.Level.ALL), 0)));
        assertThat(all.values()).extracting(Sibling::value).containsExactly(v("hello"));
        Record repaired = c.replica(down).get("default", key);
        assertThat(repaired).as("read repair brought the write to the returning replica; %s", c).isNotNull();
        assertThat(repaired.value()).isEqualTo(v("hello"));
    }

    @Test
    void aReplicaThatNamedTheNewestVersionButFailsToReturnItIsReplacedByAnotherThatNamedIt() {
        SimCluster c = SimCluster.threeNodes(SEED);
        String key = "fetch-fallback";
        List<String> replicas = replicasOf(c, key);
        String coordinator = replicas.get(0);
        String first = replicas.get(1);
        String second = replicas.get(2);
        coordinatorMissesANewerWrite(c, key, replicas);

        // Reading at R=3 here: the local record is stale, the two digests name the newer version, and the
        // first of them (its answer arrives first) fails to return the record; the second one does.
        c.network.slowDown(second, 500);
        c.network.refuseFullReads(first, true);
        GetOutcome read = ok(c, c.node(coordinator).get(new GetCommand("", key, Consistency.of(Consistency.Level.ALL), 0)));
        assertThat(read.values()).extracting(Sibling::value).containsExactly(v("new"));

        // With both holders failing, the read fails and names the cause.
        c.time.runFor(10);
        c.network.refuseWrites(coordinator, true);
        ok(c, c.node(first).put(PutCommand.put("", key, v("newer"), Consistency.DEFAULT, 0)));
        c.network.refuseWrites(coordinator, false);
        c.network.refuseFullReads(second, true);
        RequestFailure f = failure(c, c.node(coordinator).get(new GetCommand("", key, Consistency.of(Consistency.Level.ALL), 0)));
        assertThat(f.code()).isEqualTo(RequestFailure.Code.UNAVAILABLE);
        assertThat(f.getMessage()).contains("named the newest version but did not return it").contains("fails full reads");
    }

    /** All three replicas hold "old"; then "new" reaches every replica but the first one (the coordinator). */
    private static void coordinatorMissesANewerWrite(SimCluster c, String key, List<String> replicas) {
        String coordinator = replicas.get(0);
        ok(c, c.node(coordinator).put(PutCommand.put("", key, v("old"), Consistency.of(Consistency.Level.ALL), 0)));
        c.time.runFor(10); // a later timestamp for the next write
        c.network.refuseWrites(coordinator, true);
        ok(c, c.node(replicas.get(1)).put(PutCommand.put("", key, v("new"), Consistency.DEFAULT, 0)));
        c.network.refuseWrites(coordinator, false);
        assertThat(c.replica(coordinator).get("default", key).value()).isEqualTo(v("old"));
    }

    @Test
    void whenTheOnlyReplicaThatNamedTheNewestFailsToReturnItAReplicaNotYetAskedIsFetched() {
        SimCluster c = SimCluster.threeNodes(SEED);
        String key = "fetch-unasked";
        List<String> replicas = replicasOf(c, key);
        String coordinator = replicas.get(0);
        String first = replicas.get(1);
        coordinatorMissesANewerWrite(c, key, replicas);

        // R=2 asks this node (stale) and the first replica, whose digest names the newer version but which
        // fails to return the record: the third replica, not asked yet, holds it.
        c.network.refuseFullReads(first, true);
        GetOutcome read = ok(c, c.node(coordinator).get(new GetCommand("", key, Consistency.DEFAULT, 0)));
        assertThat(read.values()).as("%s", c).extracting(Sibling::value).containsExactly(v("new"));
    }

    @Test
    void writeAtW3WithOneReplicaDownIsUnavailableAndSaysHowMany() {
        SimCluster c = SimCluster.threeNodes(SEED);
        String key = "needs-all";
        List<String> replicas = replicasOf(c, key);
        c.network.crash(replicas.get(2));
        RequestFailure f = failure(c, c.node(replicas.get(0)).put(
                PutCommand.put("", key, v("x"), Consistency.of(Consistency.Level.ALL), 0)));
        assertThat(f.code()).isEqualTo(RequestFailure.Code.UNAVAILABLE);
        assertThat(f.getMessage()).contains("1 of 3 acknowledged, 1 failed (W=3)").contains(replicas.get(2) + " (unreachable)");
    }

    @Test
    void deadReplicaIsSkippedWithoutWaitingForATimeout() {
        SimCluster c = SimCluster.threeNodes(SEED);
        List<String> replicas = replicasOf(c, "k0");
        String down = replicas.get(2);
        c.network.crash(down);
        // A few requests teach the failure detector; after that, W=3 writes fail before any timeout.
        for (int i = 0; i < 5; i++) {
            c.await(c.node(replicas.get(0)).put(PutCommand.put("", "k0", v("x"), Consistency.DEFAULT, 0)));
        }
        long before = c.time.monotonicMillis();
        RequestFailure f = failure(c, c.node(replicas.get(0)).put(
                PutCommand.put("", "k0", v("y"), Consistency.of(Consistency.Level.ALL), 0)));
        assertThat(f.getMessage()).contains("believed up");
        assertThat(c.time.monotonicMillis() - before).isZero();
    }

    @Test
    void partitionedCoordinatorCannotReachWriteQuorum() {
        SimCluster c = SimCluster.threeNodes(SEED);
        String key = "cut-off";
        List<String> replicas = replicasOf(c, key);
        String coordinator = replicas.get(0);
        c.network.partition(coordinator, replicas.get(1));
        c.network.partition(coordinator, replicas.get(2));
        RequestFailure f = failure(c, c.node(coordinator).put(PutCommand.put("", key, v("lonely"), Consistency.DEFAULT, 500)));
        assertThat(f.code()).isIn(RequestFailure.Code.DEADLINE_EXCEEDED, RequestFailure.Code.UNAVAILABLE);
        assertThat(f.getMessage()).contains("1 of 3");
        c.network.heal();
        ok(c, c.node(coordinator).put(PutCommand.put("", key, v("together"), Consistency.DEFAULT, 0)));
    }

    @Test
    void badInputIsInvalidArgumentWithAReason() {
        SimCluster c = SimCluster.threeNodes(SEED);
        Coordinator n = c.node("n1");
        assertThat(failure(c, n.put(PutCommand.put("", "", v("x"), Consistency.DEFAULT, 0))).getMessage()).contains("key is empty");
        assertThat(failure(c, n.put(PutCommand.put("", "k".repeat(1025), v("x"), Consistency.DEFAULT, 0))).getMessage())
                .contains("over the limit of 1024");
        assertThat(failure(c, n.put(PutCommand.put("nope", "k", v("x"), Consistency.DEFAULT, 0))).getMessage())
                .contains("unknown keyspace 'nope'");
        RequestFailure tooMany = failure(c, n.get(new GetCommand("", "k", Consistency.count(4), 0)));
        assertThat(tooMany.code()).isEqualTo(RequestFailure.Code.INVALID_ARGUMENT);
        assertThat(tooMany.getMessage()).isEqualTo("R=4 is more than the keyspace's N=3");
        assertThat(failure(c, n.put(PutCommand.put("", "k", new byte[16 * 1024 * 1024 + 1], Consistency.DEFAULT, 0))).code())
                .isEqualTo(RequestFailure.Code.INVALID_ARGUMENT);
    }

    @Test
    void deleteHidesTheValueAndTheTombstoneReplicates() {
        SimCluster c = SimCluster.threeNodes(SEED);
        String key = "to-delete";
        String coordinator = replicasOf(c, key).get(0);
        ok(c, c.node(coordinator).put(PutCommand.put("", key, v("v"), Consistency.of(Consistency.Level.ALL), 0)));
        ok(c, c.node(coordinator).put(PutCommand.delete("", key, Consistency.of(Consistency.Level.ALL), 0)));
        GetOutcome read = ok(c, c.node(coordinator).get(new GetCommand("", key, Consistency.DEFAULT, 0)));
        assertThat(read.found()).isFalse();
        for (String node : c.nodeIds()) {
            Record r = c.replica(node).get("default", key);
            if (r != null) {
                assertThat(r.tombstone()).isTrue();
            }
        }
    }

    @Test
    void speculativeRetryHedgesASlowReplica() {
        SimCluster c = SimCluster.threeNodes(SEED);
        String key = "hedged";
        List<String> replicas = replicasOf(c, key);
        String coordinator = replicas.get(0);
        ok(c, c.node(coordinator).put(PutCommand.put("", key, v("v"), Consistency.of(Consistency.Level.ALL), 0)));
        // Warm the latency tracker with fast reads.
        for (int i = 0; i < 200; i++) {
            ok(c, c.node(coordinator).get(new GetCommand("", key, Consistency.DEFAULT, 0)));
        }
        // The replica the coordinator asks second becomes very slow: the read must not wait for it.
        c.network.slowDown(replicas.get(1), 500_000);
        long before = c.time.monotonicNanos();
        GetOutcome read = ok(c, c.node(coordinator).get(new GetCommand("", key, Consistency.DEFAULT, 0)));
        long tookMicros = (c.time.monotonicNanos() - before) / 1_000;
        assertThat(read.values()).extracting(Sibling::value).containsExactly(v("v"));
        assertThat(tookMicros).as("read hedged to the third replica; %s", c).isLessThan(100_000);
    }

    @Test
    void causalKeyspaceKeepsConcurrentWritesAsSiblingsAndContextSupersedes() {
        Keyspaces keyspaces = Keyspaces.of(List.of(new Keyspace("carts", 3, 2, 2, ConflictMode.CAUSAL)));
        SimCluster c = new SimCluster(SEED, 3, 64, 3, keyspaces, CoordinatorSettings.DEFAULTS);
        String key = "cart:42";
        List<String> replicas = replicasOf(c, key);
        // Two clients write blind through different coordinators: neither saw the other.
        ok(c, c.node(replicas.get(0)).put(PutCommand.put("carts", key, v("apple"), Consistency.DEFAULT, 0)));
        ok(c, c.node(replicas.get(1)).put(PutCommand.put("carts", key, v("pear"), Consistency.DEFAULT, 0)));
        GetOutcome read = ok(c, c.node(replicas.get(0)).get(new GetCommand("carts", key, Consistency.of(Consistency.Level.ALL), 0)));
        assertThat(read.values()).extracting(s -> new String(s.value(), UTF_8)).containsExactlyInAnyOrder("apple", "pear");
        // The application merges and writes back with the context it read: one value remains.
        ok(c, c.node(replicas.get(2)).put(PutCommand.put("carts", key, v("apple+pear"), Consistency.DEFAULT, 0)
                .withContext(read.context())));
        GetOutcome merged = ok(c, c.node(replicas.get(0)).get(new GetCommand("carts", key, Consistency.of(Consistency.Level.ALL), 0)));
        assertThat(merged.values()).extracting(s -> new String(s.value(), UTF_8)).containsExactly("apple+pear");
    }

    @Test
    void conditionalPutsCheckAgainstAQuorumRead() {
        SimCluster c = SimCluster.threeNodes(SEED);
        String key = "cas";
        Coordinator n = c.node(replicasOf(c, key).getFirst());
        PutOutcome first = ok(c, n.putIf(PutCommand.put("", key, v("v1"), Consistency.DEFAULT, 0), new Condition(true, null)));
        RequestFailure exists = failure(c, n.putIf(PutCommand.put("", key, v("v2"), Consistency.DEFAULT, 0),
                new Condition(true, null)));
        assertThat(exists.code()).isEqualTo(RequestFailure.Code.FAILED_PRECONDITION);
        assertThat(exists.getMessage()).contains("if_absent");

        // if_match with the context of the value read succeeds once; the same stale context then fails.
        GetOutcome read = ok(c, n.get(new GetCommand("", key, Consistency.DEFAULT, 0)));
        assertThat(read.context()).isEqualTo(first.context());
        ok(c, n.putIf(PutCommand.put("", key, v("v3"), Consistency.DEFAULT, 0), new Condition(false, read.context())));
        RequestFailure stale = failure(c, n.putIf(PutCommand.put("", key, v("v4"), Consistency.DEFAULT, 0),
                new Condition(false, read.context())));
        assertThat(stale.code()).isEqualTo(RequestFailure.Code.FAILED_PRECONDITION);
        assertThat(ok(c, n.get(new GetCommand("", key, Consistency.DEFAULT, 0))).values())
                .extracting(Sibling::value).containsExactly(v("v3"));

        // Two conditional puts of one key through one node run one after the other: one wins.
        CompletableFuture<PutOutcome> a = n.putIf(PutCommand.put("", "race", v("a"), Consistency.DEFAULT, 0), new Condition(true, null));
        CompletableFuture<PutOutcome> b = n.putIf(PutCommand.put("", "race", v("b"), Consistency.DEFAULT, 0), new Condition(true, null));
        c.await(a);
        c.await(b);
        assertThat(List.of(a, b)).filteredOn(f -> !f.isCompletedExceptionally()).hasSize(1);
    }

    /**
     * Random writes through random coordinators over a lossy, jittery network. Invariant: a read at
     * QUORUM that succeeds returns the last acknowledged write of its key or a later one (R + W > N).
     */
    @Test
    void acknowledgedWritesAreReadBackDespiteDropsAndJitter() {
        for (long run = 0; run < 5; run++) {
            long seed = SEED + run;
            SimCluster c = SimCluster.threeNodes(seed);
            c.network.setDelays(50, 3_000);
            c.network.setDropRate(0.02);
            Random random = new Random(seed);
            Map<String, Long> lastAcked = new HashMap<>();
            int acked = 0;
            int verified = 0;
            for (int op = 0; op < 400; op++) {
                String key = "key-" + random.nextInt(20);
                String node = c.nodeIds().get(random.nextInt(3));
                if (random.nextBoolean()) {
                    long stamp = op;
                    CompletableFuture<PutOutcome> f = c.await(c.node(node).put(
                            PutCommand.put("", key, v(Long.toString(stamp)), Consistency.DEFAULT, 200)));
                    if (!f.isCompletedExceptionally()) {
                        lastAcked.put(key, stamp);
                        acked++;
                    }
                } else {
                    CompletableFuture<GetOutcome> f = c.await(c.node(node).get(
                            new GetCommand("", key, Consistency.DEFAULT, 200)));
                    Long expected = lastAcked.get(key);
                    if (!f.isCompletedExceptionally() && expected != null) {
                        GetOutcome read = f.join();
                        assertThat(read.found()).as("key %s; %s", key, c).isTrue();
                        long seen = Long.parseLong(new String(read.values().getFirst().value(), UTF_8));
                        assertThat(seen).as("read of %s went back in time; %s", key, c).isGreaterThanOrEqualTo(expected);
                        verified++;
                    }
                }
            }
            assertThat(acked).as("most writes succeed at 2%% loss; %s", c).isGreaterThan(100);
            assertThat(verified).as("%s", c).isGreaterThan(50);
        }
    }
}
