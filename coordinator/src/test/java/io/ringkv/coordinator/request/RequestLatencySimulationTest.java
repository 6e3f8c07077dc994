package io.ringkv.coordinator.request;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.sim.SimCluster;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The client-request p99 a coordinator reports (what background repair pauses on), on a simulated
 * cluster whose every message takes 2 to 3 ms: writes count, refused requests do not.
 */
class RequestLatencySimulationTest {
    private static final long SEED = Long.getLong("ringkv.sim.seed", 20261205L);
    /** More than the tracker's recompute step (1024 / 8), so a p99 is known. */
    private static final int REQUESTS = 200;

    @Test
    void putsThroughANodeSetItsRequestP99ButNotItsReplicaReadP99AndRefusedRequestsDoNotCount() {
        System.out.println("seed " + SEED);
        SimCluster c = SimCluster.threeNodes(SEED);
        c.network.setDelays(2_000, 3_000);
        Coordinator n1 = c.node("n1");
        assertThat(n1.recentRequestP99Micros()).as("no request yet").isEqualTo(-1);

        for (int i = 0; i < REQUESTS; i++) {
            CompletableFuture<PutOutcome> refused = n1.put(PutCommand.put("no-such-keyspace", "k" + i,
                    "v".getBytes(UTF_8), Consistency.DEFAULT, 0));
            assertThat(refused).isCompletedExceptionally();
        }
        assertThat(n1.recentRequestP99Micros()).as("requests refused as invalid are not foreground latency")
                .isEqualTo(-1);

        for (int i = 0; i < REQUESTS; i++) {
            c.await(n1.put(PutCommand.put("", "k" + i, "v".getBytes(UTF_8), Consistency.DEFAULT, 0))).join();
        }
        // W=2 of N=3: the local write and at least one round trip of two 2-3 ms messages.
        assertThat(n1.recentRequestP99Micros()).as("seed %d", SEED).isBetween(4_000L, 6_000L);
        assertThat(n1.recentReplicaP99Micros()).as("only replica reads feed that one").isEqualTo(-1);
    }
}
