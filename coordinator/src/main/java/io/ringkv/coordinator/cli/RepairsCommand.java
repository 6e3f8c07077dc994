package io.ringkv.coordinator.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.ListRepairsRequest;
import io.ringkv.api.v1.RepairSessionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ringkv repairs}: the endpoint node's repair sessions and their progress. */
@Command(name = "repairs", mixinStandardHelpOptions = true, description = "List the endpoint node's repair sessions, newest first.")
final class RepairsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Option(names = "--json", description = "print JSON: {sessions: [{session_id, scope, keyspace, state, vnodes_done, "
            + "vnodes_total, vnodes_failed, keys_compared, keys_streamed, bytes_streamed, started_at, updated_at, "
            + "finished_at, eta}]}")
    boolean json;

    @Override
    public Integer call() {
        ManagedChannel channel = NettyChannelBuilder.forTarget(client.endpoint).usePlaintext().build();
        List<RepairSessionInfo> sessions;
        try {
            sessions = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(client.timeoutMillis, TimeUnit.MILLISECONDS)
                    .listRepairs(ListRepairsRequest.getDefaultInstance()).getSessionsList();
        } catch (StatusRuntimeException e) {
            throw unreachable(client.endpoint, e);
        } finally {
            channel.shutdownNow();
        }
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            sessions.forEach(s -> out.add(toMap(s)));
            System.out.println(Json.write(Map.of("sessions", out)));
        } else {
            for (RepairSessionInfo s : sessions) {
                System.out.println(line(s));
            }
        }
        return 0;
    }

    static IllegalStateException unreachable(String endpoint, StatusRuntimeException e) {
        return new IllegalStateException("cannot reach " + endpoint + ": " + e.getStatus().getCode()
                + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
    }

    static String line(RepairSessionInfo s) {
        return String.format("%s  %-8s %-14s %s  %d/%d vnodes (%d failed)  %d keys compared  %d streamed  %d bytes  "
                        + "started %s%s", s.getSessionId(), s.getState(), s.getScope(),
                s.getKeyspace().isEmpty() ? "every keyspace" : s.getKeyspace(), s.getVnodesDone(), s.getVnodesTotal(),
                s.getVnodesFailed(), s.getKeysCompared(), s.getKeysStreamed(), s.getBytesStreamed(),
                time(s.getStartedAtMillis()), s.getEtaMillis() > 0 ? "  eta " + time(s.getEtaMillis()) : "");
    }

    static Map<String, Object> toMap(RepairSessionInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session_id", s.getSessionId());
        m.put("scope", s.getScope());
        m.put("keyspace", s.getKeyspace().isEmpty() ? null : s.getKeyspace());
        m.put("state", s.getState());
        m.put("vnodes_done", s.getVnodesDone());
        m.put("vnodes_total", s.getVnodesTotal());
        m.put("vnodes_failed", s.getVnodesFailed());
        m.put("keys_compared", s.getKeysCompared());
        m.put("keys_streamed", s.getKeysStreamed());
        m.put("bytes_streamed", s.getBytesStreamed());
        m.put("started_at", time(s.getStartedAtMillis()));
        m.put("updated_at", time(s.getUpdatedAtMillis()));
        m.put("finished_at", s.getFinishedAtMillis() == 0 ? null : time(s.getFinishedAtMillis()));
        m.put("eta", s.getEtaMillis() == 0 ? null : time(s.getEtaMillis()));
        return m;
    }

    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
