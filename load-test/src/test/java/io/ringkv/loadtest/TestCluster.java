package io.ringkv.loadtest;

import io.ringkv.coordinator.config.ConfigLoader;
import io.ringkv.coordinator.config.NodeConfig;
import io.ringkv.coordinator.server.NodeServer;
import io.ringkv.net.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real nodes on loopback in the test JVM, on free ports, memory backend; closes every node it
 * started. (A copy of the coordinator's test LocalCluster: test-jars would couple the builds.)
 */
final class TestCluster implements AutoCloseable {
    final List<NodeServer> nodes = new ArrayList<>();
    final List<String> addresses = new ArrayList<>();

    TestCluster(int count, Path dir) throws Exception {
        this(count, dir, Map.of());
    }

    /** {@code extraFlags}: more node settings, e.g. the {@code otel_*} keys to trace the nodes. */
    TestCluster(int count, Path dir, Map<String, Object> extraFlags) throws Exception {
        for (int i = 0; i < count; i++) {
            addresses.add("127.0.0.1:" + freePort());
        }
        try {
            for (int i = 0; i < count; i++) {
                Map<String, Object> flags = new LinkedHashMap<>();
                flags.put("id", "n" + (i + 1));
                flags.put("listen", addresses.get(i));
                flags.put("rack", "rack" + (i + 1));
                flags.put("data_dir", dir.resolve("n" + (i + 1)).toString());
                flags.put("seeds", String.join(",", addresses));
                flags.put("backend", "memory");
                flags.put("ping_interval_millis", 200);
                flags.putAll(extraFlags);
                NodeConfig cfg = ConfigLoader.load(null, Map.of(), flags);
                nodes.add(NodeServer.start(cfg));
            }
            for (NodeServer n : nodes) {
                if (!n.awaitRing(30_000)) {
                    throw new IllegalStateException("ring did not form");
                }
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    String seeds() {
        return String.join(",", addresses);
    }

    static int freePort() throws IOException {
        return LoopbackPorts.free();
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        nodes.clear();
    }
}
