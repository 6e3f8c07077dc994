package io.ringkv.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.ReplicaChannelGrpc;
import io.ringkv.api.v1.ReplicaBatch;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.membership.RingHolder;
import io.ringkv.coordinator.priority.LargeValueExecutor;
import io.ringkv.coordinator.priority.LargeValueSettings;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.time.SystemTimer;
import io.ringkv.coordinator.transport.GrpcTransport;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.transport.ReplicaChannelSettings;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.memory.MemoryEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.VersionKind;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The multiplexed replica channel end to end: {@link GrpcTransport} against a real Armeria server
 * serving the real replica services, which counts the HTTP requests it gets by path (one Exchange
 * stream, or unary Write/Read/Ping calls) and can stop answering on the channel.
 */
class ReplicaChannelTest {
    private static final String PEER = "peer";
    private static final AtomicLong HLC = new AtomicLong(1);

    private final LocalReplica replica = new LocalReplica(
            new ChunkingEngine(new MemoryEngine(), ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS),
            Keyspaces.of(List.of()), StorageLimits.DEFAULTS);
    private final SystemTimer timer = new SystemTimer();
    private LargeValueExecutor largeValues = new LargeValueExecutor(LargeValueSettings.DEFAULTS);
    private Peer peer;
    private GrpcTransport transport;

    /** A replica node reduced to its replica services, on a fixed port so it can restart in place. */
    private final class Peer implements AutoCloseable {
        final int port;
        final Map<String, AtomicInteger> requestsByPath = new ConcurrentHashMap<>();
        volatile boolean silent;
        Server server;
        ReplicaChannelService channel;
        ReplicaGrpcService unary;

        Peer(int port) {
            this.port = port;
        }

        Peer start() {
            unary = new ReplicaGrpcService(replica, new RingHolder(), PEER,
                    StorageLimits.ABSOLUTE_MAX_VALUE_BYTES,
                    new io.ringkv.coordinator.repair.LocalRepairPeer(PEER, replica, Keyspaces.of(List.of())), largeValues);
            channel = new ReplicaChannelService(unary);
            ReplicaChannelGrpc.ReplicaChannelImplBase muteable = new ReplicaChannelGrpc.ReplicaChannelImplBase() {
                @Override
                public StreamObserver<ReplicaBatch> exchange(StreamObserver<ReplicaBatch> out) {
                    StreamObserver<ReplicaBatch> in = channel.exchange(out);
                    return new StreamObserver<>() {
                        @Override
                        public void onNext(ReplicaBatch request) {
                            if (!silent) {
                                in.onNext(request);
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            in.onError(t);
                        }

                        @Override
                        public void onCompleted() {
                            in.onCompleted();
                        }
                    };
                }
            };
            server = Server.builder()
                    .port(new InetSocketAddress("127.0.0.1", port), SessionProtocol.HTTP)
                    .gracefulShutdownTimeoutMillis(0, 0)
                    .maxRequestLength(64L << 20)
                    .meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
                    .service(GrpcService.builder().addService(unary).addService(muteable)
                            .maxRequestMessageLength(32 << 20).maxResponseMessageLength(32 << 20)
                            .useBlockingTaskExecutor(false).build())
                    .decorator((delegate, ctx, req) -> {
                        requestsByPath.computeIfAbsent(ctx.path(), p -> new AtomicInteger()).incrementAndGet();
                        return delegate.serve(ctx, req);
                    })
                    .build();
            server.start().join();
            return this;
        }

        int requests(String method) {
            String path = method.equals("Exchange") ? "/ringkv.v1.ReplicaChannel/Exchange" : "/ringkv.v1.Replica/" + method;
            AtomicInteger n = requestsByPath.get(path);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() {
            server.stop().join();
        }
    }

    @BeforeEach
    void start() throws Exception {
        peer = new Peer(LocalCluster.freePort()).start();
    }

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
        peer.close();
        timer.close();
        largeValues.close();
    }

    /** Writes 300 KiB of random bytes (a large record: chunked, large-value threads) under "large" on the peer. */
    private static byte[] storeLarge(GrpcTransport t, long seed) throws Exception {
        byte[] large = new byte[300 * 1024];
        new java.util.Random(seed).nextBytes(large);
        t.write(PEER, write("large", large), 10_000).get(30, TimeUnit.SECONDS);
        return large;
    }

    /** Restarts the peer in place with one large-value thread and room for {@code queue} waiting tasks. */
    private void restartWithOneLargeValueThread(int queue) {
        largeValues.close();
        largeValues = new LargeValueExecutor(new LargeValueSettings(1, 0, queue));
        peer.close();
        peer = new Peer(peer.port).start();
    }

    private GrpcTransport transport(ReplicaChannelSettings settings) {
        String address = "127.0.0.1:" + peer.port;
        // selfId is not the peer: every call goes over the network (the local replica is only for self calls).
        transport = new GrpcTransport("caller", null, id -> Optional.of(address), List.of(), settings, timer);
        return transport;
    }

    private static ReplicaWrite write(String key, byte[] value) {
        Record record = Record.value(VersionKind.LWW, new LwwVersion(HLC.incrementAndGet(), "caller").encode(),
                System.currentTimeMillis(), value);
        return new ReplicaWrite("default", key, record, 0);
    }

    private static ReplicaRead read(String key) {
        return new ReplicaRead("default", key, false, 0);
    }

    private static PeerException peerFailure(CompletableFuture<?> call) {
        try {
            call.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(PeerException.class);
            return (PeerException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void concurrentSmallCallsShareOneStreamAndEachGetsItsOwnReply() throws Exception {
        GrpcTransport t = transport(ReplicaChannelSettings.DEFAULTS);
        List<Thread> threads = new ArrayList<>();
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        for (int w = 0; w < 8; w++) {
            int worker = w;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 50; i++) {
                    String key = "k-" + worker + "-" + i;
                    byte[] value = (key + "-value").getBytes();
                    try {
                        t.write(PEER, write(key, value), 5_000).get(30, TimeUnit.SECONDS);
                        ReadReply reply = t.read(PEER, read(key), 5_000).get(30, TimeUnit.SECONDS);
                        if (!reply.found() || !java.util.Arrays.equals(reply.record().value(), value)) {
                            failures.put(key, new AssertionError("wrong reply for " + key));
                        }
                    } catch (Exception e) {
                        failures.put(key, e);
                    }
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(failures).isEmpty();
        t.ping(PEER, 5_000).get(30, TimeUnit.SECONDS);
        assertThat(peer.requests("Exchange")).isEqualTo(1);
        assertThat(peer.requests("Write") + peer.requests("Read") + peer.requests("Ping")).isZero();
        assertThat(peer.channel.openStreams()).isEqualTo(1);
    }

    @Test
    void aReplyThatDoesNotComeInTimeFailsAsATimeoutAndTheStreamStaysUsable() throws Exception {
        GrpcTransport t = transport(ReplicaChannelSettings.DEFAULTS);
        t.write(PEER, write("k", "v".getBytes()), 5_000).get(30, TimeUnit.SECONDS);
        peer.silent = true;
        assertThat(peerFailure(t.read(PEER, read("k"), 100)).timedOut()).isTrue();
        assertThat(peerFailure(t.write(PEER, write("k", "w".getBytes()), 100)).timedOut()).isTrue();
        peer.silent = false;
        assertThat(t.read(PEER, read("k"), 5_000).get(30, TimeUnit.SECONDS).record().value()).isEqualTo("v".getBytes());
        assertThat(peer.requests("Exchange")).isEqualTo(1);
        assertThat(peer.requests("Read") + peer.requests("Write")).isZero();
    }

    @Test
    void aReplicaErrorComesBackAsThatCallsFailureNotTheStreams() throws Exception {
        GrpcTransport t = transport(ReplicaChannelSettings.DEFAULTS);
        PeerException e = peerFailure(t.read(PEER, new ReplicaRead("no-such-keyspace", "k", false, 0), 5_000));
        assertThat(e.timedOut()).isFalse();
        assertThat(e.getMessage()).contains("no-such-keyspace");
        t.write(PEER, write("k", "v".getBytes()), 5_000).get(30, TimeUnit.SECONDS);
        assertThat(peer.requests("Exchange")).isEqualTo(1);
    }

    @Test
    void recordsOverTheInlineLimitUseTheUnaryAndStreamingRpcs() throws Exception {
        GrpcTransport t = transport(new ReplicaChannelSettings(true, 4096, 100, 200));
        byte[] medium = new byte[200 * 1024];
        byte[] large = new byte[2 * 1024 * 1024 + 7];
        new java.util.Random(7).nextBytes(medium);
        new java.util.Random(8).nextBytes(large);
        t.write(PEER, write("medium", medium), 10_000).get(30, TimeUnit.SECONDS);
        t.write(PEER, write("large", large), 10_000).get(30, TimeUnit.SECONDS);
        t.write(PEER, write("small", new byte[1000]), 10_000).get(30, TimeUnit.SECONDS);
        assertThat(peer.requests("Write")).isEqualTo(1);
        assertThat(peer.requests("WriteStream")).isEqualTo(1);
        assertThat(peer.requests("Exchange")).isEqualTo(1);

        // A read cannot know the size beforehand: the channel answers with the size, then the record
        // comes the unary (or, over 1 MiB, the streaming) way.
        assertThat(t.read(PEER, read("medium"), 10_000).get(30, TimeUnit.SECONDS).record().value()).isEqualTo(medium);
        assertThat(t.read(PEER, read("large"), 10_000).get(30, TimeUnit.SECONDS).record().value()).isEqualTo(large);
        assertThat(t.read(PEER, read("small"), 10_000).get(30, TimeUnit.SECONDS).record().value()).hasSize(1000);
        assertThat(peer.requests("Read")).isEqualTo(2);
        assertThat(peer.requests("ReadStream")).isEqualTo(1);
        // Digests of large records need no record: they stay on the channel.
        assertThat(t.read(PEER, new ReplicaRead("default", "large", true, 0), 10_000).get(30, TimeUnit.SECONDS).found()).isTrue();
        assertThat(peer.requests("Read")).isEqualTo(2);
        assertThat(peer.requests("Exchange")).isEqualTo(1);
    }

    @Test
    void aChunkedRecordUnderTheInlineLimitComesWholeOverTheChannel() throws Exception {
        GrpcTransport t = transport(new ReplicaChannelSettings(true, 256 * 1024, 100, 200));
        byte[] chunked = new byte[100 * 1024];
        new java.util.Random(9).nextBytes(chunked);
        t.write(PEER, write("chunked", chunked), 10_000).get(30, TimeUnit.SECONDS);

        ReadReply reply = t.read(PEER, read("chunked"), 10_000).get(30, TimeUnit.SECONDS);

        assertThat(reply.record().value()).isEqualTo(chunked);
        assertThat(t.read(PEER, read("absent"), 10_000).get(30, TimeUnit.SECONDS).found()).isFalse();
        assertThat(peer.requests("Read")).isZero();
        assertThat(peer.requests("ReadStream")).isZero();
        assertThat(peer.requests("Exchange")).isEqualTo(1);
    }

    @Test
    void aLargeValueCallPastTheLargeValueQueueIsRefusedAsOverloadedAndTheNextOneServed() throws Exception {
        // One large-value thread, one waiting task: held by a task of the test's own, then one queued.
        restartWithOneLargeValueThread(1);
        GrpcTransport t = transport(new ReplicaChannelSettings(true, 4096, 100, 200));
        byte[] large = storeLarge(t, 10);
        try (io.ringkv.coordinator.priority.HeldThread held = io.ringkv.coordinator.priority.HeldThread.of(largeValues)) {
            largeValues.execute(() -> { });
            PeerException refused = peerFailure(t.read(PEER, read("large"), 10_000));
            assertThat(refused.getMessage()).contains("RESOURCE_EXHAUSTED").contains("large_value_queue");
        }
        io.ringkv.coordinator.priority.HeldThread.drained(largeValues);
        // Nothing was lost: once the queue drains the same read is served whole.
        assertThat(t.read(PEER, read("large"), 10_000).get(30, TimeUnit.SECONDS).record().value()).isEqualTo(large);
    }

    @Test
    void aLargeValueCallWhoseCallerGaveUpWhileItWaitedForAThreadIsNotServed() throws Exception {
        restartWithOneLargeValueThread(8);
        GrpcTransport t = transport(new ReplicaChannelSettings(true, 4096, 100, 200));
        byte[] large = storeLarge(t, 11);
        try (io.ringkv.coordinator.priority.HeldThread held = io.ringkv.coordinator.priority.HeldThread.of(largeValues)) {
            // The read waits in the queue behind the held thread until its caller gives up.
            assertThat(peerFailure(t.read(PEER, read("large"), 300)).timedOut()).isTrue();
            // The replica counts the 300 ms from when the call reached it, a little after the caller did.
            Thread.sleep(250);
        }
        io.ringkv.coordinator.priority.HeldThread.drained(largeValues);
        assertThat(peer.unary.expiredCalls()).as("the read that outlived its caller's timeout").isEqualTo(1);
        // A read with time to wait is served whole.
        assertThat(t.read(PEER, read("large"), 10_000).get(30, TimeUnit.SECONDS).record().value()).isEqualTo(large);
        assertThat(peer.unary.expiredCalls()).isEqualTo(1);
        assertThat(peer.requests("Exchange")).isEqualTo(1);
    }

    @Test
    void pastMaxInFlightCallsGoUnary() throws Exception {
        GrpcTransport t = transport(new ReplicaChannelSettings(true, 64 * 1024, 1, 200));
        t.write(PEER, write("k", "v".getBytes()), 5_000).get(30, TimeUnit.SECONDS);
        peer.silent = true;
        CompletableFuture<ReadReply> stuck = t.read(PEER, read("k"), 2_000);
        // The one slot is taken: this call goes as a unary RPC, which the peer still answers.
        assertThat(t.read(PEER, read("k"), 5_000).get(30, TimeUnit.SECONDS).found()).isTrue();
        assertThat(peer.requests("Read")).isEqualTo(1);
        assertThat(peerFailure(stuck).timedOut()).isTrue();
        peer.silent = false;
        t.read(PEER, read("k"), 5_000).get(30, TimeUnit.SECONDS);
        assertThat(peer.requests("Read")).isEqualTo(1);
    }

    @Test
    void aPeerRestartFailsTheCallsInFlightAndANewStreamIsOpened() throws Exception {
        GrpcTransport t = transport(ReplicaChannelSettings.DEFAULTS);
        t.write(PEER, write("k", "v".getBytes()), 5_000).get(30, TimeUnit.SECONDS);
        peer.silent = true;
        List<CompletableFuture<ReadReply>> inFlight = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            inFlight.add(t.read(PEER, read("k"), 20_000));
        }
        peer.close();
        for (CompletableFuture<ReadReply> call : inFlight) {
            // The stream broke: each call fails at once, not after its 20 s timeout.
            assertThat(peerFailure(call).timedOut()).isFalse();
        }
        // While the peer is down, calls fail (unary fallback during the backoff, then new streams that fail).
        assertThat(peerFailure(t.read(PEER, read("k"), 2_000)).timedOut()).isFalse();

        peer = new Peer(peer.port).start();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().untilAsserted(() ->
                assertThat(t.read(PEER, read("k"), 1_000).get(5, TimeUnit.SECONDS).found()).isTrue());
        // Once the backoff is over, calls are back on one new stream.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            int unary = peer.requests("Read");
            t.read(PEER, read("k"), 5_000).get(5, TimeUnit.SECONDS);
            assertThat(peer.requests("Read")).isEqualTo(unary);
        });
        assertThat(peer.requests("Exchange")).isEqualTo(1);
        assertThatThrownBy(() -> t.read(PEER, new ReplicaRead("no-such-keyspace", "k", false, 0), 5_000)
                .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(PeerException.class);
    }

    @Test
    void disabledMeansEveryCallIsAUnaryRpc() throws Exception {
        GrpcTransport t = transport(ReplicaChannelSettings.DISABLED);
        t.write(PEER, write("k", "v".getBytes()), 5_000).get(30, TimeUnit.SECONDS);
        t.read(PEER, read("k"), 5_000).get(30, TimeUnit.SECONDS);
        t.ping(PEER, 5_000).get(30, TimeUnit.SECONDS);
        assertThat(peer.requests("Exchange")).isZero();
        assertThat(peer.requests("Write")).isEqualTo(1);
        assertThat(peer.requests("Read")).isEqualTo(1);
        assertThat(peer.requests("Ping")).isEqualTo(1);
    }

    @Test
    void closingTheServiceEndsItsStreamsAndCallersReconnect() throws Exception {
        GrpcTransport t = transport(ReplicaChannelSettings.DEFAULTS);
        t.write(PEER, write("k", "v".getBytes()), 5_000).get(30, TimeUnit.SECONDS);
        assertThat(peer.channel.openStreams()).isEqualTo(1);
        peer.channel.close();
        assertThat(peer.channel.openStreams()).isZero();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            t.read(PEER, read("k"), 5_000).get(5, TimeUnit.SECONDS);
            assertThat(peer.requests("Exchange")).isEqualTo(2);
        });
    }
}
