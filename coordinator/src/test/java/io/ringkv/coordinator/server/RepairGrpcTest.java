package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.ListRepairsRequest;
import io.ringkv.api.v1.RepairSessionInfo;
import io.ringkv.api.v1.ReplicaGrpc;
import io.ringkv.api.v1.ReplicaReadRequest;
import io.ringkv.api.v1.ReplicaReadResponse;
import io.ringkv.api.v1.ReplicaWriteChunk;
import io.ringkv.api.v1.ReplicaWriteRequest;
import io.ringkv.api.v1.ReplicaWriteResponse;
import io.ringkv.api.v1.StartRepairRequest;
import io.ringkv.api.v1.VnodeDigest;
import io.ringkv.api.v1.VnodeDigestsRequest;
import io.ringkv.coordinator.cli.Main;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import io.ringkv.storage.record.VersionKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy between three real nodes on loopback: records written to two of them only (one
 * of them large enough to be streamed) reach the third with StartRepair for that node.
 */
class RepairGrpcTest {
    private static final int KEYS = 200;
    private static final int LARGE_BYTES = 3 << 20;

    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(3, dir, "memory", Map.of("vnodes", 64, "repair_interval", "off"));
        for (String a : cluster.addresses) {
            channels.add(NettyChannelBuilder.forTarget(a).usePlaintext().maxInboundMessageSize(32 << 20).build());
        }
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ReplicaGrpc.ReplicaBlockingStub replica(int node) {
        return ReplicaGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static AdminGrpc.AdminBlockingStub admin(int node) {
        return AdminGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static byte[] record(int i, byte[] value) {
        long hlc = (1_780_000_000_000L << 16) + i;
        return RecordCodec.encode(Record.value(VersionKind.LWW, new LwwVersion(hlc, "n1").encode(), 1_780_000_000_000L, value));
    }

    private static void writeLarge(int node, String key, byte[] encoded) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<ReplicaWriteChunk> out = ReplicaGrpc.newStub(channels.get(node)).writeStream(new StreamObserver<>() {
            @Override
            public void onNext(ReplicaWriteResponse r) {
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        out.onNext(ReplicaWriteChunk.newBuilder().setHeader(ReplicaWriteRequest.newBuilder().setKey(key)).build());
        for (int off = 0; off < encoded.length; off += 256 * 1024) {
            out.onNext(ReplicaWriteChunk.newBuilder()
                    .setChunk(ByteString.copyFrom(encoded, off, Math.min(256 * 1024, encoded.length - off))).build());
        }
        out.onCompleted();
        done.get(30, TimeUnit.SECONDS);
    }

    private static Map<Integer, Long> roots(int node) {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        for (VnodeDigest d : admin(node).vnodeDigests(VnodeDigestsRequest.newBuilder().setKeyspace("default").build())
                .getVnodesList()) {
            out.put(d.getVnode(), d.getRoot());
        }
        return out;
    }

    @Test
    void startRepairForANodeBringsItEveryRecordAndListRepairsShowsDone() throws Exception {
        for (int i = 0; i < KEYS; i++) {
            ReplicaWriteRequest w = ReplicaWriteRequest.newBuilder().setKey("k" + i)
                    .setRecord(ByteString.copyFrom(record(i, ("v" + i).getBytes(StandardCharsets.UTF_8)))).build();
            replica(0).write(w);
            replica(1).write(w);
        }
        byte[] large = new byte[LARGE_BYTES];
        new Random(7).nextBytes(large);
        byte[] largeRecord = record(KEYS, large);
        writeLarge(0, "large", largeRecord);
        writeLarge(1, "large", largeRecord);
        assertThat(roots(0)).isEqualTo(roots(1)).isNotEqualTo(roots(2));

        RepairSessionInfo started = admin(0).startRepair(StartRepairRequest.newBuilder().setNode("n3").build());
        assertThat(started.getScope()).isEqualTo("node:n3");
        assertThat(started.getVnodesTotal()).isEqualTo(64);
        RepairSessionInfo session = started;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (session.getState().equals("RUNNING") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            session = admin(0).listRepairs(ListRepairsRequest.newBuilder().setSessionId(started.getSessionId()).build())
                    .getSessions(0);
        }
        assertThat(session.getState()).isEqualTo("DONE");
        assertThat(session.getVnodesDone()).isEqualTo(64);
        assertThat(session.getVnodesFailed()).isZero();
        assertThat(session.getKeysStreamed()).as("every record, to the one node that lacked it").isEqualTo(KEYS + 1);
        assertThat(session.getKeysCompared()).isGreaterThanOrEqualTo(KEYS + 1);
        assertThat(session.getBytesStreamed()).isGreaterThan(LARGE_BYTES);
        assertThat(session.getFinishedAtMillis()).isPositive();

        for (int i = 0; i < KEYS; i++) {
            ReplicaReadResponse r = replica(2).read(ReplicaReadRequest.newBuilder().setKey("k" + i).setDigestOnly(true).build());
            assertThat(r.getFound()).as("k%d on n3", i).isTrue();
            assertThat(r.getDigest()).isEqualTo(replica(0).read(ReplicaReadRequest.newBuilder().setKey("k" + i)
                    .setDigestOnly(true).build()).getDigest());
        }
        ReplicaReadResponse big = replica(2).read(ReplicaReadRequest.newBuilder().setKey("large").setDigestOnly(true).build());
        assertThat(big.getFound()).isTrue();
        assertThat(big.getDigest()).isEqualTo(replica(0).read(ReplicaReadRequest.newBuilder().setKey("large")
                .setDigestOnly(true).build()).getDigest());
        assertThat(roots(2)).isEqualTo(roots(0)).isEqualTo(roots(1));

        // The same session through the command line.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(cli(out, "repairs", "--json", "--endpoint", cluster.addresses.getFirst())).isZero();
        assertThat(out.toString()).contains(started.getSessionId()).contains("\"state\" : \"DONE\"")
                .contains("\"keys_streamed\" : " + (KEYS + 1));
    }

    @Test
    void theCommandLineStartsAndFollowsARepairAndRefusesBadInputWithExitTwo() {
        String endpoint = cluster.addresses.get(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(cli(out, "repair", "--vnode", "3", "--wait", "--json", "--endpoint", endpoint)).isZero();
        assertThat(out.toString()).contains("\"scope\" : \"vnode:3\"").contains("\"state\" : \"DONE\"")
                .contains("\"vnodes_total\" : 1");
        assertThat(cli(new ByteArrayOutputStream(), "repair", "--vnode", "1", "--node", "n3", "--endpoint", endpoint)).isEqualTo(2);
        assertThat(cli(new ByteArrayOutputStream(), "repair", "--vnode", "64", "--endpoint", endpoint)).isEqualTo(2);
        assertThat(cli(new ByteArrayOutputStream(), "repair", "--keyspace", "nope", "--endpoint", endpoint)).isEqualTo(2);
        assertThat(cli(new ByteArrayOutputStream(), "repair", "--node", "n9", "--endpoint", endpoint)).isEqualTo(2);
    }

    private static int cli(ByteArrayOutputStream out, String... args) {
        PrintStream old = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true));
        try {
            return Main.run(args);
        } finally {
            System.setOut(old);
            System.setErr(oldErr);
        }
    }
}
