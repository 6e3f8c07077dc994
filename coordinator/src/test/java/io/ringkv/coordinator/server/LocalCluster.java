package io.ringkv.coordinator.server;

import io.ringkv.coordinator.config.ConfigLoader;
import io.ringkv.coordinator.config.NodeConfig;
import io.ringkv.net.LoopbackPorts;
import io.ringkv.observability.Telemetry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Real nodes on loopback in this JVM, on free ports; closes every node it started. */
public final class LocalCluster implements AutoCloseable {
    public final List<NodeServer> nodes = new ArrayList<>();
    public final List<String> addresses = new ArrayList<>();

    /** {@code extra}: more config keys for every node; a {@code chunks_dir} there is a parent, of {@code n1}, {@code n2}, ... */
    public LocalCluster(int count, Path dir, String backend, Map<String, Object> extra) throws Exception {
        this(count, dir, backend, extra, null);
    }

    /** As above, each node reporting through {@code telemetryOf.apply(nodeId)} (null: what its config says). */
    public LocalCluster(int count, Path dir, String backend, Map<String, Object> extra,
                        Function<String, Telemetry> telemetryOf) throws Exception {
        for (int i = 0; i < count; i++) {
            addresses.add("127.0.0.1:" + freePort());
        }
        try {
            for (int i = 0; i < count; i++) {
                Map<String, Object> flags = new LinkedHashMap<>(extra);
                flags.put("id", "n" + (i + 1));
                flags.put("listen", addresses.get(i));
                flags.put("rack", "rack" + (i + 1));
                flags.put("data_dir", dir.resolve("n" + (i + 1)).toString());
                if (extra.get("chunks_dir") != null) {
                    // As `ringkv dev --chunks-dir`: a parent, one directory per node.
                    flags.put("chunks_dir", Path.of(extra.get("chunks_dir").toString()).resolve("n" + (i + 1)).toString());
                }
                flags.put("seeds", String.join(",", addresses));
                flags.put("backend", backend);
                flags.put("ping_interval_millis", 200);
                NodeConfig cfg = ConfigLoader.load(null, Map.of(), flags);
                nodes.add(telemetryOf == null ? NodeServer.start(cfg) : NodeServer.start(cfg, telemetryOf.apply(cfg.id())));
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

    public static int freePort() throws IOException {
        return LoopbackPorts.free();
    }

    @Override
    public void close() {
        NodeServer.closeAll(nodes);
        nodes.clear();
    }
}
