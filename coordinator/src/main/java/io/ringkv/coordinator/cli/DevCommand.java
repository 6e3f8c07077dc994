package io.ringkv.coordinator.cli;

import io.ringkv.coordinator.config.ConfigLoader;
import io.ringkv.coordinator.config.NodeConfig;
import io.ringkv.coordinator.membership.LocalConsulAgent;
import io.ringkv.coordinator.server.NodeServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ringkv dev}: a whole cluster on this machine, in this process, with static membership:
 * every node on its own loopback port and data directory. Ctrl-C stops it cleanly.
 */
@Command(name = "dev", mixinStandardHelpOptions = true, description = "Start a local N-node cluster (default 3) in one process.")
final class DevCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", description = "number of nodes (default 3)")
    int nodes;
    @Option(names = "--base-port", defaultValue = "7001", description = "first port; node i listens on base+i-1 (default 7001)")
    int basePort;
    @Option(names = "--data-dir", defaultValue = "./data/dev", description = "parent of the nodes' data directories")
    Path dataDir;
    @Option(names = "--chunks-dir", paramLabel = "DIR",
            description = "parent of the nodes' large-value chunk directories (default: inside each data directory)")
    Path chunksDir;
    @Option(names = "--backend", defaultValue = "rocks", description = "rocks (default) or memory")
    String backend;
    @Option(names = "--sync", defaultValue = "batch", description = "always, batch (default) or never")
    String sync;
    @Option(names = "--consul", description = "run a local Consul dev agent (loopback, free ports) and use Consul membership")
    boolean consul;
    @Option(names = "--config", paramLabel = "FILE",
            description = "a node YAML file applied to every node (e.g. read_repair_chance, replica_channel); "
                    + "the per-node keys (id, listen, rack, data_dir, chunks_dir, seeds, backend, sync) still come from dev")
    Path config;
    @Option(names = "--exit-after-start", hidden = true, description = "start, print, stop (for tests)")
    boolean exitAfterStart;

    /**
     * Keys that differ from node to node, or that dev sets itself: a RINGKV_ variable for one would
     * give every dev node the same address, directory or membership, so those come from dev alone.
     */
    static final java.util.Set<String> PER_NODE_KEYS = java.util.Set.of("id", "listen", "advertise", "rack", "data_dir",
            "chunks_dir", "seeds", "backend", "sync", "membership", "consul_url", "cluster", "min_nodes", "bulk_port");

    /** The environment a dev node reads: OTEL_* and every RINGKV_<KEY> except {@link #PER_NODE_KEYS}. */
    static Map<String, String> nodeEnvironment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>(io.ringkv.observability.TelemetrySettings.variables(env));
        env.forEach((name, value) -> {
            if (name.startsWith("RINGKV_")
                    && !PER_NODE_KEYS.contains(name.substring("RINGKV_".length()).toLowerCase(java.util.Locale.ROOT))) {
                out.put(name, value);
            }
        });
        return out;
    }

    /** Writes and reads back one key through the client, so the first screen shows the cluster working. */
    private static String selfCheck(List<String> addresses) {
        long start = System.nanoTime();
        byte[] value = ("written by ringkv dev at " + java.time.Instant.now()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (io.ringkv.client.RingkvClient client = io.ringkv.client.RingkvClient.builder().seeds(addresses)
                .requestTimeout(java.time.Duration.ofSeconds(5)).build()) {
            client.put("ringkv:dev:self-check", value);
            io.ringkv.client.GetResult read = client.get("ringkv:dev:self-check");
            boolean same = read.found() && java.util.Arrays.equals(read.values().getFirst().value(), value);
            if (!same) {
                throw new IllegalStateException("self-check read back a different value");
            }
            java.util.List<String> replicas = client.locate("ringkv:dev:self-check").replicas().stream()
                    .map(io.ringkv.client.RingSnapshot.Node::id).toList();
            return "self-check: put + get of 'ringkv:dev:self-check' (replicas " + String.join(", ", replicas) + ") ok in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms";
        }
    }

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 32) {
            throw new IllegalArgumentException("--nodes must be in [1, 32], was " + nodes);
        }
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            addresses.add("127.0.0.1:" + (basePort + i));
        }
        List<NodeServer> started = new ArrayList<>();
        LocalConsulAgent agent = consul ? LocalConsulAgent.start() : null;
        Runnable stopAll = () -> {
            NodeServer.closeAll(started);
            if (agent != null) {
                try {
                    agent.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try {
            for (int i = 0; i < nodes; i++) {
                Map<String, Object> flags = new LinkedHashMap<>();
                flags.put("id", "n" + (i + 1));
                flags.put("listen", addresses.get(i));
                flags.put("rack", "rack" + (i + 1));
                flags.put("data_dir", dataDir.resolve("n" + (i + 1)).toString());
                if (chunksDir != null) {
                    flags.put("chunks_dir", chunksDir.resolve("n" + (i + 1)).toString());
                }
                flags.put("seeds", String.join(",", addresses));
                flags.put("backend", backend);
                flags.put("sync", sync);
                if (agent != null) {
                    flags.put("membership", "consul");
                    flags.put("consul_url", "http://" + agent.httpAddress());
                    flags.put("cluster", "dev");
                    flags.put("min_nodes", nodes);
                }
                NodeConfig cfg = ConfigLoader.load(config, nodeEnvironment(System.getenv()), flags);
                started.add(NodeServer.start(cfg));
            }
            for (NodeServer node : started) {
                if (!node.awaitRing(30_000)) {
                    throw new IllegalStateException("the ring did not form within 30 s");
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            stopAll.run();
            throw e;
        }
        String check = selfCheck(addresses);
        System.out.println("ringkv dev cluster: " + nodes + " nodes, N=3 R=2 W=2, backend " + backend + ", data in "
                + dataDir.toAbsolutePath().normalize());
        for (int i = 0; i < nodes; i++) {
            System.out.println("  n" + (i + 1) + "  " + addresses.get(i));
        }
        if (agent != null) {
            System.out.println("consul dev agent: http://" + agent.httpAddress() + " (membership consul, cluster 'dev', leader "
                    + awaitLeader(started.getFirst(), LEADER_WAIT_MILLIS).orElse("?") + ")");
        }
        System.out.println("ring epoch " + started.getFirst().ring().epoch() + ", "
                + started.getFirst().ring().require().vnodeCount() + " vnodes");
        System.out.println(check);
        System.out.println("try:");
        System.out.println("  bin/ringkv put greeting 'hello world'");
        System.out.println("  bin/ringkv get greeting");
        System.out.println("  grpcurl -plaintext -d '{\"key\":\"greeting\"}' " + addresses.getFirst() + " ringkv.v1.KV/Get");
        System.out.println("Ctrl-C stops the cluster.");
        System.out.flush();
        if (exitAfterStart) {
            stopAll.run();
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopAll.run();
            stopped.countDown();
        }, "ringkv-dev-shutdown"));
        if (agent != null) {
            // The hook above stops the nodes, which deregister from the agent, and then the agent.
            agent.stoppedByCaller();
        }
        stopped.await();
        return 0;
    }

    /** How long the banner waits for the first node to learn who leads (the ring exists, so someone does). */
    static final long LEADER_WAIT_MILLIS = 5_000;

    /**
     * The leader as {@code node} knows it, waiting up to {@code millis} for it: a leader published the
     * ring, but a node learns of it from its own watch of the lock, which may come a moment later.
     */
    private static java.util.Optional<String> awaitLeader(NodeServer node, long millis) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        java.util.Optional<String> leader = node.membership().leaderId();
        while (leader.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            leader = node.membership().leaderId();
        }
        return leader;
    }
}
