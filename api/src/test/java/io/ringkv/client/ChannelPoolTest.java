package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.KVGrpc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The large values' channel to a node that came back while that channel was still backing off. */
class ChannelPoolTest {
    private final ChannelPool pool = new ChannelPool(64 << 20, 1_000);
    private Server server;

    @AfterEach
    void stop() {
        pool.close();
        if (server != null) {
            server.shutdownNow();
        }
    }

    private static Server serve(int port) throws java.io.IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new KVGrpc.KVImplBase() {
                    @Override
                    public void get(GetRequest request, StreamObserver<GetResponse> out) {
                        out.onNext(GetResponse.newBuilder().setRingEpoch(7).build());
                        out.onCompleted();
                    }
                })
                .build().start();
    }

    /** Asks {@code channel} to connect until it has failed {@code times} times (its backoff grows each time). */
    private static void failToConnect(ManagedChannel channel, int times) {
        for (int i = 0; i < times; i++) {
            channel.resetConnectBackoff();
            channel.getState(true);
            try {
                Thread.sleep(100); // a refused connection fails in well under this
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                    .until(() -> channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE);
        }
    }

    @Test
    void aBulkChannelStillBackingOffReconnectsAtOnceWhenTheNodeAnswersOnTheOther() throws Exception {
        // A free port with nothing listening: the node is down.
        Server probe = serve(0);
        int port = probe.getPort();
        probe.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        String address = "127.0.0.1:" + port;
        ManagedChannel small = pool.channel(address);
        ManagedChannel bulk = pool.bulkChannel(address);
        failToConnect(bulk, 5); // a backoff of several seconds now (1 s, then 1.6 times longer per failure)
        failToConnect(small, 1);
        assertThat(pool.reconnectBulkIfNodeIsUp(address)).as("the node is not up yet").isFalse();

        server = serve(port); // the node is back
        small.resetConnectBackoff();
        small.getState(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> small.getState(false) == ConnectivityState.READY);
        assertThat(bulk.getState(false)).as("still backing off").isEqualTo(ConnectivityState.TRANSIENT_FAILURE);

        assertThat(pool.reconnectBulkIfNodeIsUp(address)).isTrue();
        // Well inside what is left of its backoff (seconds after four failures), it is connected.
        await().atMost(Duration.ofMillis(500)).pollInterval(Duration.ofMillis(5))
                .until(() -> bulk.getState(false) == ConnectivityState.READY);
        GetResponse response = KVGrpc.newBlockingStub(bulk).withWaitForReady().withDeadlineAfter(1, TimeUnit.SECONDS)
                .get(GetRequest.newBuilder().setKey("k").build());
        assertThat(response.getRingEpoch()).isEqualTo(7);
        assertThat(pool.reconnectBulkIfNodeIsUp(address)).as("connected: nothing to do").isFalse();
    }

    @Test
    void aBulkChannelGoesToTheBulkPortFollowsItWhenItMovesAndRunsItsCallbacksAtTheBulkNice() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.ringkv.priority.ThreadNice.supported(), "thread priorities need Linux");
        java.util.Optional<Integer> jvm = io.ringkv.priority.ThreadNice.current();
        org.junit.jupiter.api.Assumptions.assumeTrue(jvm.isPresent() && jvm.get() < 7, "this JVM runs at nice " + jvm);
        try (ChannelPool nice = new ChannelPool(64 << 20, 1_000, java.util.List.of(), 7)) {
            server = serve(0);
            String address = "127.0.0.1:1"; // the node's main address: never dialled by a bulk channel with a target
            String target = "127.0.0.1:" + server.getPort();
            ManagedChannel bulk = nice.bulkChannel(address, target);
            assertThat(bulk.authority()).isEqualTo(target);
            assertThat(nice.bulkChannel(address, target)).isSameAs(bulk);
            java.util.concurrent.CompletableFuture<java.util.Optional<Integer>> seen = new java.util.concurrent.CompletableFuture<>();
            KVGrpc.newStub(bulk).withDeadlineAfter(5, TimeUnit.SECONDS).get(GetRequest.newBuilder().setKey("k").build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(GetResponse value) {
                            seen.complete(io.ringkv.priority.ThreadNice.current());
                        }

                        @Override
                        public void onError(Throwable t) {
                            seen.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            assertThat(seen.get(5, TimeUnit.SECONDS)).as("nice of the thread that ran the callback").hasValue(7);
            assertThat(nice.bulkChannelFailing(address, target)).isFalse();

            // The node restarted on another bulk port: the old one refuses, the ring names the new one.
            int oldPort = server.getPort();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try {
                    KVGrpc.newBlockingStub(bulk).withDeadlineAfter(1, TimeUnit.SECONDS)
                            .get(GetRequest.newBuilder().setKey("k").build());
                } catch (io.grpc.StatusRuntimeException e) {
                    // refused: the channel backs off
                }
                return nice.bulkChannelFailing(address, target);
            });
            server = serve(0);
            String moved = "127.0.0.1:" + server.getPort();
            assertThat(server.getPort()).isNotEqualTo(oldPort);
            // The ring names the new port: the failing channel to the old one does not hold the lane back.
            assertThat(nice.bulkChannelFailing(address, moved)).isFalse();
            ManagedChannel again = nice.bulkChannel(address, moved);
            assertThat(again).isNotSameAs(bulk);
            assertThat(again.authority()).isEqualTo(moved);
            assertThat(bulk.isShutdown()).as("the channel to the old port").isTrue();
            assertThat(KVGrpc.newBlockingStub(again).withWaitForReady().withDeadlineAfter(5, TimeUnit.SECONDS)
                    .get(GetRequest.newBuilder().setKey("k").build()).getRingEpoch()).isEqualTo(7);
            assertThat(nice.bulkChannelFailing(address, moved)).isFalse();
        }
    }
}
