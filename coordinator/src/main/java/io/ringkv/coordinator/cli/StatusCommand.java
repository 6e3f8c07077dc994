package io.ringkv.coordinator.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.ListNodesRequest;
import io.ringkv.api.v1.NodeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ringkv status}: every node as the endpoint sees it (health, state, ring epoch, leader). */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show every node: health, state, ring epoch applied, leader.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Option(names = "--json", description = "print JSON: {nodes: [{id, address, rack, state, healthy, leader, ring_epoch, backend, version, membership, membership_reachable, membership_status}]}")
    boolean json;

    @Override
    public Integer call() {
        ManagedChannel channel = NettyChannelBuilder.forTarget(client.endpoint).usePlaintext().build();
        List<NodeInfo> nodes;
        try {
            nodes = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis, TimeUnit.MILLISECONDS)
                    .listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
        } catch (io.grpc.StatusRuntimeException e) {
            throw new IllegalStateException("cannot reach " + client.endpoint + ": " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
        } finally {
            channel.shutdownNow();
        }
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (NodeInfo n : nodes) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("id", n.getId());
                entry.put("address", n.getAddress());
                entry.put("rack", n.getRack());
                entry.put("state", n.getState().name().toLowerCase(Locale.ROOT));
                entry.put("healthy", n.getHealthy());
                entry.put("leader", n.getLeader());
                entry.put("ring_epoch", n.getRingEpoch());
                entry.put("backend", n.getBackend());
                entry.put("version", n.getVersion());
                entry.put("membership", n.getMembership());
                entry.put("membership_reachable", n.getMembershipReachable());
                entry.put("membership_status", n.getMembershipStatus());
                out.add(entry);
            }
            System.out.println(Json.write(Map.of("nodes", out)));
        } else {
            System.out.printf("%-12s %-22s %-10s %-8s %-9s %-6s %5s  %s%n", "node", "address", "rack", "state", "health",
                    "leader", "epoch", "membership");
            for (NodeInfo n : nodes) {
                System.out.printf("%-12s %-22s %-10s %-8s %-9s %-6s %5d  %s%n", n.getId(), n.getAddress(), n.getRack(),
                        n.getState().name().toLowerCase(Locale.ROOT), n.getHealthy() ? "up" : "DOWN",
                        n.getLeader() ? "yes" : "", n.getRingEpoch(), n.getMembershipStatus());
            }
        }
        return 0;
    }
}
