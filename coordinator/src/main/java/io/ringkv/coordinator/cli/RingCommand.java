package io.ringkv.coordinator.cli;

import io.ringkv.client.RingSnapshot;
import io.ringkv.client.RingkvClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ringkv ring}: the ring's epoch and, per node, how many vnode replicas it holds. */
@Command(name = "ring", mixinStandardHelpOptions = true, description = "Show the ring: epoch, nodes, vnode replicas per node.")
final class RingCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Option(names = "--json", description = "print JSON: epoch, vnodes, replicas_per_vnode, nodes [{id, address, rack, state, bulk_port, vnode_replicas, primaries}]; bulk_port 0: none known")
    boolean json;

    @Override
    public Integer call() {
        RingSnapshot ring;
        try (RingkvClient c = client.connect()) {
            ring = c.ring();
        }
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (RingSnapshot.Node n : ring.nodes()) {
            counts.put(n.id(), new int[2]);
        }
        for (int v = 0; v < ring.vnodeCount(); v++) {
            List<RingSnapshot.Node> replicas = ring.replicasOf(v);
            for (int i = 0; i < replicas.size(); i++) {
                int[] c = counts.get(replicas.get(i).id());
                c[0]++;
                if (i == 0) {
                    c[1]++;
                }
            }
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("epoch", ring.epoch());
            out.put("vnodes", ring.vnodeCount());
            out.put("replicas_per_vnode", ring.replicasPerVnode());
            List<Map<String, Object>> nodes = new ArrayList<>();
            for (RingSnapshot.Node n : ring.nodes()) {
                Map<String, Object> entry = LocateCommand.node(n);
                entry.put("vnode_replicas", counts.get(n.id())[0]);
                entry.put("primaries", counts.get(n.id())[1]);
                nodes.add(entry);
            }
            out.put("nodes", nodes);
            System.out.println(Json.write(out));
        } else {
            System.out.println("ring epoch " + ring.epoch() + ": " + ring.vnodeCount() + " vnodes x "
                    + ring.replicasPerVnode() + " replicas");
            System.out.printf("  %-12s %-22s %-6s %-10s %-8s %8s %9s%n", "node", "address", "bulk", "rack", "state",
                    "replicas", "primaries");
            for (RingSnapshot.Node n : ring.nodes()) {
                System.out.printf("  %-12s %-22s %-6s %-10s %-8s %8d %9d%n", n.id(), n.address(),
                        n.bulkPort() == 0 ? "-" : Integer.toString(n.bulkPort()), n.rack(),
                        n.state().name().toLowerCase(java.util.Locale.ROOT), counts.get(n.id())[0], counts.get(n.id())[1]);
            }
        }
        return 0;
    }
}
