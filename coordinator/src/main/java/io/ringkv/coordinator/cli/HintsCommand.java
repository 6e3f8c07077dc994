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
        description = "Show the hints a node keeps for other nodes (hinted handoff): pending, bytes, oldest, rate, delivered,"
                + " dropped (total, and since the node started by reason: full, window, rejected, left).")
final class HintsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Option(names = "--json", description = "print JSON: {node, targets: [{target, up, count, bytes, oldest_age_millis,"
            + " delivery_bytes_per_second, delivered_total, dropped_total, dropped_full, dropped_window, dropped_rejected,"
            + " dropped_target_left}]}")
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
        System.out.print(json ? json(hints) : text(hints));
        return 0;
    }

    /** The {@code --json} document: what ListHints answered, one entry per target. */
    static String json(ListHintsResponse hints) {
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
            entry.put("dropped_full", t.getDroppedFull());
            entry.put("dropped_window", t.getDroppedWindow());
            entry.put("dropped_rejected", t.getDroppedRejected());
            entry.put("dropped_target_left", t.getDroppedTargetLeft());
            out.add(entry);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("node", hints.getNodeId());
        doc.put("targets", out);
        return Json.write(doc) + System.lineSeparator();
    }

    /**
     * The table: one line per target; {@code dropped} is the total, then by reason since the node
     * started (cap reached, down past the hint window, refused, target left the ring).
     */
    static String text(ListHintsResponse hints) {
        StringBuilder out = new StringBuilder("hints kept by " + hints.getNodeId() + System.lineSeparator());
        String format = "%-12s %-5s %9s %12s %10s %12s %10s %8s %8s %8s %8s %8s%n";
        out.append(String.format(format, "target", "up", "pending", "bytes", "oldest", "rate", "delivered", "dropped",
                "full", "window", "rejected", "left"));
        for (HintTarget t : hints.getTargetsList()) {
            out.append(String.format(format, t.getTarget(), t.getTargetUp() ? "yes" : "DOWN", t.getCount(), t.getBytes(),
                    t.getCount() == 0 ? "-" : age(t.getOldestAgeMillis()), t.getDeliveryBytesPerSecond() + " B/s",
                    t.getDeliveredTotal(), t.getDroppedTotal(), t.getDroppedFull(), t.getDroppedWindow(),
                    t.getDroppedRejected(), t.getDroppedTargetLeft()));
        }
        return out.toString();
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
