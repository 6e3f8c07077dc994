package io.ringkv.coordinator.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.ClientInterceptor;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.PingRequest;
import io.ringkv.api.v1.PingResponse;
import io.ringkv.api.v1.ReplicaCallError;
import io.ringkv.api.v1.ReplicaChannelGrpc;
import io.ringkv.api.v1.ReplicaBatch;
import io.ringkv.api.v1.ReplicaEnvelope;
import io.ringkv.api.v1.ReplicaGrpc;
import io.ringkv.api.v1.ReplicaReadChunk;
import io.ringkv.api.v1.ReplicaReadRequest;
import io.ringkv.api.v1.ReplicaReadResponse;
import io.ringkv.api.v1.ReplicaWriteChunk;
import io.ringkv.api.v1.ReplicaWriteRequest;
import io.ringkv.api.v1.ReplicaWriteResponse;
import io.ringkv.coordinator.concurrent.Failures;
import io.ringkv.coordinator.priority.LargeValueExecutor;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Timer;
import io.ringkv.observability.Spans;
import io.ringkv.storage.record.RecordCodec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * {@link Transport} over gRPC: one channel per peer address, a deadline per call. Calls to this
 * node itself go straight to the local replica. Records larger than {@link #STREAM_THRESHOLD_BYTES}
 * travel as streams of {@link #CHUNK_BYTES} chunks, so no message comes near gRPC's limits and a
 * large value never holds up small ones on the connection.
 *
 * <p>With {@link ReplicaChannelSettings#enabled()}, calls with records up to its
 * {@code maxRecordBytes} (and pings) go over one multiplexed stream per peer
 * ({@link ReplicaChannelClient}) instead of one RPC each; larger records, and any call the channel
 * declines (backing off after a failure, too many in flight), use the unary and streaming RPCs.
 */
public final class GrpcTransport implements Transport, AutoCloseable {
    public static final int STREAM_THRESHOLD_BYTES = 1 << 20;
    public static final int CHUNK_BYTES = 256 * 1024;

    private final String selfId;
    private final LocalReplica local;
    private final Function<String, Optional<String>> addressOf;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, ReplicaGrpc.ReplicaStub> replicaStubs = new ConcurrentHashMap<>();
    private final List<ClientInterceptor> interceptors;
    private final ReplicaChannelSettings channelSettings;
    /**
     * True for a call that must travel as its own RPC: the channel's envelope carries no trace
     * context, so a call inside a sampled trace goes unary, where the interceptors propagate it.
     */
    private volatile java.util.function.BooleanSupplier unaryRequired = () -> false;
    private final Timer timer;
    private final Map<String, ReplicaChannelClient> replicaChannels = new ConcurrentHashMap<>();
    private final LargeValueExecutor largeValues;
    private volatile BulkLane bulkLane;
    /** Records above this size go over the bulk lane (the size above which records are stored in chunks). */
    private final int largeRecordBytes;

    /**
     * @param addressOf maps a node id to its {@code host:port} on the current ring
     */
    public GrpcTransport(String selfId, LocalReplica local, Function<String, Optional<String>> addressOf) {
        this(selfId, local, addressOf, List.of());
    }

    /** @param interceptors on every channel and replica stub (trace context propagation) */
    public GrpcTransport(String selfId, LocalReplica local, Function<String, Optional<String>> addressOf,
                         List<ClientInterceptor> interceptors) {
        this(selfId, local, addressOf, interceptors, ReplicaChannelSettings.DISABLED, null);
    }

    /**
     * @param channelSettings whether and for what the multiplexed replica channel is used
     * @param timer           enforces the timeouts of calls on the replica channel (unused when it is disabled)
     */
    public GrpcTransport(String selfId, LocalReplica local, Function<String, Optional<String>> addressOf,
                         List<ClientInterceptor> interceptors, ReplicaChannelSettings channelSettings, Timer timer) {
        this(selfId, local, addressOf, interceptors, channelSettings, timer, null);
    }

    /**
     * @param largeValues runs this node's reads and writes of its own records stored in chunks; null:
     *                    virtual threads
     */
    public GrpcTransport(String selfId, LocalReplica local, Function<String, Optional<String>> addressOf,
                         List<ClientInterceptor> interceptors, ReplicaChannelSettings channelSettings, Timer timer,
                         LargeValueExecutor largeValues) {
        if (channelSettings.enabled() && timer == null) {
            throw new IllegalArgumentException("the replica channel needs a timer");
        }
        this.selfId = selfId;
        this.local = local;
        this.addressOf = addressOf;
        this.interceptors = List.copyOf(interceptors);
        this.channelSettings = channelSettings;
        this.timer = timer;
        this.largeValues = largeValues;
        this.largeRecordBytes = local == null ? io.ringkv.storage.chunk.ChunkingConfig.DEFAULTS.thresholdBytes()
                : local.largeRecordBytes();
    }

    /**
     * Calls for which {@code required} is true (checked on the calling thread) bypass the replica
     * channel; the node passes "the current trace is sampled" when tracing is on.
     */
    public void unaryWhen(java.util.function.BooleanSupplier required) {
        this.unaryRequired = required;
    }

    /** The replica channel to a peer, or null when the channel is disabled or this call must go unary. */
    private ReplicaChannelClient replicaChannel(String nodeId) {
        if (!channelSettings.enabled() || unaryRequired.getAsBoolean()) {
            return null;
        }
        String address = addressOf.apply(nodeId)
                .orElseThrow(() -> new PeerException(nodeId, false, "not on the ring"));
        return replicaChannels.computeIfAbsent(address, a -> {
            // h2c: HTTP/2 from the first byte. With plain "http" the client may first probe the protocol on
            // the new connection, and a long-lived stream opened during that probe failed with it.
            ReplicaChannelGrpc.ReplicaChannelStub stub = com.linecorp.armeria.client.grpc.GrpcClients
                    .builder("h2c://" + a)
                    .maxResponseMessageLength(STREAM_THRESHOLD_BYTES * 4)
                    .maxRequestMessageLength(STREAM_THRESHOLD_BYTES * 4)
                    // The stream lives as long as the peer: no whole-response timeout or length cap.
                    // Each call on it has its own timeout (ReplicaChannelClient).
                    .responseTimeoutMillis(0)
                    .maxResponseLength(0)
                    .build(ReplicaChannelGrpc.ReplicaChannelStub.class);
            return new ReplicaChannelClient(a, replies -> openExchange(stub, replies), timer, Clock.SYSTEM, channelSettings);
        });
    }

    /**
     * Starts an Exchange call from a thread with no request context (the stream outlives whatever request
     * first needed it) and returns a sender that writes on the call's event loop.
     */
    private static StreamObserver<ReplicaEnvelope> openExchange(ReplicaChannelGrpc.ReplicaChannelStub stub,
                                                                StreamObserver<ReplicaEnvelope> replies) {
        var opened = new CompletableFuture<StreamObserver<ReplicaEnvelope>>();
        Thread.ofVirtual().name("replica-channel-open").start(() -> {
            try (com.linecorp.armeria.client.ClientRequestContextCaptor captor =
                         com.linecorp.armeria.client.Clients.newContextCaptor()) {
                StreamObserver<ReplicaBatch> out = stub.exchange(
                        EventLoopSender.unbatching(replies, ReplicaBatch::getCallsList));
                opened.complete(new EventLoopSender<ReplicaEnvelope, ReplicaBatch>(out, captor.get().eventLoop(),
                        calls -> ReplicaBatch.newBuilder().addAllCalls(calls).build(), ReplicaEnvelope::getSerializedSize));
            } catch (RuntimeException e) {
                opened.completeExceptionally(e);
            }
        });
        try {
            return opened.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the replica channel");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the replica channel did not open within 10 s");
        }
    }

    /** Completes {@code result} from a channel reply: {@code map} of the reply, or the replica's error. */
    private static <T> void completeFrom(String nodeId, CompletableFuture<ReplicaEnvelope> reply,
                                         CompletableFuture<T> result, Function<ReplicaEnvelope, T> map) {
        reply.whenComplete((env, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else if (env.hasError()) {
                result.completeExceptionally(toPeerException(nodeId, env.getError()));
            } else {
                try {
                    result.complete(map.apply(env));
                } catch (RuntimeException e) {
                    result.completeExceptionally(new PeerException(nodeId, false, "bad reply: " + e.getMessage()));
                }
            }
        });
    }

    static PeerException toPeerException(String nodeId, ReplicaCallError error) {
        Status.Code code = Status.fromCodeValue(error.getCode()).getCode();
        return peerException(nodeId, code, false, code + (error.getMessage().isEmpty() ? "" : ": " + error.getMessage()));
    }

    /** The failure a peer's status {@code code} means: overloaded, timed out, or another (refused as invalid if {@code rejected}). */
    private static PeerException peerException(String nodeId, Status.Code code, boolean rejected, String message) {
        return code == Status.Code.RESOURCE_EXHAUSTED ? PeerException.overloaded(nodeId, message)
                : new PeerException(nodeId, code == Status.Code.DEADLINE_EXCEEDED, rejected, message);
    }

    /** The channel to a peer, created on first use. */
    public ManagedChannel channel(String nodeId) {
        String address = addressOf.apply(nodeId)
                .orElseThrow(() -> new PeerException(nodeId, false, "not on the ring"));
        return channelTo(address);
    }

    /** The channel to a {@code host:port}, created on first use (for nodes not on the ring yet). */
    public ManagedChannel channelTo(String address) {
        return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a).usePlaintext()
                .maxInboundMessageSize(STREAM_THRESHOLD_BYTES * 4)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .intercept(interceptors)
                .build());
    }

    /**
     * The replica stub of a peer. Replica calls go through Armeria's gRPC client, which runs on the
     * same event loops as the node's server: a coordinator's call to a replica and the reply that
     * completes the client's request stay on those threads instead of hopping to a second Netty.
     */
    private ReplicaGrpc.ReplicaStub stub(String nodeId, long timeoutMillis) {
        String address = addressOf.apply(nodeId)
                .orElseThrow(() -> new PeerException(nodeId, false, "not on the ring"));
        return replicaStubs.computeIfAbsent(address, a -> com.linecorp.armeria.client.grpc.GrpcClients
                        .builder("http://" + a)
                        .maxResponseMessageLength(STREAM_THRESHOLD_BYTES * 4)
                        .maxRequestMessageLength(STREAM_THRESHOLD_BYTES * 4)
                        // No cap on a call's whole response (Armeria's default is 10 MiB): a streamed record,
                        // a repair's digest pages or a vnode's transfer may be larger; each message is capped above.
                        .maxResponseLength(0)
                        // A cap for calls without a deadline; every replica call sets its own, shorter one.
                        .responseTimeoutMillis(60_000)
                        .intercept(interceptors)
                        .build(ReplicaGrpc.ReplicaStub.class))
                .withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Large-record calls to peers go over {@code lane} (see {@link BulkLane}); without it, over the
     * peers' main ports like every other call.
     */
    public void useBulkLane(BulkLane lane) {
        this.bulkLane = lane;
    }

    /** This node's bulk port, once its bulk server listens. */
    public void ownBulkPort(int port) {
        BulkLane lane = bulkLane;
        if (lane != null) {
            lane.ownPort(port);
        }
    }

    /** The bulk port of a node as this node knows it (its own included), or 0. */
    public int bulkPortOf(String nodeId) {
        BulkLane lane = bulkLane;
        if (lane == null) {
            return 0;
        }
        return nodeId.equals(selfId) ? lane.ownPort() : lane.portOf(nodeId);
    }

    /**
     * A call that carries a large record: its stub, and the future its observer completes. On the
     * peer's bulk lane when its port is known; else on its main port, completing {@code result}
     * itself. A bulk call's failure (other than a refusal of the request) says the lane is busy or
     * moved, not that the node is down: it reaches {@code result} as an overload, which the failure
     * detector does not count (pings, on the main port, decide), and the lane forgets the port until
     * the next ping names it again.
     */
    private <T> BulkCall<T> bulkCall(String nodeId, long timeoutMillis, CompletableFuture<T> result) {
        BulkLane lane = bulkLane;
        if (lane != null) {
            String address = addressOf.apply(nodeId)
                    .orElseThrow(() -> new PeerException(nodeId, false, "not on the ring"));
            Optional<ReplicaGrpc.ReplicaStub> stub = lane.stub(nodeId, address, timeoutMillis);
            if (stub.isPresent()) {
                CompletableFuture<T> call = new CompletableFuture<>();
                call.whenComplete((value, error) -> {
                    if (error == null) {
                        result.complete(value);
                        return;
                    }
                    Throwable cause = Failures.cause(error);
                    if (cause instanceof PeerException p && p.rejected()) {
                        result.completeExceptionally(p);
                        return;
                    }
                    lane.forget(nodeId);
                    String detail = String.valueOf(cause.getMessage());
                    if (detail.startsWith(nodeId + ": ")) {
                        detail = detail.substring(nodeId.length() + 2);
                    }
                    result.completeExceptionally(PeerException.overloaded(nodeId, "bulk lane: " + detail));
                });
                return new BulkCall<>(stub.get(), call);
            }
        }
        return new BulkCall<>(stub(nodeId, timeoutMillis), result);
    }

    private record BulkCall<T>(ReplicaGrpc.ReplicaStub stub, CompletableFuture<T> future) {
    }

    @Override
    public CompletableFuture<Void> write(String nodeId, ReplicaWrite write, long timeoutMillis) {
        if (nodeId.equals(selfId)) {
            try {
                // Applied here and now; the reply waits for the group commit, not this thread.
                CompletableFuture<Void> durable = local.tryApplyAsync(write);
                if (durable != null) {
                    return durable;
                }
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (local.isLarge(write)) {
                // Megabytes to copy and checksum: on the large-value threads, which yield the CPU to
                // small requests; the durability future completes on the group commit's thread.
                return offloadWrite(() -> local.applyAsync(write)).thenCompose(durable -> durable);
            }
            // A hint waits on I/O, and a key's lock held by another writer is waited for: not on
            // the caller's thread, which may be an event loop.
            return CompletableFuture.runAsync(Spans.wrap(() -> local.apply(write)), Thread::startVirtualThread);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            byte[] encoded = write.encoded();
            ReplicaWriteRequest.Builder header = ReplicaWriteRequest.newBuilder().setKeyspace(write.keyspace())
                    .setKey(write.key()).setRingEpoch(write.ringEpoch());
            if (write.isHint()) {
                header.setHintFor(write.hintFor());
            }
            ReplicaChannelClient channel = encoded.length <= channelSettings.maxRecordBytes() ? replicaChannel(nodeId) : null;
            CompletableFuture<ReplicaEnvelope> reply = channel == null ? null : channel.call(nodeId,
                    ReplicaEnvelope.newBuilder().setWrite(header.setRecord(UnsafeByteOperations.unsafeWrap(encoded))),
                    timeoutMillis);
            if (reply != null) {
                completeFrom(nodeId, reply, result, env -> null);
                return result;
            }
            // Hints included: a large record is large whoever will keep it.
            BulkCall<Void> call = encoded.length > largeRecordBytes || encoded.length > STREAM_THRESHOLD_BYTES
                    ? bulkCall(nodeId, timeoutMillis, result) : new BulkCall<>(stub(nodeId, timeoutMillis), result);
            StreamObserver<ReplicaWriteResponse> observer = observer(nodeId, call.future(), r -> null);
            if (encoded.length <= STREAM_THRESHOLD_BYTES) {
                call.stub().write(header.setRecord(UnsafeByteOperations.unsafeWrap(encoded)).build(), observer);
            } else {
                StreamObserver<ReplicaWriteChunk> out = call.stub().writeStream(observer);
                out.onNext(ReplicaWriteChunk.newBuilder().setHeader(header).build());
                for (int off = 0; off < encoded.length; off += CHUNK_BYTES) {
                    int len = Math.min(CHUNK_BYTES, encoded.length - off);
                    // The encoded record is never written to after it is made: sent as it is, not copied.
                    out.onNext(ReplicaWriteChunk.newBuilder().setChunk(UnsafeByteOperations.unsafeWrap(encoded, off, len)).build());
                }
                out.onCompleted();
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(e instanceof PeerException ? e : new PeerException(nodeId, false, e.getMessage()));
        }
        return result;
    }

    @Override
    public CompletableFuture<ReadReply> read(String nodeId, ReplicaRead read, long timeoutMillis) {
        if (nodeId.equals(selfId)) {
            ReadReply small;
            try {
                small = local.tryRead(read);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (small != null) {
                return CompletableFuture.completedFuture(small);
            }
            // A chunked record takes milliseconds to read and check: not on the caller's thread,
            // which may be an event loop with small requests queued behind this one.
            return offload(() -> local.read(read), timeoutMillis);
        }
        CompletableFuture<ReadReply> result = new CompletableFuture<>();
        try {
            ReplicaChannelClient channel = replicaChannel(nodeId);
            CompletableFuture<ReplicaEnvelope> reply = channel == null ? null : channel.call(nodeId,
                    ReplicaEnvelope.newBuilder().setRead(ReplicaReadRequest.newBuilder().setKeyspace(read.keyspace())
                            .setKey(read.key()).setDigestOnly(read.digestOnly()).setRingEpoch(read.ringEpoch())
                            .setMaxInlineBytes(Math.max(1, channelSettings.maxRecordBytes()))),
                    timeoutMillis);
            if (reply != null) {
                reply.whenComplete((env, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else if (env.hasError()) {
                        result.completeExceptionally(toPeerException(nodeId, env.getError()));
                    } else {
                        ReplicaReadResponse r = env.getReadReply();
                        if (r.getFound() && !read.digestOnly() && r.getRecord().isEmpty() && r.getRecordSize() > 0) {
                            // Too large for the shared stream: read it again the unary (or streaming) way,
                            // on the bulk lane.
                            unaryRead(nodeId, read, timeoutMillis, result, true);
                        } else {
                            result.complete(toReply(r, r.getRecord()));
                        }
                    }
                });
                return result;
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(e instanceof PeerException ? e : new PeerException(nodeId, false, e.getMessage()));
            return result;
        }
        unaryRead(nodeId, read, timeoutMillis, result, false);
        return result;
    }

    /** @param large whether the record is known to be large: then the read goes over the bulk lane */
    private void unaryRead(String nodeId, ReplicaRead read, long timeoutMillis, CompletableFuture<ReadReply> result,
                           boolean large) {
        ReplicaReadRequest request = ReplicaReadRequest.newBuilder().setKeyspace(read.keyspace()).setKey(read.key())
                .setDigestOnly(read.digestOnly()).setRingEpoch(read.ringEpoch())
                .setMaxInlineBytes(STREAM_THRESHOLD_BYTES).build();
        try {
            CompletableFuture<ReplicaReadResponse> first = new CompletableFuture<>();
            BulkCall<ReplicaReadResponse> call = large ? bulkCall(nodeId, timeoutMillis, first)
                    : new BulkCall<>(stub(nodeId, timeoutMillis), first);
            call.stub().read(request, observer(nodeId, call.future(), r -> r));
            first.whenComplete((r, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else if (r.getFound() && !read.digestOnly() && r.getRecord().isEmpty() && r.getRecordSize() > 0) {
                    readStream(nodeId, request, timeoutMillis, result);
                } else {
                    result.complete(toReply(r, r.getRecord()));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e instanceof PeerException ? e : new PeerException(nodeId, false, e.getMessage()));
        }
    }

    private void readStream(String nodeId, ReplicaReadRequest request, long timeoutMillis,
                            CompletableFuture<ReadReply> result) {
        BulkCall<ReadReply> call = bulkCall(nodeId, timeoutMillis, result);
        call.stub().readStream(request, new StreamObserver<>() {
            private ReplicaReadResponse header;
            private ByteString bytes = ByteString.EMPTY;

            @Override
            public void onNext(ReplicaReadChunk chunk) {
                if (chunk.hasHeader()) {
                    header = chunk.getHeader();
                } else {
                    // concat builds a rope: the record is not joined, its value is copied out of it once.
                    bytes = bytes.concat(chunk.getChunk());
                }
            }

            @Override
            public void onError(Throwable t) {
                call.future().completeExceptionally(toPeerException(nodeId, t));
            }

            @Override
            public void onCompleted() {
                if (header == null || !header.getFound()) {
                    call.future().complete(ReadReply.ABSENT);
                    return;
                }
                try {
                    // Empty bytes are a record cut short, not a digest: decoded, they are reported corrupt.
                    call.future().complete(new ReadReply(decode(bytes),
                            header.getDigest(), header.getVersion().toByteArray(), true));
                } catch (RuntimeException e) {
                    call.future().completeExceptionally(new PeerException(nodeId, false, e.getMessage()));
                }
            }
        });
    }

    /**
     * A record from a reply. A streamed one (over 1 MiB, in 256 KiB pieces) is decoded from its
     * pieces as they are, so its value is the one copy; a smaller one is copied out first, as
     * decoding it from read-only buffers costs more CPU than the copy (the checksum cannot reach
     * their arrays): 4% more per operation in a 1 KiB workload (docs/benchmarks.md).
     */
    private static io.ringkv.storage.record.Record decode(ByteString record) {
        return record.size() > STREAM_THRESHOLD_BYTES ? RecordCodec.decode(record.asReadOnlyByteBufferList())
                : RecordCodec.decode(record.toByteArray());
    }

    /** @param record the encoded record, empty when the reply has none (a digest) */
    private static ReadReply toReply(ReplicaReadResponse r, ByteString record) {
        if (!r.getFound()) {
            return ReadReply.ABSENT;
        }
        return new ReadReply(record.isEmpty() ? null : decode(record), r.getDigest(),
                r.getVersion().toByteArray(), true);
    }

    @Override
    public CompletableFuture<Void> ping(String nodeId, long timeoutMillis) {
        if (nodeId.equals(selfId)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            ReplicaChannelClient replicaChannel = replicaChannel(nodeId);
            CompletableFuture<ReplicaEnvelope> reply = replicaChannel == null ? null : replicaChannel.call(nodeId,
                    ReplicaEnvelope.newBuilder().setPing(PingRequest.getDefaultInstance()), timeoutMillis);
            if (reply != null) {
                completeFrom(nodeId, reply, result, env -> learnBulkPort(nodeId, env.getPingReply()));
                return result;
            }
            ManagedChannel channel = channel(nodeId);
            // After failed connects a channel waits out an exponential backoff (up to two minutes)
            // before it dials again, failing every call locally meanwhile, so a peer that came back
            // would go unnoticed that long. Pings are the probe: each lets the channel dial at once.
            if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
                channel.resetConnectBackoff();
            }
            stub(nodeId, timeoutMillis).ping(PingRequest.getDefaultInstance(),
                    this.<PingResponse, Void>observer(nodeId, result, r -> learnBulkPort(nodeId, r)));
        } catch (RuntimeException e) {
            result.completeExceptionally(e instanceof PeerException ? e : new PeerException(nodeId, false, e.getMessage()));
        }
        return result;
    }

    private Void learnBulkPort(String nodeId, PingResponse reply) {
        BulkLane lane = bulkLane;
        if (lane != null) {
            lane.learn(nodeId, reply.getBulkPort());
        }
        return null;
    }

    private <R, T> StreamObserver<R> observer(String nodeId, CompletableFuture<T> result, Function<R, T> map) {
        return new StreamObserver<>() {
            @Override
            public void onNext(R value) {
                result.complete(map.apply(value));
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(toPeerException(nodeId, t));
            }

            @Override
            public void onCompleted() {
                result.complete(null);
            }
        };
    }

    static PeerException toPeerException(String nodeId, Throwable t) {
        Status status = t instanceof StatusRuntimeException s ? s.getStatus() : Status.fromThrowable(t);
        return peerException(nodeId, status.getCode(), status.getCode() == Status.Code.INVALID_ARGUMENT,
                status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription()));
    }

    /**
     * A read of {@code work} on the large-value threads, its result handed to dependents on a
     * normal-priority thread (see {@link LargeValueExecutor}); without them, on a virtual thread. Work
     * still queued when the call times out is not done, and a full queue fails the read at once (the
     * coordinator asks another replica).
     */
    private <T> CompletableFuture<T> offload(java.util.function.Supplier<T> work, long timeoutMillis) {
        java.util.function.Supplier<T> traced = Spans.wrap(work);
        try {
            return largeValues == null ? CompletableFuture.supplyAsync(traced, Thread::startVirtualThread)
                    : largeValues.supply(traced, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis))
                            .exceptionallyCompose(e -> CompletableFuture.failedFuture(
                                    e instanceof LargeValueExecutor.Expired ? new PeerException(selfId, true, e.getMessage()) : e));
        } catch (LargeValueExecutor.Full e) {
            return CompletableFuture.failedFuture(PeerException.overloaded(selfId, e.getMessage()));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new PeerException(selfId, false, "node is stopping"));
        }
    }

    /**
     * This node's own write of a large record, on the large-value threads however long it waits, or on
     * a virtual thread when their queue is full: never refused or dropped, since a coordinator keeps no
     * hint for itself and the write would be missing here until a repair.
     */
    private <T> CompletableFuture<T> offloadWrite(java.util.function.Supplier<T> work) {
        java.util.function.Supplier<T> traced = Spans.wrap(work);
        try {
            return largeValues == null ? CompletableFuture.supplyAsync(traced, Thread::startVirtualThread)
                    : largeValues.supply(traced);
        } catch (LargeValueExecutor.Full e) {
            return CompletableFuture.supplyAsync(traced, Thread::startVirtualThread);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new PeerException(selfId, false, "node is stopping"));
        }
    }

    /** Closes channels to peers that left the ring. */
    public void retainOnly(java.util.Set<String> addresses) {
        replicaChannels.entrySet().removeIf(e -> {
            if (!addresses.contains(e.getKey())) {
                e.getValue().close();
                return true;
            }
            return false;
        });
        channels.entrySet().removeIf(e -> {
            if (!addresses.contains(e.getKey())) {
                e.getValue().shutdown();
                return true;
            }
            return false;
        });
    }

    /** Ends the replica channel streams (calls then use unary RPCs); a node does this before it stops serving. */
    public void closeReplicaChannels() {
        replicaChannels.values().forEach(ReplicaChannelClient::close);
    }

    @Override
    public void close() {
        replicaChannels.values().forEach(ReplicaChannelClient::close);
        replicaChannels.clear();
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
        BulkLane lane = bulkLane;
        if (lane != null) {
            lane.close();
        }
    }
}
