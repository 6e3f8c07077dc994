package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.ConsistencyLevel;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.GetStreamResponse;
import io.ringkv.api.v1.KVGrpc;
import io.ringkv.api.v1.ListNodesRequest;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.api.v1.PutResponse;
import io.ringkv.api.v1.PutStreamRequest;
import io.ringkv.api.v1.RingView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real nodes on loopback (RocksDB, gRPC over sockets), driven with plain gRPC stubs. */
class NodeServerGrpcTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static ManagedChannel channel;
    static KVGrpc.KVBlockingStub kv;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(3, dir, "rocks", Map.of());
        channel = NettyChannelBuilder.forTarget(cluster.addresses.getFirst()).usePlaintext()
                .maxInboundMessageSize(32 << 20).build();
        kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * Large reads whose clients give up while the value is read (deadlines of 2-62 ms): each stream ends
     * without an exception escaping to the event loop, where Netty would log it with its stack.
     */
    @Test
    void aStreamedReadWhoseClientGaveUpEndsQuietly() throws Exception {
        byte[] value = new byte[4 << 20];
        new Random(11).nextBytes(value);
        for (int k = 0; k < 4; k++) {
            kv().put(PutRequest.newBuilder().setKey("gave-up-" + k).setValue(ByteString.copyFrom(value))
                    .setConsistency(ConsistencyLevel.ALL).build());
        }
        ch.qos.logback.classic.Logger loop = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("io.netty.util.concurrent.AbstractEventExecutor");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        loop.addAppender(seen);
        try {
            // Four waves of sixteen: more at once would fill the nodes' large-value queues (RESOURCE_EXHAUSTED).
            for (int wave = 0; wave < 4; wave++) {
            List<CompletableFuture<Void>> ends = new ArrayList<>();
            for (int i = wave * 16; i < wave * 16 + 16; i++) {
                CompletableFuture<Void> end = new CompletableFuture<>();
                ends.add(end);
                KVGrpc.newStub(channel).withDeadlineAfter(2 + i % 16 * 4, TimeUnit.MILLISECONDS).getStream(
                        GetRequest.newBuilder().setKey("gave-up-" + i % 4).build(), new StreamObserver<>() {
                            @Override
                            public void onNext(GetStreamResponse r) {
                            }

                            @Override
                            public void onError(Throwable t) {
                                end.complete(null);
                            }

                            @Override
                            public void onCompleted() {
                                end.complete(null);
                            }
                        });
            }
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            }
            // The nodes finish their reads after the clients left; give those sends time to happen.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (seen.list.isEmpty() && System.nanoTime() - until < 0) {
                Thread.sleep(50);
            }
            assertThat(seen.list).extracting(e -> e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : ": " + e.getThrowableProxy().getMessage())).isEmpty();
        } finally {
            loop.detachAppender(seen);
        }
        // The nodes serve the value whole again once the abandoned reads are done (bounded: 30 s), so the
        // tests after this one meet idle large-value threads.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                ByteString.Output whole = ByteString.newOutput();
                kv().getStream(GetRequest.newBuilder().setKey("gave-up-0").build())
                        .forEachRemaining(r -> {
                            try {
                                r.getChunk().getData().writeTo(whole);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                assertThat(whole.toByteString().toByteArray()).isEqualTo(value);
                break;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() - until > 0) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static KVGrpc.KVBlockingStub kv() {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Test
    void putThenGetThroughAnyNodeForwardingWhereNeeded() {
        for (int i = 0; i < 50; i++) {
            kv().put(PutRequest.newBuilder().setKey("k" + i).setValue(ByteString.copyFromUtf8("v" + i)).build());
        }
        for (String address : cluster.addresses) {
            ManagedChannel ch = NettyChannelBuilder.forTarget(address).usePlaintext().build();
            try {
                KVGrpc.KVBlockingStub other = KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
                for (int i = 0; i < 50; i++) {
                    GetResponse r = other.get(GetRequest.newBuilder().setKey("k" + i).build());
                    assertThat(r.getFound()).isTrue();
                    assertThat(r.getValues(0).getValue().toStringUtf8()).isEqualTo("v" + i);
                    assertThat(r.getRingEpoch()).isEqualTo(1);
                }
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void deleteHidesTheKey() {
        kv().put(PutRequest.newBuilder().setKey("gone").setValue(ByteString.copyFromUtf8("x")).build());
        kv().delete(DeleteRequest.newBuilder().setKey("gone").build());
        assertThat(kv().get(GetRequest.newBuilder().setKey("gone").build()).getFound()).isFalse();
        assertThat(kv().get(GetRequest.newBuilder().setKey("never-written").build()).getFound()).isFalse();
    }

    @Test
    void badInputGetsInvalidArgumentWithAReason() {
        assertThatThrownBy(() -> kv().put(PutRequest.newBuilder().setKey("").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("key is empty");
                });
        assertThatThrownBy(() -> kv().get(GetRequest.newBuilder().setKey("k").setKeyspace("missing").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("unknown keyspace 'missing'"));
        assertThatThrownBy(() -> kv().get(GetRequest.newBuilder().setKey("k").setR(4).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).isEqualTo("R=4 is more than the keyspace's N=3"));
        assertThatThrownBy(() -> kv().put(PutRequest.newBuilder().setKey("big")
                .setValue(ByteString.copyFrom(new byte[16 * 1024 * 1024 + 1])).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("over the limit of 16777216");
                });
    }

    @Test
    void unaryPutOfAMaximalValueAndStreamedReadBack() throws Exception {
        byte[] value = new byte[16 * 1024 * 1024];
        new Random(7).nextBytes(value);
        kv().put(PutRequest.newBuilder().setKey("max").setValue(ByteString.copyFrom(value))
                .setConsistency(ConsistencyLevel.ALL).build());
        GetResponse capped = kv().get(GetRequest.newBuilder().setKey("max").setMaxInlineBytes(1 << 20).build());
        assertThat(capped.getValuesOmitted()).isTrue();
        assertThat(capped.getValues(0).getSize()).isEqualTo(value.length);
        Iterator<GetStreamResponse> stream = kv().getStream(GetRequest.newBuilder().setKey("max").build());
        GetStreamResponse header = stream.next();
        assertThat(header.getHeader().getValues(0).getSize()).isEqualTo(value.length);
        ByteString.Output out = ByteString.newOutput();
        int chunks = 0;
        while (stream.hasNext()) {
            GetStreamResponse chunk = stream.next();
            assertThat(chunk.getChunk().getData().size()).isLessThanOrEqualTo(256 * 1024);
            chunk.getChunk().getData().writeTo(out);
            chunks++;
        }
        assertThat(chunks).isEqualTo(64);
        assertThat(out.toByteString().toByteArray()).isEqualTo(value);
    }

    @Test
    void putStreamCarriesALargeValueInChunks() throws Exception {
        byte[] value = new byte[5 * 1024 * 1024 + 3];
        new Random(11).nextBytes(value);
        List<PutStreamRequest> messages = new ArrayList<>();
        messages.add(PutStreamRequest.newBuilder().setHeader(PutRequest.newBuilder().setKey("streamed")).build());
        for (int off = 0; off < value.length; off += 100_000) {
            messages.add(PutStreamRequest.newBuilder()
                    .setChunk(ByteString.copyFrom(value, off, Math.min(100_000, value.length - off))).build());
        }
        assertThat(putStream(messages).get(30, TimeUnit.SECONDS).getRingEpoch()).isEqualTo(1);
        assertThat(kv().get(GetRequest.newBuilder().setKey("streamed").build()).getValues(0).getValue().toByteArray())
                .isEqualTo(value);
    }

    /** Sends {@code messages} as one PutStream call; the future holds its answer. */
    private static CompletableFuture<PutResponse> putStream(List<PutStreamRequest> messages) {
        CompletableFuture<PutResponse> done = new CompletableFuture<>();
        StreamObserver<PutStreamRequest> in = KVGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .putStream(new StreamObserver<>() {
                    @Override
                    public void onNext(PutResponse r) {
                        done.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        messages.forEach(in::onNext);
        in.onCompleted();
        return done;
    }

    private static Throwable putStreamFailure(List<PutStreamRequest> messages) throws Exception {
        try {
            putStream(messages).get(30, TimeUnit.SECONDS);
            throw new AssertionError("the stream was accepted");
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void malformedOrOversizedPutStreamsAreRefusedWithAReason() throws Exception {
        PutStreamRequest header = PutStreamRequest.newBuilder().setHeader(PutRequest.newBuilder().setKey("s")).build();
        PutStreamRequest chunk = PutStreamRequest.newBuilder().setChunk(ByteString.copyFrom(new byte[4 << 20])).build();
        assertThat(putStreamFailure(List.of(chunk))).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).isEqualTo("PutStream must start with a header");
        });
        assertThat(putStreamFailure(List.of(header, header))).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getDescription()).isEqualTo("PutStream takes one header, first"));
        // 5 x 4 MiB: one chunk past the 16 MiB value limit.
        assertThat(putStreamFailure(List.of(header, chunk, chunk, chunk, chunk, chunk)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .isEqualTo("PutStream carried more than the limit of 16777216 bytes"));
        assertThat(kv().get(GetRequest.newBuilder().setKey("s").build()).getFound()).isFalse();
    }

    @Test
    void conditionalPutsAnswerFailedPreconditionWhenTheConditionFails() {
        PutResponse first = kv().put(PutRequest.newBuilder().setKey("only-once").setValue(ByteString.copyFromUtf8("1"))
                .setIfAbsent(true).build());
        assertThatThrownBy(() -> kv().put(PutRequest.newBuilder().setKey("only-once")
                .setValue(ByteString.copyFromUtf8("2")).setIfAbsent(true).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("if_absent");
                });
        kv().put(PutRequest.newBuilder().setKey("only-once").setValue(ByteString.copyFromUtf8("3"))
                .setIfMatch(first.getContext()).build());
        assertThat(kv().get(GetRequest.newBuilder().setKey("only-once").build()).getValues(0).getValue().toStringUtf8())
                .isEqualTo("3");
        assertThatThrownBy(() -> kv().put(PutRequest.newBuilder().setKey("only-once").setValue(ByteString.copyFromUtf8("4"))
                .setIfAbsent(true).setIfMatch(first.getContext()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void ringAdminAndHealthEndpointsAnswer() throws Exception {
        RingView ring = kv().getRing(GetRingRequest.getDefaultInstance());
        assertThat(ring.getNodesCount()).isEqualTo(3);
        assertThat(ring.getVnodeCount()).isEqualTo(1024);
        assertThat(ring.getAssignmentsCount()).isEqualTo(1024 * 3);
        var nodes = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
        assertThat(nodes).hasSize(3).allSatisfy(n -> {
            assertThat(n.getHealthy()).isTrue();
            assertThat(n.getRingEpoch()).isEqualTo(1);
        });
        HttpResponse<String> health = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://" + cluster.addresses.getFirst() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("ring_epoch=1");
        HttpResponse<String> docs = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://" + cluster.addresses.getFirst() + "/docs/specification.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.body()).contains("ringkv.v1.KV");
    }

    @Test
    void reflectionListsTheServicesSoGrpcurlNeedsNoProtoFiles() throws Exception {
        var stub = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel);
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        StreamObserver<io.grpc.reflection.v1.ServerReflectionRequest> req = stub.serverReflectionInfo(new StreamObserver<>() {
            final List<String> found = new ArrayList<>();

            @Override
            public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
                r.getListServicesResponse().getServiceList().forEach(s -> found.add(s.getName()));
            }

            @Override
            public void onError(Throwable t) {
                names.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                names.complete(found);
            }
        });
        req.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
        req.onCompleted();
        assertThat(names.get(10, TimeUnit.SECONDS)).contains("ringkv.v1.KV", "ringkv.v1.Admin", "grpc.health.v1.Health");
    }
}
