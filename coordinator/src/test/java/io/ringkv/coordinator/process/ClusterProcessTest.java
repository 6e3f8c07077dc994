package io.ringkv.coordinator.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.ListNodesRequest;
import io.ringkv.api.v1.NodeInfo;
import io.ringkv.client.Consistency;
import io.ringkv.client.GetResult;
import io.ringkv.client.PutOptions;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingSnapshot;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.UnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code ringkv node} processes (each its own JVM, RocksDB, static membership, loopback
 * only) driven with the Java client through a node crash: write 10,000 keys of 10 B to 5 MiB at
 * W=2, SIGKILL the node that is first replica of most keys, read everything back at R=2, keep
 * writing at W=2 while W=3 is refused, restart the node on its old data, read everything at R=3
 * (read repair brings the restarted node up to date), then stop the two other nodes and read
 * everything at ONE from the restarted node alone, which proves it now holds every latest value.
 *
 * <p>Values are a pure function of (seed, key, generation), so nothing is kept in memory but the
 * generation each key last had acknowledged. The seed is printed, and again on failure with the
 * tail of every node's log; {@code -Dringkv.process.seed=...} replays the same data (the timing
 * of a real cluster is not replayable). Every process started is killed in {@link #stopAll()}.
 */
@Tag("slow")
class ClusterProcessTest {
    private static final long SEED = Long.getLong("ringkv.process.seed", 20261204L);
    private static final int KEYS = 10_000;
    private static final int LARGE_VALUES = 5;
    private static final int LARGE_VALUE_BYTES = 5 << 20;
    private static final int SMALL_MIN_BYTES = 10;
    private static final int SMALL_MAX_BYTES = 4 << 10;
    private static final int MEDIUM_MAX_BYTES = 1 << 20;
    /** Percent of the ordinary keys with a value log-uniform in (4 KiB, 1 MiB]; the rest are small. */
    private static final int MEDIUM_PERCENT = 5;
    private static final int OVERWRITES = 300;
    private static final int WRITE_ALL_ATTEMPTS = 20;
    private static final int CLIENT_THREADS = 8;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    /** Bound on one phase's requests; a phase that needs longer fails the test. */
    private static final Duration PHASE_LIMIT = Duration.ofMinutes(3);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);
    /** How soon every node must see a restarted node once it is healthy (peers ping every 1 s). */
    private static final long RESTART_NOTICED_MILLIS = 5_000;
    private static final int LOG_TAIL_LINES = 80;
    private static final int MAX_FAILURE_MESSAGES = 10;
    private static final String NODE_HEAP = "-Xmx1g";

    @TempDir
    Path dir;

    private final List<NodeProcess> nodes = new ArrayList<>();
    /** Kills every process this test started, even after a restart; made in the test. */
    private ProcessCluster cluster;
    private final Dataset data = new Dataset(SEED);
    private RingkvClient client;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void survivesSigkillAndRestartOfOneNode() throws Exception {
        System.out.println("ClusterProcessTest seed=" + SEED + " (replay the data with -Dringkv.process.seed=" + SEED + ")");
        cluster = new ProcessCluster("ClusterProcessTest", dir, List.of(NODE_HEAP));
        try {
            run();
        } catch (Throwable t) {
            System.out.println("ClusterProcessTest FAILED with seed=" + SEED + ": " + t);
            cluster.printLogTails(LOG_TAIL_LINES);
            throw t;
        }
    }

    private void run() throws Exception {
        long total = System.nanoTime();
        List<String> addresses = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            NodeProcess n = cluster.node("n" + i, "rack" + i);
            nodes.add(n);
            addresses.add(n.address());
        }
        List<String> seeds = List.of("--seeds", String.join(",", addresses));
        long t = System.nanoTime();
        for (NodeProcess n : nodes) {
            n.start(seeds);
        }
        for (NodeProcess n : nodes) {
            n.awaitHealthy(HEALTH_TIMEOUT);
        }
        report("start", t, "3 nodes healthy");

        client = RingkvClient.builder().seeds(addresses).requestTimeout(REQUEST_TIMEOUT).build();
        AtomicIntegerArray acked = new AtomicIntegerArray(KEYS);
        for (int i = 0; i < KEYS; i++) {
            acked.set(i, -1);
        }

        // 1. Every key once, at the keyspace's W=2; every write must be acknowledged.
        PhaseResult write = runPhase("write", KEYS, Dataset::key, i -> {
            byte[] value = data.value(i, 0);
            client.put(Dataset.key(i), value);
            acked.set(i, 0);
            return value.length;
        });
        assertThat(write.failures()).as("failed writes: %s", write.messages()).isZero();
        assertThat(write.succeeded()).isEqualTo(KEYS);

        // 2. SIGKILL the node that is first replica (the client's write target) of most keys.
        RingSnapshot ring = client.ring();
        Map<String, Integer> primaries = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            primaries.merge(ring.locate(Dataset.key(i)).replicas().getFirst().id(), 1, Integer::sum);
        }
        NodeProcess victim = nodes.stream().max((a, b) -> Integer.compare(primaries.getOrDefault(a.id, 0),
                primaries.getOrDefault(b.id, 0))).orElseThrow();
        t = System.nanoTime();
        victim.kill(); // SIGKILL: no shutdown hook, no RocksDB close
        report("kill", t, victim.id + " SIGKILLed (first replica of " + primaries.get(victim.id) + " keys; primaries "
                + primaries + ")");

        // 3. Every key reads at R=2 with the value acknowledged in step 1.
        PhaseResult readDegraded = runPhase("read R=2 (one node down)", KEYS, Dataset::key,
                i -> check(i, acked.get(i), client.get(Dataset.key(i))));
        assertThat(readDegraded.failures()).as("failed reads: %s", readDegraded.messages()).isZero();

        // 4. Writes at W=2 go on; writes at W=3 are refused, saying how many replicas answered.
        int[] overwritten = data.overwriteKeys(OVERWRITES);
        PhaseResult overwrite = runPhase("overwrite W=2 (one node down)", overwritten.length,
                j -> Dataset.key(overwritten[j]), j -> {
                    int i = overwritten[j];
                    byte[] value = data.value(i, 1);
                    client.put(Dataset.key(i), value);
                    acked.set(i, 1);
                    return value.length;
                });
        assertThat(overwrite.failures()).as("failed overwrites: %s", overwrite.messages()).isZero();

        t = System.nanoTime();
        List<String> refusals = new ArrayList<>();
        for (int j = 0; j < WRITE_ALL_ATTEMPTS; j++) {
            try {
                client.put(Dataset.allKey(j), data.allValue(j), PutOptions.defaults().withConsistency(Consistency.ALL));
                refusals.add("ACCEPTED " + Dataset.allKey(j));
            } catch (UnavailableException e) {
                refusals.add(e.getMessage());
            } catch (RuntimeException e) {
                refusals.add("UNEXPECTED " + e);
            }
        }
        report("write W=3 (one node down)", t, WRITE_ALL_ATTEMPTS + " attempts, first refusal: " + refusals.getFirst());
        assertThat(refusals).as("every W=3 write is refused with UNAVAILABLE saying how many replicas answered")
                .allSatisfy(m -> assertThat(m).contains("of 3").doesNotStartWith("ACCEPTED").doesNotStartWith("UNEXPECTED"));

        // 5. Restart the killed node on its old data; wait until every node sees every node again.
        t = System.nanoTime();
        victim.start(seeds);
        victim.awaitHealthy(HEALTH_TIMEOUT);
        long healthyMillis = millisSince(t);
        awaitEveryNodeSeesEveryNode();
        long seenMillis = millisSince(t);
        report("restart", t, victim.id + " healthy after " + healthyMillis + " ms, seen by every node after "
                + seenMillis + " ms");
        // Peers ping every second; a channel left in gRPC's reconnect backoff used to hide a
        // restarted peer for as long as a good part of its downtime.
        assertThat(seenMillis - healthyMillis).as("ms from %s healthy to every node seeing it", victim.id)
                .isLessThanOrEqualTo(RESTART_NOTICED_MILLIS);

        // 6. R=3 returns every latest acknowledged value; read repair brings the restarted node up to date.
        PhaseResult readAll = runPhase("read R=3 (after restart)", KEYS, Dataset::key,
                i -> check(i, acked.get(i), client.get(Dataset.key(i), ReadOptions.defaults().withConsistency(Consistency.ALL))));
        assertThat(readAll.failures()).as("failed reads: %s", readAll.messages()).isZero();
        int appliedDespiteRefusal = 0;
        for (int j = 0; j < WRITE_ALL_ATTEMPTS; j++) {
            GetResult r = client.get(Dataset.allKey(j), ReadOptions.defaults().withConsistency(Consistency.ALL));
            if (r.found()) {
                // A refused write may still have been applied by the replicas that took it.
                assertThat(r.values()).hasSize(1);
                assertThat(r.values().getFirst().value()).as(Dataset.allKey(j)).isEqualTo(data.allValue(j));
                appliedDespiteRefusal++;
            }
        }
        System.out.println("ClusterProcessTest: " + appliedDespiteRefusal + " of " + WRITE_ALL_ATTEMPTS
                + " refused W=3 writes were applied by the live replicas anyway");

        // ... and the restarted node holds them itself: with the two others stopped it alone answers R=1.
        t = System.nanoTime();
        for (NodeProcess n : nodes) {
            if (n != victim) {
                n.stop();
            }
        }
        report("stop the two others", t, "only " + victim.id + " is up");
        PhaseResult readRestarted = runPhase("read ONE (only " + victim.id + " up)", KEYS, Dataset::key,
                i -> check(i, acked.get(i), client.get(Dataset.key(i), ReadOptions.defaults().withConsistency(Consistency.ONE))));
        assertThat(readRestarted.failures()).as("failed reads: %s", readRestarted.messages()).isZero();

        report("total", total, "seed " + SEED + "; wrote " + mib(write.bytes() + overwrite.bytes()) + " acknowledged ("
                + (write.succeeded() + overwrite.succeeded()) + " writes), read " + mib(readDegraded.bytes()
                + readAll.bytes() + readRestarted.bytes()) + "; failed operations: " + (write.failures()
                + overwrite.failures() + readDegraded.failures() + readAll.failures() + readRestarted.failures())
                + ", W=3 refusals: " + WRITE_ALL_ATTEMPTS);
    }

    /** Reads back key {@code i} and returns its size; throws unless it is exactly generation {@code generation}. */
    private long check(int i, int generation, GetResult result) {
        byte[] expected = data.value(i, generation);
        if (!result.found() || result.values().size() != 1) {
            throw new AssertionError(Dataset.key(i) + ": expected " + expected.length + " bytes of generation "
                    + generation + ", got " + result);
        }
        byte[] actual = result.values().getFirst().value();
        if (!Arrays.equals(actual, expected)) {
            throw new AssertionError(Dataset.key(i) + ": expected " + expected.length + " bytes of generation "
                    + generation + ", got " + actual.length + " other bytes");
        }
        return actual.length;
    }

    // ---- phases ----

    /** One operation on item {@code index}; returns the bytes it moved, throws when it failed. */
    @FunctionalInterface
    private interface Operation {
        long apply(int index) throws Exception;
    }

    private record PhaseResult(int succeeded, int failures, long bytes, List<String> messages) {
    }

    /**
     * Runs {@code op} once for each of {@code count} items on {@link #CLIENT_THREADS} virtual
     * threads; stops taking new items after {@link #PHASE_LIMIT}, so it ends within that plus one
     * request timeout. Items not attempted count as failures; {@code itemName} names an item in
     * failure messages.
     */
    private PhaseResult runPhase(String name, int count, IntFunction<String> itemName, Operation op)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + PHASE_LIMIT.toNanos();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger succeeded = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();
        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int w = 0; w < CLIENT_THREADS; w++) {
                workers.submit(() -> {
                    int i;
                    while (System.nanoTime() < deadline && (i = next.getAndIncrement()) < count) {
                        try {
                            bytes.addAndGet(op.apply(i));
                            succeeded.incrementAndGet();
                        } catch (Exception | AssertionError e) {
                            if (failed.incrementAndGet() <= MAX_FAILURE_MESSAGES) {
                                messages.add(itemName.apply(i) + ": " + describe(e));
                            }
                        }
                    }
                });
            }
            workers.shutdown();
            long waitNanos = PHASE_LIMIT.plus(REQUEST_TIMEOUT).plusSeconds(10).toNanos();
            assertThat(workers.awaitTermination(waitNanos, TimeUnit.NANOSECONDS)).as("phase %s finished", name).isTrue();
        } finally {
            workers.shutdownNow();
        }
        int notAttempted = count - succeeded.get() - failed.get();
        if (notAttempted > 0) {
            messages.add(notAttempted + " items not attempted within " + PHASE_LIMIT);
        }
        PhaseResult result = new PhaseResult(succeeded.get(), failed.get() + notAttempted, bytes.get(), List.copyOf(messages));
        report(name, start, result.succeeded() + " ok, " + result.failures() + " failed, " + mib(result.bytes())
                + (result.messages().isEmpty() ? "" : "; first failures: " + result.messages()));
        return result;
    }

    /** The error with its suppressed ones: the client fails over and keeps its earlier attempts there. */
    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder(e.toString());
        for (Throwable s : e.getSuppressed()) {
            b.append(" [earlier attempt: ").append(s).append(']');
        }
        if (e.getCause() != null && e.getCause() != e) {
            b.append(" [cause: ").append(e.getCause()).append(']');
        }
        return b.toString();
    }

    private static void report(String phase, long startNanos, String what) {
        System.out.printf("ClusterProcessTest %-32s %8d ms  %s%n", phase, millisSince(startNanos), what);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    // ---- processes ----

    /** Waits until every node's ListNodes reports every node healthy (what {@code ringkv status} shows). */
    private void awaitEveryNodeSeesEveryNode() {
        List<ManagedChannel> channels = nodes.stream()
                .map(n -> (ManagedChannel) NettyChannelBuilder.forTarget(n.address()).usePlaintext().build()).toList();
        try {
            await("every node sees every node").atMost(HEALTH_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (ManagedChannel ch : channels) {
                    try {
                        List<NodeInfo> seen = AdminGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS)
                                .listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
                        if (seen.size() != nodes.size() || !seen.stream().allMatch(NodeInfo::getHealthy)) {
                            return false;
                        }
                    } catch (RuntimeException e) {
                        return false;
                    }
                }
                return true;
            });
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    @AfterEach
    void stopAll() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---- data ----

    /**
     * The keys and their values, a pure function of the seed: key {@code i}'s value of generation
     * {@code g} (0 first written, 1 overwritten) has a size and content drawn from (seed, i, g).
     */
    static final class Dataset {
        private final long seed;
        private final Set<Integer> large = new LinkedHashSet<>();
        private final Map<Integer, Integer> fixedSizes = new HashMap<>();

        Dataset(long seed) {
            this.seed = seed;
            Random random = new Random(seed);
            while (large.size() < LARGE_VALUES) {
                large.add(random.nextInt(KEYS));
            }
            // The edges of the ordinary range: the smallest, and the largest value sent unary.
            int[] edges = {SMALL_MIN_BYTES, SMALL_MAX_BYTES, MEDIUM_MAX_BYTES - 1, MEDIUM_MAX_BYTES};
            for (int size : edges) {
                int i;
                do {
                    i = random.nextInt(KEYS);
                } while (large.contains(i) || fixedSizes.containsKey(i));
                fixedSizes.put(i, size);
            }
        }

        static String key(int i) {
            return String.format("key-%05d", i);
        }

        static String allKey(int j) {
            return String.format("all-%02d", j);
        }

        private SplittableRandom random(long i, int generation) {
            return new SplittableRandom(seed ^ (i * 0x9E3779B97F4A7C15L) ^ ((long) generation << 56));
        }

        int size(int i, int generation) {
            if (large.contains(i)) {
                return LARGE_VALUE_BYTES;
            }
            Integer fixed = fixedSizes.get(i);
            if (fixed != null && generation == 0) {
                return fixed;
            }
            SplittableRandom r = random(i, generation);
            if (r.nextInt(100) >= MEDIUM_PERCENT) {
                return r.nextInt(SMALL_MIN_BYTES, SMALL_MAX_BYTES + 1);
            }
            long size = Math.round(Math.exp(r.nextDouble(Math.log(SMALL_MAX_BYTES), Math.log(MEDIUM_MAX_BYTES))));
            return (int) Math.clamp(size, SMALL_MAX_BYTES + 1, MEDIUM_MAX_BYTES);
        }

        byte[] value(int i, int generation) {
            byte[] value = new byte[size(i, generation)];
            random(i, generation + 16).nextBytes(value);
            return value;
        }

        byte[] allValue(int j) {
            byte[] value = new byte[100];
            random(KEYS + j, 2).nextBytes(value);
            return value;
        }

        /** {@code count} distinct keys to overwrite, the large ones and the edges among them. */
        int[] overwriteKeys(int count) {
            Set<Integer> keys = new LinkedHashSet<>(large);
            keys.addAll(fixedSizes.keySet());
            Random random = new Random(seed + 1);
            while (keys.size() < count) {
                keys.add(random.nextInt(KEYS));
            }
            return keys.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
