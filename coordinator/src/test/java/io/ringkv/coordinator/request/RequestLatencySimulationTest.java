package io.ringkv.coordinator.request;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.sim.SimCluster;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The client-request p99 a coordinator reports (what background repair pauses on), on a simulated
 * cluster whose every message takes 2 to 3 ms: writes count, refused requests do not, and requests
 * older than the window asked about no longer count.
 */
class RequestLatencySimulationTest {
    private static final long SEED = Long.getLong("ringkv.sim.seed", 20261205L);
    private static final int REQUESTS = 200;
    private static final long WINDOW_MILLIS = 60_000;

    @Test
    void putsThroughANodeSetItsRequestP99ButNotItsReplicaReadP99AndRefusedRequestsDoNotCount() {
        System.out.println("seed " + SEED);
        SimCluster c = SimCluster.threeNodes(SEED);
        c.network.setDelays(2_000, 3_000);
        Coordinator n1 = c.node("n1");
        assertThat(n1.recentRequestP99Micros(WINDOW_MILLIS)).as("no request yet").isEqualTo(-1);

        for (int i = 0; i < REQUESTS; i++) {
            CompletableFuture<PutOutcome> refused = n1.put(PutCommand.put("no-such-keyspace", "k" + i,
                    "v".getBytes(UTF_8), Consistency.DEFAULT, 0));
            assertThat(refused).isCompletedExceptionally();
        }
        assertThat(n1.recentRequestP99Micros(WINDOW_MILLIS)).as("requests refused as invalid are not foreground latency")
                .isEqualTo(-1);

        for (int i = 0; i < REQUESTS; i++) {
            c.await(n1.put(PutCommand.put("", "k" + i, "v".getBytes(UTF_8), Consistency.DEFAULT, 0))).join();
        }
        // W=2 of N=3: the local write and at least one round trip of two 2-3 ms messages.
        assertThat(n1.recentRequestP99Micros(WINDOW_MILLIS)).as("seed %d", SEED).isBetween(4_000L, 6_000L);
        assertThat(n1.recentReplicaP99Micros()).as("only replica reads feed that one").isEqualTo(-1);
    }

    @Test
    void aBurstOfSlowRequestsAgesOutOfTheWindowOnAnIdleNode() {
        System.out.println("seed " + SEED);
        SimCluster c = SimCluster.threeNodes(SEED);
        Coordinator n1 = c.node("n1");
        // Slow: every message takes 40-60 ms, so a W=2 put takes 80-120 ms.
        c.network.setDelays(40_000, 60_000);
        for (int i = 0; i < REQUESTS; i++) {
            c.await(n1.put(PutCommand.put("", "k" + i, "v".getBytes(UTF_8), Consistency.DEFAULT, 0))).join();
        }
        long slowP99 = n1.recentRequestP99Micros(WINDOW_MILLIS);
        assertThat(slowP99).as("seed %d", SEED).isBetween(80_000L, 120_000L);

        // The node goes idle: the burst counts until it is a whole window old, then not at all.
        c.time.runFor(WINDOW_MILLIS - 1);
        assertThat(n1.recentRequestP99Micros(WINDOW_MILLIS)).as("the last requests are still within the window")
                .isPositive();
        c.time.runFor(1);
        assertThat(n1.recentRequestP99Micros(WINDOW_MILLIS)).as("the newest request is now a window old").isEqualTo(-1);

        // Fast requests after the idle spell: the p99 is theirs alone, not held up by the old burst.
        c.network.setDelays(2_000, 3_000);
        for (int i = 0; i < REQUESTS; i++) {
            c.await(n1.put(PutCommand.put("", "k" + i, "v".getBytes(UTF_8), Consistency.DEFAULT, 0))).join();
        }
        assertThat(n1.recentRequestP99Micros(WINDOW_MILLIS)).as("seed %d", SEED).isBetween(4_000L, 6_000L);
    }
}
