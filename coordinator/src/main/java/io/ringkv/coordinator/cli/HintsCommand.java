package io.ringkv.coordinator.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.HintTarget;
import io.ringkv.api.v1.ListHintsRequest;
import io.ringkv.api.v1.ListHintsResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ringkv hints}: the hints the endpoint node keeps for other nodes, per target. */
@Command(name = "hints", mixinStandardHelpOptions = true,
        description = "Show the hints a node keeps for other nodes (hinted handoff): pending, bytes, oldest, rate, delivered, dropped.")
final class HintsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Option(names = "--json", description = "print JSON: {node, targets: [{target, up, count, bytes, oldest_age_millis, delivery_bytes_per_second, delivered_total, dropped_total}]}")
    boolean json;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (client.timeoutMillis < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--timeout-ms must be positive");
        }
        ManagedChannel channel = NettyChannelBuilder.forTarget(client.endpoint).usePlaintext().build();
        ListHintsResponse hints;
        try {
            hints = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis, TimeUnit.MILLISECONDS)
                    .listHints(ListHintsRequest.getDefaultInstance());
        } catch (io.grpc.StatusRuntimeException e) {
            throw new IllegalStateException("cannot reach " + client.endpoint + ": " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
        } finally {
            channel.shutdownNow();
        }
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (HintTarget t : hints.getTargetsList()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("target", t.getTarget());
                entry.put("up", t.getTargetUp());
                entry.put("count", t.getCount());
                entry.put("bytes", t.getBytes());
                entry.put("oldest_age_millis", t.getOldestAgeMillis());
                entry.put("delivery_bytes_per_second", t.getDeliveryBytesPerSecond());
                entry.put("delivered_total", t.getDeliveredTotal());
                entry.put("dropped_total", t.getDroppedTotal());
                out.add(entry);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("node", hints.getNodeId());
            doc.put("targets", out);
            System.out.println(Json.write(doc));
        } else {
            System.out.println("hints kept by " + hints.getNodeId());
            System.out.printf("%-12s %-5s %9s %12s %10s %12s %10s %8s%n", "target", "up", "pending", "bytes", "oldest",
                    "rate", "delivered", "dropped");
            for (HintTarget t : hints.getTargetsList()) {
                System.out.printf("%-12s %-5s %9d %12d %10s %12s %10d %8d%n", t.getTarget(), t.getTargetUp() ? "yes" : "DOWN",
                        t.getCount(), t.getBytes(), t.getCount() == 0 ? "-" : age(t.getOldestAgeMillis()),
                        t.getDeliveryBytesPerSecond() + " B/s", t.getDeliveredTotal(), t.getDroppedTotal());
            }
        }
        return 0;
    }

    static String age(long millis) {
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis < 120_000) {
            return millis / 1_000 + "s";
        }
        if (millis < 7_200_000) {
            return millis / 60_000 + "m";
        }
        return millis / 3_600_000 + "h";
    }
}
