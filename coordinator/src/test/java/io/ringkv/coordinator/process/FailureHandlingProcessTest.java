package io.ringkv.coordinator.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.HintTarget;
import io.ringkv.api.v1.ListHintsRequest;
import io.ringkv.api.v1.ListRepairsRequest;
import io.ringkv.api.v1.ReplicaGrpc;
import io.ringkv.api.v1.ReplicaReadRequest;
import io.ringkv.api.v1.ReplicaReadResponse;
import io.ringkv.api.v1.RepairSessionInfo;
import io.ringkv.api.v1.StartRepairRequest;
import io.ringkv.api.v1.VnodeDigest;
import io.ringkv.api.v1.VnodeDigestsRequest;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.RingkvException;
import io.ringkv.coordinator.membership.LocalConsulAgent;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
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
 * Failure handling end to end: three {@code ringkv node} processes with Consul membership against a
 * real {@code consul agent -dev}, all on 127.0.0.1.
 * <ol>
 *   <li>n3 is frozen with SIGSTOP while 20,000 keys are written at W=2; the other two keep hints for
 *       it; after SIGCONT the hints drain to zero and every vnode's Merkle root (Admin VnodeDigests)
 *       is the same on all three nodes;</li>
 *   <li>n3 is SIGKILLed, its data directory deleted and the node restarted empty;
 *       {@code ringkv repair --node n3} restores every key (read back from n3's own replica with
 *       Replica/Read) and the roots match again.</li>
 * </ol>
 * Keys and values derive from a printed seed ({@code -Dringkv.process.seed=...}); the timing of real
 * processes is not replayable. Measured figures (replay rate, repair time and bytes) are printed.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FailureHandlingProcessTest {
    private static final long SEED = Long.getLong("ringkv.process.seed", 20261206L);
    private static final String CLUSTER = "fh" + Long.toUnsignedString(SEED % 1_000_000);
    private static final int KEYS = 20_000;
    private static final int WRITERS = 8;
    /** Attempts per key: a write whose coordinator was the frozen node times out and is sent again. */
    private static final int MAX_ATTEMPTS_PER_KEY = 5;
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration REPAIR_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final List<String> NODE_JVM = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private LocalConsulAgent agent;
    private ProcessCluster cluster;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final Map<String, String> results = new LinkedHashMap<>();

    @BeforeAll
    void startCluster() throws Exception {
        System.out.println("FailureHandlingProcessTest seed=" + SEED + " (replay keys and values with"
                + " -Dringkv.process.seed=" + SEED + "), data and logs in " + dir);
        agent = LocalConsulAgent.start();
        cluster = new ProcessCluster("FailureHandlingProcessTest", dir, NODE_JVM);
        for (int i = 1; i <= 3; i++) {
            nodes.add(cluster.node("n" + i, "rack" + i));
        }
        for (NodeProcess n : nodes) {
            n.start(consulFlags());
        }
        for (NodeProcess n : nodes) {
            n.awaitHealthy(HEALTH_TIMEOUT);
        }
    }

    @AfterAll
    void stopAll() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
        if (agent != null) {
            agent.stop();
        }
        System.out.println("FailureHandlingProcessTest summary (seed " + SEED + "):");
        results.forEach((k, v) -> System.out.printf("  %-40s %s%n", k, v));
    }

    private List<String> consulFlags() {
        return List.of("--membership", "consul", "--consul-url", "http://" + agent.httpAddress(), "--cluster", CLUSTER,
                "--min-nodes", "3");
    }

    @Test
    @Order(1)
    void hintsForAFrozenNodeDrainAfterItThawsAndTheReplicasMatch() throws Throwable {
        scenario("hints", () -> {
            NodeProcess n3 = nodes.get(2);
            n3.suspend();
            long t = System.nanoTime();
            int retried = writeAll(nodes.subList(0, 2));
            results.put("writes with n3 frozen", KEYS + " keys acknowledged at W=2 in " + millisSince(t) + " ms ("
                    + retried + " attempts resent after a timeout)");

            long pending = hintsFor("n3");
            assertThat(pending).as("hints kept for the frozen n3 by n1 and n2").isPositive();
            results.put("hints pending for n3", Long.toString(pending));

            n3.resume();
            long drainStart = System.nanoTime();
            await("hints for n3 drain to zero").atMost(DRAIN_TIMEOUT).pollInterval(POLL)
                    .until(() -> hintsFor("n3") == 0);
            long drainMillis = Math.max(1, millisSince(drainStart));
            results.put("hint replay", pending + " hints in " + drainMillis + " ms = "
                    + (pending * 1000 / drainMillis) + " hints/s (from SIGCONT, includes n3 being seen up again)");

            assertRootsMatch("after hint replay");
        });
    }

    @Test
    @Order(2)
    void aNodeRestartedEmptyIsRestoredByRepair() throws Throwable {
        scenario("repair", () -> {
            NodeProcess n3 = nodes.get(2);
            n3.kill();
            deleteRecursively(n3.dataDir);
            n3.start(consulFlags());
            n3.awaitHealthy(HEALTH_TIMEOUT);
            assertThat(readOwnReplica(n3, 200).found()).as("n3 restarted empty").isZero();

            long t = System.nanoTime();
            RepairSessionInfo started = admin(n3, stub -> stub.startRepair(
                    StartRepairRequest.newBuilder().setNode("n3").build()));
            RepairSessionInfo done = await("repair of n3").atMost(REPAIR_TIMEOUT).pollInterval(POLL)
                    .until(() -> session(n3, started.getSessionId()), s -> !s.getState().equals("RUNNING"));
            long millis = Math.max(1, millisSince(t));
            assertThat(done.getState()).as("repair session %s", done).isEqualTo("DONE");
            assertThat(done.getVnodesDone()).isEqualTo(done.getVnodesTotal());
            // Not exactly KEYS: the other nodes' background schedulers may have repaired a vnode or two
            // of n3's in the meantime. What counts is what n3 holds afterwards, checked key by key below.
            assertThat(done.getKeysStreamed()).as("keys streamed to the empty node").isGreaterThan(KEYS * 9L / 10);
            results.put("repair --node n3 (empty)", done.getKeysStreamed() + " keys, " + done.getBytesStreamed()
                    + " bytes in " + millis + " ms = " + (done.getKeysStreamed() * 1000 / millis) + " keys/s, "
                    + String.format("%.2f", done.getBytesStreamed() / 1e6 / (millis / 1000.0)) + " MB/s; "
                    + done.getVnodesTotal() + " vnodes");

            Presence presence = readOwnReplica(n3, KEYS);
            assertThat(presence.wrong()).as("values on n3 that differ from what was written").isEmpty();
            assertThat(presence.found()).as("keys on n3's own replica after repair").isEqualTo(KEYS);
            assertRootsMatch("after repair");
        });
    }

    // ---- load ----

    private static String key(int i) {
        return "fh-" + SEED + "-" + i;
    }

    /** A value of 100-1,000 bytes that names its key, so a misplaced value is caught too. */
    private static byte[] value(int i) {
        SplittableRandom r = new SplittableRandom(SEED * 31 + i);
        byte[] v = new byte[100 + r.nextInt(901)];
        r.nextBytes(v);
        byte[] name = key(i).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, v, 0, Math.min(name.length, v.length));
        return v;
    }

    /** Writes every key through {@code via} at the keyspace's W=2; returns how many attempts were resent. */
    private int writeAll(List<NodeProcess> via) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger resent = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        // The frozen node accepts connections but never answers: once a request to it timed out, the
        // client tries it last for the rest of the load.
        try (RingkvClient client = RingkvClient.builder().seeds(via.stream().map(NodeProcess::address).toList())
                .requestTimeout(Duration.ofSeconds(3)).unreachableNodeBackoff(Duration.ofMinutes(5)).build()) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = next.getAndIncrement(); i < KEYS; i = next.getAndIncrement()) {
                        for (int attempt = 1; ; attempt++) {
                            try {
                                client.put(key(i), value(i));
                                break;
                            } catch (RingkvException e) {
                                if (attempt == MAX_ATTEMPTS_PER_KEY) {
                                    failures.add(key(i) + ": " + e.getMessage());
                                    break;
                                }
                                resent.incrementAndGet();
                            }
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join(Duration.ofSeconds(200));
            }
        }
        assertThat(failures).as("writes not acknowledged after %d attempts", MAX_ATTEMPTS_PER_KEY).isEmpty();
        return resent.get();
    }

    // ---- admin ----

    private long hintsFor(String target) {
        long total = 0;
        for (NodeProcess n : nodes) {
            if (n.id.equals(target)) {
                continue;
            }
            for (HintTarget h : admin(n, stub -> stub.listHints(ListHintsRequest.getDefaultInstance())).getTargetsList()) {
                if (h.getTarget().equals(target)) {
                    total += h.getCount();
                }
            }
        }
        return total;
    }

    private RepairSessionInfo session(NodeProcess n, String id) {
        return admin(n, stub -> stub.listRepairs(ListRepairsRequest.newBuilder().setSessionId(id).build()))
                .getSessionsList().stream().filter(s -> s.getSessionId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no repair session " + id + " on " + n.id));
    }

    /** Every node's Merkle root per vnode of the default keyspace must be the same (N=3 on three nodes). */
    private void assertRootsMatch(String when) {
        Map<String, Map<Integer, Long>> roots = new TreeMap<>();
        for (NodeProcess n : nodes) {
            Map<Integer, Long> byVnode = new TreeMap<>();
            for (VnodeDigest d : admin(n, stub -> stub.vnodeDigests(
                    VnodeDigestsRequest.newBuilder().setKeyspace("default").build())).getVnodesList()) {
                byVnode.put(d.getVnode(), d.getRoot());
            }
            roots.put(n.id, byVnode);
        }
        Map<Integer, Long> reference = roots.get("n1");
        assertThat(reference).as("vnodes n1 replicates").isNotEmpty();
        for (var e : roots.entrySet()) {
            List<Integer> differing = reference.keySet().stream()
                    .filter(v -> !reference.get(v).equals(e.getValue().get(v))).toList();
            assertThat(differing).as("%s: vnodes whose Merkle root on %s differs from n1's", when, e.getKey()).isEmpty();
            assertThat(e.getValue().keySet()).as("%s: vnodes of %s", when, e.getKey()).isEqualTo(reference.keySet());
        }
        results.put("Merkle roots " + when, reference.size() + " vnodes identical on " + roots.keySet());
    }

    private record Presence(int found, List<String> wrong) {
    }

    /** Reads keys 0..count-1 from {@code n}'s own replica (Replica/Read, no coordination). */
    private Presence readOwnReplica(NodeProcess n, int count) {
        AtomicInteger found = new AtomicInteger();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        withChannel(n, ch -> {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    ReplicaGrpc.ReplicaBlockingStub stub = ReplicaGrpc.newBlockingStub(ch);
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        ReplicaReadResponse r = stub.withDeadlineAfter(5, TimeUnit.SECONDS).read(ReplicaReadRequest
                                .newBuilder().setKeyspace("default").setKey(key(i)).build());
                        if (!r.getFound()) {
                            continue;
                        }
                        found.incrementAndGet();
                        Record record = RecordCodec.decode(r.getRecord().toByteArray());
                        if (record.tombstone() || !Arrays.equals(record.value(), value(i))) {
                            wrong.add(key(i));
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                try {
                    thread.join(Duration.ofSeconds(120));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        });
        return new Presence(found.get(), List.copyOf(wrong));
    }

    private static <T> T admin(NodeProcess n, Function<AdminGrpc.AdminBlockingStub, T> call) {
        return withChannel(n, ch -> call.apply(AdminGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)));
    }

    private static <T> T withChannel(NodeProcess n, Function<ManagedChannel, T> call) {
        ManagedChannel ch = NettyChannelBuilder.forTarget(n.address()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        try {
            return call.apply(ch);
        } finally {
            ch.shutdownNow();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private void scenario(String name, Body body) throws Throwable {
        long t = System.nanoTime();
        System.out.println("FailureHandlingProcessTest ==== " + name);
        try {
            body.run();
            System.out.printf("FailureHandlingProcessTest %-10s %8d ms  passed%n", name, millisSince(t));
        } catch (Throwable e) {
            System.out.println("FailureHandlingProcessTest FAILED in " + name + " with seed=" + SEED + ": " + e);
            cluster.printLogTails(60);
            results.put(name, "FAILED: " + e.toString().lines().findFirst().orElse(""));
            throw e;
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
