package io.ringkv.coordinator.cli;

import io.ringkv.coordinator.config.ConfigLoader;
import io.ringkv.coordinator.config.NodeConfig;
import io.ringkv.coordinator.server.NodeServer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ringkv node}: runs one node until it is stopped (SIGTERM or Ctrl-C stop it cleanly). */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run one node. Flags override the config file, which overrides RINGKV_* environment variables' defaults.")
final class NodeCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML config file")
    Path config;
    @Option(names = "--id", description = "node id (default node-<port>)")
    String id;
    @Option(names = "--listen", description = "host:port to serve on (default 127.0.0.1:7001)")
    String listen;
    @Option(names = "--advertise", description = "host:port peers and clients dial (default: --listen)")
    String advertise;
    @Option(names = "--data-dir", description = "data directory (default ./data/<id>)")
    String dataDir;
    @Option(names = "--chunks-dir", description = "large values' chunks (default <data-dir>/chunks); another volume keeps them off the small writes' disk")
    String chunksDir;
    @Option(names = "--seeds", description = "static members, host:port,... (include this node or not)")
    String seeds;
    @Option(names = "--rack", description = "rack name (default rack1)")
    String rack;
    @Option(names = "--backend", description = "rocks (default) or memory")
    String backend;
    @Option(names = "--sync", description = "always, batch (default) or never")
    String sync;
    @Option(names = "--vnodes", description = "vnodes in the cluster (default 1024)")
    Integer vnodes;
    @Option(names = "--membership", description = "static (default: the seed list) or consul")
    String membership;
    @Option(names = "--consul-url", description = "the Consul agent's HTTP address (default http://127.0.0.1:8500)")
    String consulUrl;
    @Option(names = "--cluster", description = "cluster name; Consul keys live under ringkv/<cluster>/ (default ringkv)")
    String cluster;
    @Option(names = "--min-nodes", description = "Consul: form the first ring once this many nodes pass (default 3)")
    Integer minNodes;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("id", id);
        flags.put("listen", listen);
        flags.put("advertise", advertise);
        flags.put("data_dir", dataDir);
        flags.put("chunks_dir", chunksDir);
        flags.put("seeds", seeds);
        flags.put("rack", rack);
        flags.put("backend", backend);
        flags.put("sync", sync);
        flags.put("vnodes", vnodes);
        flags.put("membership", membership);
        flags.put("consul_url", consulUrl);
        flags.put("cluster", cluster);
        flags.put("min_nodes", minNodes);
        NodeConfig cfg = ConfigLoader.load(config, System.getenv(), flags);
        NodeServer node = NodeServer.start(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "ringkv-shutdown"));
        System.out.println("ringkv node " + cfg.id() + " serving on " + cfg.listen());
        stopped.await();
        return 0;
    }
}
