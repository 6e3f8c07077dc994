package io.ringkv.coordinator.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.KVGrpc;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.observability.OtlpTraceReceiver;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node processes configured only through the standard {@code OTEL_*} variables export their spans
 * over OTLP/gRPC to a real trace receiver in this test: a put's server, coordinator and replica
 * spans arrive as one trace, each from the node that recorded it.
 */
@Tag("slow")
class OtlpExportProcessTest {
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<String> EXPECTED_SPANS = Set.of("ringkv.v1.KV/Put", "kv.put", "replica.write",
            "ringkv.v1.Replica/Write", "storage.put");

    @TempDir
    Path dir;

    private ProcessCluster cluster;
    private OtlpTraceReceiver receiver;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void nodesExportTheirSpansToAnOtlpCollector() throws Exception {
        receiver = new OtlpTraceReceiver();
        cluster = new ProcessCluster("OtlpExportProcessTest", dir, List.of("-Xmx256m"));
        List<NodeProcess> nodes = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            NodeProcess n = cluster.node("n" + i, "rack" + i);
            n.environment.put("OTEL_TRACES_EXPORTER", "otlp");
            n.environment.put("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint());
            n.environment.put("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
            n.environment.put("OTEL_BSP_SCHEDULE_DELAY", "100");
            n.environment.put("OTEL_SERVICE_NAME", "ringkv-test-node");
            n.environment.put("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test");
            nodes.add(n);
            addresses.add(n.address());
        }
        try {
            for (NodeProcess n : nodes) {
                n.start(List.of("--seeds", String.join(",", addresses)));
            }
            for (NodeProcess n : nodes) {
                n.awaitHealthy(HEALTH_TIMEOUT);
            }
            ManagedChannel channel = NettyChannelBuilder.forTarget(addresses.getFirst()).usePlaintext().build();
            try {
                KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                        .setKey("otlp-key").setValue(ByteString.copyFromUtf8("v")).build());
            } finally {
                channel.shutdownNow();
            }
            // Each node exports in batches of its own, and the server span ends after the reply: wait
            // for the whole trace, not for its replica spans alone (CI once saw KV/Put arrive later).
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.spans().stream()
                    .filter(s -> s.name().equals("replica.write")).count() >= 3
                    && receiver.spans().stream().map(OtlpTraceReceiver.Received::name).collect(Collectors.toSet())
                            .containsAll(EXPECTED_SPANS));
            OtlpTraceReceiver.Received put = receiver.spans().stream().filter(s -> s.name().equals("kv.put"))
                    .findFirst().orElseThrow();
            List<OtlpTraceReceiver.Received> trace = receiver.spans().stream()
                    .filter(s -> s.traceId().equals(put.traceId())).toList();
            assertThat(trace).allSatisfy(s -> assertThat(s.service()).isEqualTo("ringkv-test-node"));
            assertThat(trace.stream().filter(s -> s.name().equals("replica.write")))
                    .hasSize(3).allSatisfy(s -> assertThat(s.parentSpanId()).isEqualTo(put.spanId()));
            Set<String> names = trace.stream().map(OtlpTraceReceiver.Received::name).collect(Collectors.toSet());
            assertThat(names).containsAll(EXPECTED_SPANS);
        } catch (Throwable t) {
            cluster.printLogTails(60);
            throw t;
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }
}
