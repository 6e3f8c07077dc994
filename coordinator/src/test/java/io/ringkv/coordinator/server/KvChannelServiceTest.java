package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.KVChannelGrpc;
import io.ringkv.api.v1.KvBatch;
import io.ringkv.api.v1.KvEnvelope;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.client.GetResult;
import io.ringkv.client.InvalidRequestException;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.Versioned;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients' KV channel on real nodes: four nodes on loopback (N=3, so a node coordinates some
 * keys and forwards the rest), driven at the protocol level with a raw Exchange stream and through
 * the Java client.
 */
class KvChannelServiceTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(4, dir, "memory", Map.of());
        channel = NettyChannelBuilder.forTarget(cluster.addresses.getFirst()).usePlaintext().build();
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

    /** One Exchange stream: replies collected by id. */
    private static final class Exchange implements StreamObserver<KvBatch>, AutoCloseable {
        final Map<Long, KvEnvelope> replies = new ConcurrentHashMap<>();
        final CountDownLatch ended = new CountDownLatch(1);
        final StreamObserver<KvBatch> requests;

        Exchange() {
            requests = KVChannelGrpc.newStub(channel).exchange(this);
        }

        /** Sends each call as a message of its own. */
        synchronized void send(KvEnvelope request) {
            requests.onNext(KvBatch.newBuilder().addCalls(request).build());
        }

        /** Sends the calls as one message. */
        synchronized void sendTogether(java.util.List<KvEnvelope> calls) {
            requests.onNext(KvBatch.newBuilder().addAllCalls(calls).build());
        }

        Map<Long, KvEnvelope> await(int count) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> replies.size() >= count);
            return replies;
        }

        @Override
        public void onNext(KvBatch batch) {
            for (KvEnvelope reply : batch.getCallsList()) {
                assertThat(replies.put(reply.getId(), reply)).as("one reply per id").isNull();
            }
        }

        @Override
        public void onError(Throwable t) {
            ended.countDown();
        }

        @Override
        public void onCompleted() {
            ended.countDown();
        }

        @Override
        public void close() {
            requests.onCompleted();
        }
    }

    private static ByteString utf8(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void manyCallsOnOneStreamAreAnsweredUnderTheirIds() {
        // With N=3 of 4 nodes, n1 replicates about three quarters of these keys and forwards the rest.
        try (Exchange ex = new Exchange()) {
            int n = 60;
            for (int i = 0; i < n; i++) {
                ex.send(KvEnvelope.newBuilder().setId(1000 + i).setTimeoutMillis(5_000)
                        .setPut(PutRequest.newBuilder().setKey("ch-" + i).setValue(utf8("value-" + i))).build());
            }
            Map<Long, KvEnvelope> puts = ex.await(n);
            for (int i = 0; i < n; i++) {
                KvEnvelope reply = puts.get(1000L + i);
                assertThat(reply.getBodyCase()).as("reply to put %d: %s", i, reply).isEqualTo(KvEnvelope.BodyCase.PUT_REPLY);
                assertThat(reply.getPutReply().getRingEpoch()).isEqualTo(1);
            }
            // The gets as one message: each is answered on its own.
            java.util.List<KvEnvelope> gets = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                gets.add(KvEnvelope.newBuilder().setId(2000 + i).setGet(GetRequest.newBuilder().setKey("ch-" + i)).build());
            }
            ex.sendTogether(gets);
            Map<Long, KvEnvelope> got = ex.await(2 * n);
            for (int i = 0; i < n; i++) {
                KvEnvelope reply = got.get(2000L + i);
                assertThat(reply.getBodyCase()).isEqualTo(KvEnvelope.BodyCase.GET_REPLY);
                assertThat(reply.getGetReply().getValues(0).getValue().toStringUtf8()).isEqualTo("value-" + i);
            }
            ex.send(KvEnvelope.newBuilder().setId(3000).setDelete(DeleteRequest.newBuilder().setKey("ch-0")).build());
            assertThat(ex.await(2 * n + 1).get(3000L).getBodyCase()).isEqualTo(KvEnvelope.BodyCase.DELETE_REPLY);
            ex.send(KvEnvelope.newBuilder().setId(3001).setGet(GetRequest.newBuilder().setKey("ch-0")).build());
            assertThat(ex.await(2 * n + 2).get(3001L).getGetReply().getFound()).isFalse();
        }
    }

    @Test
    void badRequestsGetTheirStatusUnderTheirIdAndTheStreamGoesOn() {
        try (Exchange ex = new Exchange()) {
            ex.send(KvEnvelope.newBuilder().setId(1).setPut(PutRequest.newBuilder().setKey("").setValue(utf8("v"))).build());
            ex.send(KvEnvelope.newBuilder().setId(2).setGet(GetRequest.newBuilder().setKey("k").setKeyspace("missing")).build());
            ex.send(KvEnvelope.newBuilder().setId(3).build());
            ex.send(KvEnvelope.newBuilder().setId(4).setGetReply(io.ringkv.api.v1.GetResponse.getDefaultInstance()).build());
            ex.send(KvEnvelope.newBuilder().setId(5).setPut(PutRequest.newBuilder().setKey("fine").setValue(utf8("v"))).build());
            Map<Long, KvEnvelope> r = ex.await(5);
            assertThat(r.get(1L).getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
            assertThat(r.get(1L).getError().getMessage()).contains("key is empty");
            assertThat(r.get(2L).getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
            assertThat(r.get(2L).getError().getMessage()).contains("unknown keyspace 'missing'");
            assertThat(r.get(3L).getError().getMessage()).contains("not a KV request: BODY_NOT_SET");
            assertThat(r.get(4L).getError().getMessage()).contains("not a KV request: GET_REPLY");
            assertThat(r.get(5L).getBodyCase()).isEqualTo(KvEnvelope.BodyCase.PUT_REPLY);
        }
    }

    @Test
    void theJavaClientSendsSmallCallsOnTheChannelAndLargeOnesAsRpcs() {
        try (RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).build()) {
            client.ring();
            for (int i = 0; i < 40; i++) {
                client.put("client-" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
            byte[] large = new byte[300 * 1024];
            new java.util.Random(7).nextBytes(large);
            client.put("client-large", large);
            for (int i = 0; i < 40; i++) {
                assertThat(client.get("client-" + i).latest()).map(Versioned::value)
                        .hasValue(("v" + i).getBytes(StandardCharsets.UTF_8));
            }
            GetResult got = client.get("client-large");
            assertThat(got.latest()).map(Versioned::value).hasValue(large);
            client.delete("client-1");
            assertThat(client.get("client-1").found()).isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.get("k", io.ringkv.client.ReadOptions.defaults()
                            .withKeyspace("missing")))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("unknown keyspace 'missing'");
            // Every node the client routed to holds one open stream from it.
            int streams = cluster.nodes.stream().mapToInt(NodeServer::kvChannelStreams).sum();
            assertThat(streams).isGreaterThanOrEqualTo(3);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> cluster.nodes.stream().mapToInt(NodeServer::kvChannelStreams).sum() == 0);
    }

    @Test
    void aClientWithTheChannelOffOpensNoStream() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> cluster.nodes.stream().mapToInt(NodeServer::kvChannelStreams).sum() == 0);
        try (RingkvClient client = RingkvClient.builder().seeds(cluster.addresses).kvChannel(false).build()) {
            for (int i = 0; i < 20; i++) {
                client.put("off-" + i, new byte[] {(byte) i});
                assertThat(client.get("off-" + i).found()).isTrue();
            }
            assertThat(cluster.nodes.stream().mapToInt(NodeServer::kvChannelStreams).sum()).isZero();
        }
    }
}
