package io.ringkv.coordinator.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.GetNodeInfoRequest;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.ListNodesRequest;
import io.ringkv.api.v1.NodeInfo;
import io.ringkv.api.v1.RingNode;
import io.ringkv.api.v1.RingView;
import io.ringkv.client.Consistency;
import io.ringkv.client.GetResult;
import io.ringkv.client.PutOptions;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.coordinator.cli.Main;
import io.ringkv.coordinator.membership.ConsulSettings;
import io.ringkv.coordinator.membership.LocalConsulAgent;
import io.ringkv.coordinator.membership.RingCodec;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Ring;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringkv node} processes with Consul membership against a real {@code consul agent -dev}
 * (all on 127.0.0.1, free ports), one cluster shared by five ordered scenarios:
 * <ol>
 *   <li>three nodes form the first ring (epoch 1) with exactly one leader;</li>
 *   <li>the leader is SIGKILLed under client load: another node takes the lock once Consul has
 *       expired the dead session and the lock delay has passed, the ring is not touched, reads and
 *       writes go on; the old leader comes back as a follower;</li>
 *   <li>a fourth node registers: the leader adds it as JOINING without vnodes (epoch + 1);</li>
 *   <li>the leader is frozen with SIGSTOP (a long GC pause) until another node leads and has
 *       published a new epoch, then thawed: it steps down, writes nothing, and every node converges
 *       on the new leader's ring;</li>
 *   <li>the agent stops: nodes keep serving with their ring and say membership is unreachable; it
 *       comes back empty (dev mode): nodes register again, the leader restores the same ring, and
 *       the ring watches work again (a sixth node's epoch reaches every node).</li>
 * </ol>
 * Each scenario first brings the cluster back to a converged state (restarting or thawing a node,
 * starting the agent) so that one failing scenario does not take the later ones down with it. The
 * load's keys and values come from a printed seed ({@code -Dringkv.process.seed=...}); the timing
 * of a real cluster is not replayable. Measured numbers are printed at the end. Every process is
 * killed in {@link #stopAll()} (and by a shutdown hook if the JVM dies first).
 *
 * <p>The nodes run with {@link ConsulSettings#defaults}: session TTL 10 s, check TTL 10 s, lock
 * delay 5 s, renewal and check passes every third of a TTL. The leader's session is tied to its
 * node's TTL check, so when the leader dies Consul invalidates the session once that check goes
 * critical (one check TTL after the last pass, at most 10 s after the death) rather than after up to
 * twice the session TTL; then the lock is refused for the lock delay, and a candidate asks again at
 * least once per renewal period: at most 10 + 5 + 3.3 = 18.3 s. {@link #FAILOVER_BOUND} is what the
 * issue asks for, two session TTLs.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ConsulClusterProcessTest {
    private static final long SEED = Long.getLong("ringkv.process.seed", 20261205L);
    private static final String CLUSTER = "mp" + Long.toUnsignedString(SEED % 1_000_000);
    /** What every node runs with (NodeServer uses the defaults). */
    private static final ConsulSettings NODE_CONSUL = ConsulSettings.defaults("127.0.0.1", 8500, CLUSTER);
    private static final Duration SESSION_TTL = Duration.ofMillis(NODE_CONSUL.sessionTtlMillis());
    private static final Duration LOCK_DELAY = Duration.ofMillis(NODE_CONSUL.lockDelayMillis());
    private static final Duration RENEW_EVERY = SESSION_TTL.dividedBy(3);
    /** A new leader within two session TTLs of the old one's death; see the class comment. */
    private static final Duration FAILOVER_BOUND = SESSION_TTL.multipliedBy(2);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(30);
    /** Nodes notice an unreachable agent at their next request: a heartbeat every check TTL / 3 at most. */
    private static final Duration UNREACHABLE_NOTICED = Duration.ofMillis(NODE_CONSUL.checkTtlMillis() / 3)
            .plus(Duration.ofMillis(NODE_CONSUL.requestTimeoutMillis())).plusSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int LOAD_THREADS = 4;
    private static final int LOAD_KEYS_PER_THREAD = 200;
    private static final int LOAD_MAX_OPS_PER_THREAD = 200_000;
    private static final Duration LOAD_LIMIT = Duration.ofSeconds(90);
    /** Failed operations allowed while the leader dies: each thread's request in flight at the kill, twice over. */
    private static final int MAX_FAILED_OPS_IN_FAILOVER = 2 * LOAD_THREADS;
    private static final Duration AFTER_FAILOVER_LOAD = Duration.ofSeconds(3);
    private static final int LOG_TAIL_LINES = 60;
    private static final List<String> NODE_JVM = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Node data and logs; kept when a scenario fails, for the whole logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private LocalConsulAgent agent;
    private ProcessCluster cluster;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private RingkvClient client;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    /** Measured numbers, printed at the end. */
    private final Map<String, String> results = new LinkedHashMap<>();
    private long loadRuns;

    @BeforeAll
    void startCluster() throws Exception {
        System.out.println("ConsulClusterProcessTest seed=" + SEED + " (replay the load's keys and values with"
                + " -Dringkv.process.seed=" + SEED + "), cluster " + CLUSTER + ", data and logs in " + dir);
        agent = LocalConsulAgent.start();
        System.out.println("ConsulClusterProcessTest: consul agent on " + agent.httpAddress());
        cluster = new ProcessCluster("ConsulClusterProcessTest", dir, NODE_JVM);
        for (int i = 1; i <= 3; i++) {
            nodes.add(cluster.node("n" + i, "rack" + i));
        }
        long t = System.nanoTime();
        for (NodeProcess n : nodes) {
            n.start(consulFlags());
        }
        for (NodeProcess n : nodes) {
            n.awaitHealthy(HEALTH_TIMEOUT);
        }
        report("start", t, "3 nodes serve a ring");
        client = RingkvClient.builder().seeds(nodes.stream().map(NodeProcess::address).toList())
                .requestTimeout(REQUEST_TIMEOUT).build();
    }

    @AfterAll
    void stopAll() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (agent != null) {
            agent.stop();
        }
        System.out.println("ConsulClusterProcessTest summary (seed " + SEED + ", session TTL " + SESSION_TTL.toMillis()
                + " ms, lock delay " + LOCK_DELAY.toMillis() + " ms):");
        results.forEach((k, v) -> System.out.printf("  %-44s %s%n", k, v));
    }

    private List<String> consulFlags() {
        return List.of("--membership", "consul", "--consul-url", "http://" + agent.httpAddress(), "--cluster", CLUSTER,
                "--min-nodes", "3");
    }

    // ---- 1. formation ----

    @Test
    @Order(1)
    void threeNodesFormTheFirstRingWithOneLeader() throws Throwable {
        scenario("formation", () -> {
            Converged c = awaitConverged("the first ring");
            assertThat(c.epoch()).as("the first ring's epoch").isEqualTo(1);

            JsonNode status = cliStatus(nodes.getFirst());
            List<JsonNode> listed = elements(status.get("nodes"));
            assertThat(listed).extracting(n -> n.get("id").asText()).containsExactlyInAnyOrder("n1", "n2", "n3");
            assertThat(listed).allSatisfy(n -> {
                assertThat(n.get("state").asText()).isEqualTo("active");
                assertThat(n.get("healthy").asBoolean()).isTrue();
                assertThat(n.get("ring_epoch").asLong()).isEqualTo(1);
                assertThat(n.get("membership").asText()).isEqualTo("consul");
                assertThat(n.get("membership_reachable").asBoolean()).isTrue();
            });
            assertThat(listed).filteredOn(n -> n.get("leader").asBoolean()).extracting(n -> n.get("id").asText())
                    .as("ringkv status names exactly one leader").containsExactly(c.leader());

            for (NodeProcess n : nodes) {
                String body = n.healthz().orElseThrow().body().trim();
                assertThat(body).isEqualTo("ok ring_epoch=1 membership=consul reachable=true leader="
                        + n.id.equals(c.leader()));
            }
            RingView ring = ringView(nodes.getFirst());
            assertThat(ring.getNodesList()).extracting(RingNode::getId).containsExactlyInAnyOrder("n1", "n2", "n3");
            assertThat(replicaCounts(ring).values()).allSatisfy(count -> assertThat(count).isPositive());
            StoredRing stored = consulRing().orElseThrow();
            assertThat(stored.ring().epoch()).isEqualTo(1);
            assertThat(stored.ring().activeNodes()).hasSize(3);

            LoadResult smoke = runLoad("smoke", Duration.ofSeconds(2));
            assertThat(smoke.failed()).as("failed operations: %s", smoke.errors()).isZero();
            assertThat(smoke.ok()).isPositive();
            results.put("formation: leader", c.leader() + " at epoch " + c.epoch());
        });
    }

    // ---- 2. failover ----

    @Test
    @Order(2)
    void leaderSigkillFailsOverWithinTheSessionBoundAndTheRingStaysPut() throws Throwable {
        scenario("failover", () -> {
            Converged before = ensureConverged();
            NodeProcess oldLeader = node(before.leader());
            List<NodeProcess> survivors = running().stream().filter(n -> n != oldLeader).toList();
            RingView ringBefore = ringView(survivors.getFirst());
            StoredRing storedBefore = consulRing().orElseThrow();

            Load load = new Load(client, SEED + (++loadRuns), "failover");
            try {
                Thread.sleep(2_000);
                assertThat(load.result(0, System.nanoTime()).ok()).as("operations before the kill").isPositive();
                long killedAt = System.nanoTime();
                oldLeader.kill();
                report("kill leader", killedAt, oldLeader.id + " SIGKILLed under load");

                String newLeader = null;
                long deadline = killedAt + FAILOVER_BOUND.plusSeconds(10).toNanos();
                while (newLeader == null && System.nanoTime() < deadline) {
                    newLeader = statusLeaders(survivors.getFirst()).stream().filter(id -> !id.equals(oldLeader.id))
                            .findFirst().orElse(null);
                    if (newLeader == null) {
                        Thread.sleep(POLL.toMillis());
                    }
                }
                long leaderAt = System.nanoTime();
                long failoverMillis = TimeUnit.NANOSECONDS.toMillis(leaderAt - killedAt);
                report("failover", killedAt, "new leader " + newLeader + " visible in status " + failoverMillis
                        + " ms after the kill (bound " + FAILOVER_BOUND.toMillis() + " ms)");
                assertThat(newLeader).as("a new leader within %s ms", FAILOVER_BOUND.plusSeconds(10).toMillis())
                        .isNotNull();
                results.put("failover: kill -> new leader in status", failoverMillis + " ms (" + oldLeader.id + " -> "
                        + newLeader + "; bound " + FAILOVER_BOUND.toMillis() + " ms)");
                assertThat(Duration.ofMillis(failoverMillis)).as("failover time").isLessThanOrEqualTo(FAILOVER_BOUND);

                Thread.sleep(AFTER_FAILOVER_LOAD.toMillis());
                LoadResult all = load.stop();
                LoadResult beforeKill = load.result(0, killedAt);
                LoadResult during = load.result(killedAt, leaderAt);
                LoadResult after = load.resultStartedAfter(leaderAt);
                report("load around the failover", killedAt, "before the kill " + beforeKill + "; kill to new leader "
                        + during + "; after " + after + "; in all " + all);
                results.put("failover: failed ops kill -> new leader", during.failed() + " of " + (during.ok()
                        + during.failed()) + " (" + all.failed() + " failed of " + (all.ok() + all.failed())
                        + " in the whole run)");
                assertThat(all.wrongReads()).as("reads that missed the value just written: %s", all.errors()).isZero();
                assertThat(during.failed()).as("failed operations during the failover: %s", during.errors())
                        .isLessThanOrEqualTo(MAX_FAILED_OPS_IN_FAILOVER);
                assertThat(during.ok()).as("operations served during the failover").isPositive();
                assertThat(after.ok()).as("operations after the failover").isPositive();
                assertThat(after.failed()).as("failed operations after the failover: %s", after.errors()).isZero();
            } finally {
                load.stop();
            }

            for (NodeProcess n : survivors) {
                RingView now = ringView(n);
                assertThat(now).as("the ring %s serves after the failover", n.id).isEqualTo(ringBefore);
            }
            StoredRing storedAfter = consulRing().orElseThrow();
            assertThat(storedAfter.modifyIndex()).as("nobody rewrote the ring key").isEqualTo(storedBefore.modifyIndex());
            assertThat(storedAfter.ring()).isEqualTo(storedBefore.ring());

            long t = System.nanoTime();
            oldLeader.start(consulFlags());
            oldLeader.awaitHealthy(HEALTH_TIMEOUT);
            Converged rejoined = awaitConverged("the old leader rejoined");
            report("restart old leader", t, oldLeader.id + " back as a follower of " + rejoined.leader() + " at epoch "
                    + rejoined.epoch());
            assertThat(rejoined.leader()).isNotEqualTo(oldLeader.id);
            assertThat(rejoined.epoch()).isEqualTo(before.epoch());
            NodeInfo info = nodeInfo(oldLeader).orElseThrow();
            assertThat(info.getLeader()).isFalse();
            assertThat(info.getRingEpoch()).isEqualTo(before.epoch());
            JsonNode status = cliStatus(oldLeader);
            assertThat(elements(status.get("nodes"))).filteredOn(n -> n.get("leader").asBoolean())
                    .extracting(n -> n.get("id").asText()).containsExactly(rejoined.leader());
            assertThat(elements(status.get("nodes"))).allSatisfy(n -> {
                assertThat(n.get("ring_epoch").asLong()).isEqualTo(before.epoch());
                assertThat(n.get("healthy").asBoolean()).isTrue();
            });
            assertThat(ringView(oldLeader)).isEqualTo(ringBefore);
        });
    }

    // ---- 3. a fourth node ----

    @Test
    @Order(3)
    void aFourthNodeRegistersAsJoiningWithoutVnodes() throws Throwable {
        scenario("join", () -> {
            Converged before = ensureConverged();
            RingView ringBefore = ringView(node(before.leader()));
            NodeProcess n4 = nodes.stream().filter(n -> n.id.equals("n4")).findFirst().orElse(null);
            if (n4 == null) {
                n4 = cluster.node("n4", "rack1");
                nodes.add(n4);
            }
            Load load = new Load(client, SEED + (++loadRuns), "join");
            long t = System.nanoTime();
            try {
                n4.start(consulFlags());
                n4.awaitHealthy(HEALTH_TIMEOUT);
                Converged after = awaitConverged("n4 registered", c -> c.epoch() == before.epoch() + 1);
                report("register n4", t, "every node at epoch " + after.epoch() + ", leader " + after.leader());
                results.put("join: n4 start -> epoch " + after.epoch() + " everywhere", millisSince(t) + " ms");
                Thread.sleep(1_000);
            } finally {
                load.stop();
            }
            LoadResult during = load.result(0, System.nanoTime());
            report("load while n4 joined", t, during.toString());
            assertThat(during.failed()).as("failed operations: %s", during.errors()).isZero();
            assertThat(during.wrongReads()).isZero();
            assertThat(during.ok()).isPositive();

            JsonNode status = cliStatus(nodes.getFirst());
            Map<String, String> states = elements(status.get("nodes")).stream()
                    .collect(Collectors.toMap(n -> n.get("id").asText(), n -> n.get("state").asText()));
            assertThat(states).containsEntry("n4", "joining").containsEntry("n1", "active").containsEntry("n2", "active")
                    .containsEntry("n3", "active");

            RingView ring = ringView(n4);
            assertThat(ring.getEpoch()).isEqualTo(before.epoch() + 1);
            assertThat(ring.getNodesList()).filteredOn(n -> n.getId().equals("n4"))
                    .singleElement().extracting(RingNode::getState).isEqualTo(io.ringkv.api.v1.NodeState.JOINING);
            assertThat(replicaCounts(ring)).containsEntry("n4", 0);
            assertThat(ring.getAssignmentsList()).as("no vnode moved").isEqualTo(ringBefore.getAssignmentsList());
            JsonNode cliRing = cli("ring", "--json", "--endpoint", nodes.getFirst().address());
            assertThat(cliRing.get("epoch").asLong()).isEqualTo(before.epoch() + 1);
            assertThat(elements(cliRing.get("nodes"))).filteredOn(n -> n.get("id").asText().equals("n4"))
                    .singleElement().satisfies(n -> {
                        assertThat(n.get("vnode_replicas").asInt()).isZero();
                        assertThat(n.get("state").asText()).isEqualTo("joining");
                    });
            StoredRing stored = consulRing().orElseThrow();
            assertThat(stored.ring().epoch()).isEqualTo(before.epoch() + 1);
            assertThat(stored.ring().node("n4").orElseThrow().state()).isEqualTo(NodeState.JOINING);
            assertThat(client.refreshRing().epoch()).isEqualTo(before.epoch() + 1);
        });
    }

    // ---- 4. a deposed leader ----

    @Test
    @Order(4)
    void aFrozenLeaderIsDeposedAndStepsDownWhenItThaws() throws Throwable {
        scenario("deposed leader", () -> {
            Converged before = ensureConverged();
            NodeProcess frozen = node(before.leader());
            List<NodeProcess> others = running().stream().filter(n -> n != frozen).toList();
            NodeProcess n5 = nodes.stream().filter(n -> n.id.equals("n5")).findFirst().orElse(null);
            if (n5 == null) {
                n5 = cluster.node("n5", "rack2");
                nodes.add(n5);
            }

            long frozenAt = System.nanoTime();
            frozen.suspend();
            report("freeze leader", frozenAt, frozen.id + " (pid " + frozen.pid() + ") SIGSTOPped");
            // A fifth node registers meanwhile; only a leader that is not frozen can publish it.
            n5.start(consulFlags());
            n5.awaitHealthy(HEALTH_TIMEOUT);
            List<NodeProcess> thawed = new ArrayList<>(others);
            thawed.add(n5);
            String newLeader = awaitLeader(thawed, frozenAt + FAILOVER_BOUND.plusSeconds(10).toNanos());
            long takeoverMillis = millisSince(frozenAt);
            report("takeover", frozenAt, newLeader + " leads " + takeoverMillis + " ms after the freeze");
            results.put("deposed: freeze -> new leader", takeoverMillis + " ms (" + frozen.id + " -> " + newLeader + ")");
            assertThat(Duration.ofMillis(takeoverMillis)).isLessThanOrEqualTo(FAILOVER_BOUND);

            long newEpoch = before.epoch() + 1;
            await("the new leader publishes n5").atMost(CONVERGE_TIMEOUT).pollInterval(POLL)
                    .until(() -> consulRing().map(s -> s.ring().epoch() == newEpoch
                            && s.ring().node("n5").isPresent()).orElse(false));
            StoredRing published = consulRing().orElseThrow();
            assertThat(published.ring().node("n5").orElseThrow().state()).isEqualTo(NodeState.JOINING);
            assertThat(node(newLeader).logSince("started as pid")).as("%s's log", newLeader)
                    .anyMatch(l -> l.contains("published ring epoch " + newEpoch));
            // The takeover (tied to the node's check) can come before a session TTL + lock delay have
            // passed; the pause being staged is one longer than that, so keep the old leader frozen.
            long minimumFreezeMillis = SESSION_TTL.plus(LOCK_DELAY).plusSeconds(1).toMillis();
            long frozenSoFar = millisSince(frozenAt);
            if (frozenSoFar < minimumFreezeMillis) {
                Thread.sleep(minimumFreezeMillis - frozenSoFar);
            }
            long frozenMillis = millisSince(frozenAt);
            assertThat(Duration.ofMillis(frozenMillis)).as("frozen for longer than session TTL + lock delay")
                    .isGreaterThan(SESSION_TTL.plus(LOCK_DELAY));

            long thawedAt = System.nanoTime();
            frozen.resume();
            report("thaw old leader", frozenAt, frozen.id + " SIGCONTed after " + frozenMillis + " ms frozen");
            await(frozen.id + " steps down").atMost(CONVERGE_TIMEOUT).pollInterval(POLL)
                    .until(() -> nodeInfo(frozen).map(i -> !i.getLeader()).orElse(false));
            long stepDownMillis = millisSince(thawedAt);
            Converged after = awaitConverged("every node on the new leader's ring",
                    c -> c.epoch() == newEpoch && c.leader().equals(newLeader));
            report("converged", thawedAt, frozen.id + " answered leader=false " + stepDownMillis
                    + " ms after SIGCONT; every node at epoch " + after.epoch() + ", one leader " + after.leader());
            results.put("deposed: SIGCONT -> old leader says leader=false", stepDownMillis + " ms");
            // Give a stale publish every chance to land before looking at the key.
            Thread.sleep(2_000);
            StoredRing stored = consulRing().orElseThrow();
            assertThat(stored.modifyIndex()).as("the ring key holds the new leader's write only")
                    .isEqualTo(published.modifyIndex());
            assertThat(stored.ring()).isEqualTo(published.ring());
            for (NodeProcess n : running()) {
                NodeInfo info = nodeInfo(n).orElseThrow();
                assertThat(info.getRingEpoch()).as("%s's epoch", n.id).isEqualTo(newEpoch);
                assertThat(info.getLeader()).as("%s leads", n.id).isEqualTo(n.id.equals(newLeader));
            }

            List<String> thawLog = frozen.logSince("SIGCONT");
            assertThat(thawLog).as("%s's log after SIGCONT", frozen.id)
                    .anyMatch(l -> l.contains(frozen.id + " is no longer the leader of cluster " + CLUSTER))
                    .noneMatch(l -> l.contains("published ring epoch"));
            List<String> refused = thawLog.stream().filter(l -> l.contains("publishing ring epoch")
                    && l.contains("was refused")).toList();
            String stepDown = thawLog.stream().filter(l -> l.contains("is no longer the leader")).findFirst()
                    .orElseThrow();
            if (refused.isEmpty()) {
                results.put("deposed: old leader's publish attempt", "none (it stepped down first: "
                        + stepDown.substring(stepDown.indexOf(frozen.id + " is no longer")) + ")");
            } else {
                assertThat(refused).allSatisfy(l -> assertThat(l).contains("this node no longer leads"));
                results.put("deposed: old leader's publish attempt", "refused by check-and-set: " + refused.getFirst());
            }
            System.out.println("ConsulClusterProcessTest: " + frozen.id + " after SIGCONT: " + stepDown
                    + (refused.isEmpty() ? "" : "\n  " + String.join("\n  ", refused)));

            LoadResult afterThaw = runLoad("after thaw", Duration.ofSeconds(2));
            assertThat(afterThaw.failed()).as("failed operations: %s", afterThaw.errors()).isZero();
            assertThat(afterThaw.ok()).isPositive();
        });
    }

    // ---- 5. Consul outage ----

    @Test
    @Order(5)
    void nodesRideOutAConsulOutageAndTheLeaderRestoresTheRing() throws Throwable {
        scenario("consul outage", () -> {
            Converged before = ensureConverged();
            StoredRing storedBefore = consulRing().orElseThrow();
            RingView ringBefore = ringView(node(before.leader()));
            List<NodeProcess> live = running();

            Load load = new Load(client, SEED + (++loadRuns), "outage");
            long stoppedAt;
            try {
                Thread.sleep(1_000);
                stoppedAt = System.nanoTime();
                agent.stop();
                report("stop consul", stoppedAt, "agent on " + agent.httpAddress() + " stopped");
                await("every node says Consul is unreachable").atMost(UNREACHABLE_NOTICED).pollInterval(POLL)
                        .until(() -> live.stream().allMatch(n -> nodeInfo(n).map(i -> !i.getMembershipReachable())
                                .orElse(false)));
                long detectMillis = millisSince(stoppedAt);
                report("outage noticed", stoppedAt, "every node reports membership_reachable=false");
                results.put("outage: stop -> every node unreachable=false", detectMillis + " ms (bound "
                        + UNREACHABLE_NOTICED.toMillis() + " ms)");
                // A leader that cannot renew its session for a whole TTL stops leading: nobody leads in the dark.
                await("no node leads without Consul").atMost(SESSION_TTL.plus(Duration.ofMillis(
                                NODE_CONSUL.backoffMaxMillis())).plusSeconds(3)).pollInterval(POLL)
                        .until(() -> live.stream().noneMatch(n -> nodeInfo(n).map(NodeInfo::getLeader).orElse(true)));
                report("leader stepped down", stoppedAt, before.leader() + " no longer claims to lead");
                results.put("outage: stop -> leader steps down", millisSince(stoppedAt) + " ms");
                for (NodeProcess n : live) {
                    assertThat(n.isAlive()).as("%s is running", n.id).isTrue();
                    String body = n.healthz().orElseThrow().body().trim();
                    assertThat(body).isEqualTo("ok ring_epoch=" + before.epoch()
                            + " membership=consul reachable=false leader=false");
                    assertThat(ringView(n)).isEqualTo(ringBefore);
                }
                JsonNode status = cliStatus(live.getFirst());
                assertThat(elements(status.get("nodes"))).hasSize(live.size()).allSatisfy(n -> {
                    assertThat(n.get("membership_reachable").asBoolean()).isFalse();
                    assertThat(n.get("membership_status").asText()).startsWith("consul (unreachable)");
                    assertThat(n.get("ring_epoch").asLong()).isEqualTo(before.epoch());
                    assertThat(n.get("healthy").asBoolean()).isTrue();
                });
            } finally {
                load.stop();
            }
            LoadResult outage = load.result(stoppedAt, System.nanoTime());
            report("load without consul", stoppedAt, outage.toString());
            results.put("outage: operations without Consul", outage.toString());
            assertThat(outage.failed()).as("failed operations without Consul: %s", outage.errors()).isZero();
            assertThat(outage.wrongReads()).isZero();
            assertThat(outage.ok()).isPositive();

            long restartedAt = System.nanoTime();
            agent.restart();
            report("restart consul", restartedAt, "agent back on " + agent.httpAddress() + ", empty");
            await("the leader restores the ring").atMost(CONVERGE_TIMEOUT).pollInterval(POLL)
                    .until(() -> consulRingIfUp().isPresent());
            long restoredMillis = millisSince(restartedAt);
            Converged after = awaitConverged("every node reachable again", c -> c.epoch() == before.epoch());
            long convergedMillis = millisSince(restartedAt);
            await("every node registered and passing").atMost(CONVERGE_TIMEOUT).pollInterval(POLL)
                    .until(() -> passingMembers().equals(live.stream().map(n -> n.id)
                            .collect(Collectors.toCollection(TreeSet::new))));
            long registeredMillis = millisSince(restartedAt);
            report("recovered", restartedAt, "ring restored after " + restoredMillis + " ms, every node reachable with "
                    + "leader " + after.leader() + " after " + convergedMillis + " ms, all registered after "
                    + registeredMillis + " ms");
            results.put("outage: restart -> ring back in Consul", restoredMillis + " ms");
            results.put("outage: restart -> all reachable, one leader", convergedMillis + " ms (leader "
                    + after.leader() + ")");
            StoredRing restored = consulRing().orElseThrow();
            assertThat(restored.ring()).as("the ring the leader restored").isEqualTo(storedBefore.ring());
            for (NodeProcess n : live) {
                assertThat(ringView(n)).isEqualTo(ringBefore);
            }
            JsonNode status = cliStatus(live.getFirst());
            assertThat(elements(status.get("nodes"))).allSatisfy(n -> {
                assertThat(n.get("membership_reachable").asBoolean()).isTrue();
                assertThat(n.get("ring_epoch").asLong()).isEqualTo(before.epoch());
            });
            assertThat(elements(status.get("nodes"))).filteredOn(n -> n.get("leader").asBoolean()).hasSize(1);
            assertThat(node(after.leader()).logSince("started as pid")).anyMatch(l -> l.contains(
                    "Consul holds no ring but this node serves epoch " + before.epoch() + ": restoring it"));

            LoadResult afterRestart = runLoad("after consul restart", Duration.ofSeconds(2));
            assertThat(afterRestart.failed()).as("failed operations: %s", afterRestart.errors()).isZero();

            // Watching resumed: a node registering now is published as a new epoch, which every
            // other node can only have learnt from its ring watch on the restarted agent.
            NodeProcess n6 = nodes.stream().filter(n -> n.id.equals("n6")).findFirst().orElse(null);
            if (n6 == null) {
                n6 = cluster.node("n6", "rack3");
                nodes.add(n6);
            }
            long t = System.nanoTime();
            n6.start(consulFlags());
            n6.awaitHealthy(HEALTH_TIMEOUT);
            Converged watched = awaitConverged("every node installs the epoch that registers n6",
                    c -> c.epoch() == before.epoch() + 1);
            report("watch after restart", t, "n6 registered: every node at epoch " + watched.epoch());
            results.put("outage: after restart n6 start -> epoch " + watched.epoch() + " everywhere", millisSince(t)
                    + " ms");
            assertThat(consulRing().orElseThrow().ring().node("n6").orElseThrow().state()).isEqualTo(NodeState.JOINING);
            for (NodeProcess n : live) {
                if (!n.id.equals(watched.leader())) {
                    assertThat(n.logSince("started as pid")).as("%s's log", n.id).anyMatch(l -> l.contains(
                            "installed ring epoch " + watched.epoch() + " from Consul"));
                }
            }
        });
    }

    // ---- cluster state ----

    /** Every running node's own view: same epoch, membership reachable, exactly one leader. */
    private record Converged(long epoch, String leader) {
    }

    private Converged awaitConverged(String what) {
        return awaitConverged(what, c -> true);
    }

    private Converged awaitConverged(String what, java.util.function.Predicate<Converged> also) {
        Converged[] seen = new Converged[1];
        List<String> last = new ArrayList<>();
        try {
            await(what).atMost(CONVERGE_TIMEOUT).pollInterval(POLL).until(() -> {
                List<NodeProcess> live = running();
                List<NodeInfo> infos = new ArrayList<>();
                for (NodeProcess n : live) {
                    nodeInfo(n).ifPresent(infos::add);
                }
                last.clear();
                infos.forEach(i -> last.add(i.getId() + ": epoch " + i.getRingEpoch() + " leader " + i.getLeader()
                        + " reachable " + i.getMembershipReachable()));
                if (infos.size() != live.size()) {
                    return false;
                }
                Set<Long> epochs = infos.stream().map(NodeInfo::getRingEpoch).collect(Collectors.toSet());
                List<String> leaders = infos.stream().filter(NodeInfo::getLeader).map(NodeInfo::getId).toList();
                if (epochs.size() != 1 || epochs.contains(0L) || leaders.size() != 1
                        || !infos.stream().allMatch(NodeInfo::getMembershipReachable)) {
                    return false;
                }
                seen[0] = new Converged(epochs.iterator().next(), leaders.getFirst());
                return also.test(seen[0]);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not converged (" + what + ") within " + CONVERGE_TIMEOUT + "; last seen " + last, e);
        }
        return seen[0];
    }

    /**
     * Brings the cluster back to a converged state if an earlier scenario left it otherwise (agent
     * stopped, a node frozen or dead), and returns it.
     */
    private Converged ensureConverged() throws IOException, InterruptedException {
        if (!agent.isRunning()) {
            System.out.println("ConsulClusterProcessTest: starting the agent an earlier scenario left stopped");
            agent.restart();
        }
        for (NodeProcess n : nodes) {
            if (n.isSuspended()) {
                System.out.println("ConsulClusterProcessTest: thawing " + n.id + " an earlier scenario left frozen");
                n.resume();
            }
            if (!n.isAlive()) {
                System.out.println("ConsulClusterProcessTest: restarting " + n.id + " an earlier scenario left down");
                n.start(consulFlags());
                n.awaitHealthy(HEALTH_TIMEOUT);
            }
        }
        return awaitConverged("the cluster before the scenario");
    }

    /** Nodes started and neither dead nor frozen. */
    private List<NodeProcess> running() {
        return nodes.stream().filter(n -> n.isAlive() && !n.isSuspended()).toList();
    }

    private NodeProcess node(String id) {
        return nodes.stream().filter(n -> n.id.equals(id)).findFirst().orElseThrow();
    }

    /** Polls the nodes' own info until one of them leads; fails at the deadline. */
    private static String awaitLeader(List<NodeProcess> among, long deadlineNanos) throws InterruptedException {
        while (System.nanoTime() < deadlineNanos) {
            for (NodeProcess n : among) {
                if (nodeInfo(n).map(NodeInfo::getLeader).orElse(false)) {
                    return n.id;
                }
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new AssertionError("no leader among " + among + " in time");
    }

    // ---- admin API and CLI ----

    private static <T> T withChannel(NodeProcess n, java.util.function.Function<ManagedChannel, T> call) {
        // A fresh channel each time: a cached one may sit in reconnect backoff after a node restart.
        ManagedChannel ch = NettyChannelBuilder.forTarget(n.address()).usePlaintext().build();
        try {
            return call.apply(ch);
        } finally {
            ch.shutdownNow();
        }
    }

    /** The node's own GetNodeInfo, or empty when it does not answer within 1 s. */
    private static Optional<NodeInfo> nodeInfo(NodeProcess n) {
        try {
            return Optional.of(withChannel(n, ch -> AdminGrpc.newBlockingStub(ch).withDeadlineAfter(1, TimeUnit.SECONDS)
                    .getNodeInfo(GetNodeInfoRequest.getDefaultInstance())));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The ids {@code ringkv status} at {@code via} shows as leader (ListNodes; empty when it does not answer). */
    private static List<String> statusLeaders(NodeProcess via) {
        try {
            return withChannel(via, ch -> AdminGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                    .filter(NodeInfo::getLeader).map(NodeInfo::getId).toList());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private static RingView ringView(NodeProcess n) {
        return withChannel(n, ch -> AdminGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS)
                .getRing(GetRingRequest.getDefaultInstance()));
    }

    /** Vnode replicas per node id (0 for a node listed without any). */
    private static Map<String, Integer> replicaCounts(RingView ring) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        ring.getNodesList().forEach(n -> counts.put(n.getId(), 0));
        for (int index : ring.getAssignmentsList()) {
            counts.merge(ring.getNodes(index).getId(), 1, Integer::sum);
        }
        return counts;
    }

    /** {@code ringkv status --json --endpoint <node>}, run in this JVM with its output captured. */
    private static JsonNode cliStatus(NodeProcess via) {
        return cli("status", "--json", "--endpoint", via.address());
    }

    private static synchronized JsonNode cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("ringkv %s: %s", String.join(" ", args), err.toString(StandardCharsets.UTF_8)).isZero();
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("ringkv " + String.join(" ", args) + " printed no JSON: " + text, e);
        }
    }

    private static List<JsonNode> elements(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    // ---- Consul, read directly ----

    private record StoredRing(Ring ring, long modifyIndex) {
    }

    /** The ring key as the agent holds it (empty when there is none); fails when the agent does not answer. */
    private Optional<StoredRing> consulRing() {
        HttpResponse<String> r = consulGet("/v1/kv/" + NODE_CONSUL.ringKey());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        assertThat(r.statusCode()).as("GET ring key: %s", r.body()).isEqualTo(200);
        try {
            JsonNode entry = JSON.readTree(r.body()).get(0);
            String text = new String(Base64.getDecoder().decode(entry.get("Value").asText()), StandardCharsets.UTF_8);
            return Optional.of(new StoredRing(RingCodec.decode(text), entry.get("ModifyIndex").asLong()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #consulRing()}, or empty while the agent does not answer yet. */
    private Optional<StoredRing> consulRingIfUp() {
        try {
            return consulRing();
        } catch (UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** Ids of this cluster's registrations whose checks all pass. */
    private Set<String> passingMembers() {
        HttpResponse<String> r = consulGet("/v1/health/service/" + NODE_CONSUL.serviceName() + "?tag="
                + URLEncoder.encode(NODE_CONSUL.clusterTag(), StandardCharsets.UTF_8));
        Set<String> ids = new TreeSet<>();
        try {
            for (JsonNode entry : JSON.readTree(r.body())) {
                boolean passing = true;
                for (JsonNode check : entry.get("Checks")) {
                    passing &= check.get("Status").asText().equals("passing");
                }
                if (passing) {
                    ids.add(entry.get("Service").get("ID").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids;
    }

    private HttpResponse<String> consulGet(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + agent.httpAddress() + path))
                .timeout(Duration.ofSeconds(2)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- load ----

    private record LoadResult(int ok, int failed, int wrongReads, List<String> errors) {
        @Override
        public String toString() {
            return ok + " ok, " + failed + " failed" + (errors.isEmpty() ? "" : " (first: " + errors + ")");
        }
    }

    /** Runs a load for {@code duration} and returns what happened. */
    private LoadResult runLoad(String name, Duration duration) throws InterruptedException {
        Load load = new Load(client, SEED + (++loadRuns), name);
        try {
            Thread.sleep(duration.toMillis());
        } finally {
            load.stop();
        }
        LoadResult result = load.result(0, System.nanoTime());
        report("load " + name, System.nanoTime() - duration.toNanos(), result.toString());
        return result;
    }

    /**
     * A bounded background load: {@link #LOAD_THREADS} threads, each writing a random key of its own
     * at QUORUM and reading it back at QUORUM (which must return the value just written), until
     * stopped, {@link #LOAD_LIMIT} or {@link #LOAD_MAX_OPS_PER_THREAD}. Every operation is recorded
     * with its start and end, so failures can be counted per period.
     */
    private static final class Load {
        private record Op(long startNanos, long endNanos, boolean ok, boolean wrongRead, String error) {
        }

        private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();
        private final long deadlineNanos = System.nanoTime() + LOAD_LIMIT.toNanos();
        private volatile boolean running = true;

        Load(RingkvClient client, long seed, String name) {
            for (int t = 0; t < LOAD_THREADS; t++) {
                SplittableRandom random = new SplittableRandom(seed * 31 + t);
                String prefix = name.replace(' ', '-') + "-s" + seed + "-t" + t + "-";
                threads.add(Thread.ofPlatform().daemon().name("load-" + name + "-" + t)
                        .start(() -> run(client, prefix, random)));
            }
        }

        private void run(RingkvClient client, String prefix, SplittableRandom random) {
            PutOptions put = PutOptions.defaults().withConsistency(Consistency.QUORUM);
            ReadOptions read = ReadOptions.defaults().withConsistency(Consistency.QUORUM);
            for (int i = 0; i < LOAD_MAX_OPS_PER_THREAD && running && System.nanoTime() < deadlineNanos; i++) {
                String key = prefix + random.nextInt(LOAD_KEYS_PER_THREAD);
                byte[] value = new byte[random.nextInt(16, 512)];
                random.nextBytes(value);
                long start = System.nanoTime();
                try {
                    client.put(key, value, put);
                    ops.add(new Op(start, System.nanoTime(), true, false, null));
                } catch (RuntimeException e) {
                    ops.add(new Op(start, System.nanoTime(), false, false, "put " + key + ": " + e));
                    continue;
                }
                start = System.nanoTime();
                try {
                    GetResult r = client.get(key, read);
                    boolean same = r.found() && r.values().size() == 1
                            && Arrays.equals(r.values().getFirst().value(), value);
                    ops.add(new Op(start, System.nanoTime(), same, !same,
                            same ? null : "get " + key + " did not return the value just written: " + r));
                } catch (RuntimeException e) {
                    ops.add(new Op(start, System.nanoTime(), false, false, "get " + key + ": " + e));
                }
            }
        }

        /** Stops the threads (each finishes its request, bounded by the request timeout) and returns the whole run. */
        LoadResult stop() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                if (!t.join(REQUEST_TIMEOUT.multipliedBy(2).plusSeconds(5))) {
                    throw new AssertionError(t.getName() + " did not stop");
                }
            }
            return result(0, Long.MAX_VALUE);
        }

        /** Operations that ended in [from, to). */
        LoadResult result(long fromNanos, long toNanos) {
            return summarize(ops.stream().filter(o -> o.endNanos() - fromNanos >= 0 && o.endNanos() - toNanos < 0)
                    .toList());
        }

        /** Operations that started at or after {@code fromNanos}. */
        LoadResult resultStartedAfter(long fromNanos) {
            return summarize(ops.stream().filter(o -> o.startNanos() - fromNanos >= 0).toList());
        }

        private static LoadResult summarize(List<Op> list) {
            int ok = (int) list.stream().filter(Op::ok).count();
            int wrong = (int) list.stream().filter(Op::wrongRead).count();
            List<String> errors = list.stream().filter(o -> !o.ok()).map(Op::error).limit(5).toList();
            return new LoadResult(ok, list.size() - ok, wrong, errors);
        }
    }

    // ---- reporting ----

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /** Runs a scenario; on failure prints the seed and the tail of every node's log. */
    private void scenario(String name, Body body) throws Throwable {
        long t = System.nanoTime();
        System.out.println("ConsulClusterProcessTest ==== " + name);
        try {
            body.run();
            report(name, t, "passed");
        } catch (Throwable e) {
            System.out.println("ConsulClusterProcessTest FAILED in " + name + " with seed=" + SEED + ": " + e);
            cluster.printLogTails(LOG_TAIL_LINES);
            System.out.println("---- whole node logs in " + dir + "; consul agent log: target/consul-agent-"
                    + agent.httpPort() + ".log");
            results.put(name, "FAILED: " + e.toString().lines().findFirst().orElse(""));
            throw e;
        }
    }

    private static void report(String phase, long startNanos, String what) {
        System.out.printf("ConsulClusterProcessTest %-28s %8d ms  %s%n", phase, millisSince(startNanos), what);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
