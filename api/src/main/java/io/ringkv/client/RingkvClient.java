package io.ringkv.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.DeleteResponse;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.KVGrpc;
import io.ringkv.api.v1.KvEnvelope;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.api.v1.PutResponse;
import io.ringkv.api.v1.RingView;
import io.ringkv.api.v1.Value;
import io.ringkv.storage.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A thread-safe ringkv client that sends each request straight to a replica of its key (found in
 * the cluster's ring) and retries idempotent reads on other replicas; close it to release its
 * connections.
 *
 * <p><b>Routing.</b> The client fetches the ring from a seed in the background when built, keeps
 * it fresh (periodically and whenever a response names a newer ring epoch) and hashes each key to
 * its vnode's replicas. Writes go to the first replica not recently unreachable; reads start at a
 * rotating replica so hot keys spread over all their replicas. Until a ring arrives, requests go
 * to the seeds, which forward them: routing is an optimisation, never a condition of correctness.
 *
 * <p><b>Retries.</b> Get (and the ring fetch) is retried on the next replica after UNAVAILABLE or
 * DEADLINE_EXCEEDED, up to {@code maxAttempts} attempts, all within one {@code requestTimeout}; one
 * get attempt waits at most {@code readAttemptTimeout}, so a stalled node costs a read that much,
 * not its whole timeout. A node that timed out or could not be reached is tried last for
 * {@code unreachableNodeBackoff}, by reads and writes alike.
 * Put and delete go to the next replica only when the node refused the connection, so the request
 * provably never left the client; after any other failure they are not retried: under
 * last-writer-wins each attempt is a new write with a new timestamp, and a write that failed may
 * still have been applied on some replicas. A caller that wants to retry a write decides so
 * knowing that (a conditional put makes it safe).
 *
 * <p><b>Values.</b> Arrays passed to put are not copied and must not change until the call ends;
 * arrays in results belong to the caller. Values above {@code streamThresholdBytes} travel as
 * streams of chunks in both directions.
 *
 * <p><b>Transport.</b> Gets, puts and deletes of values up to {@code kvChannelMaxValueBytes} share
 * one long-lived stream per node (the {@code KVChannel} service), each call one message each way;
 * the rest, and every call of a client given an OpenTelemetry, are RPCs of the {@code KV} service.
 * Both behave the same: same deadlines, same errors, same retries.
 *
 * <p><b>Futures.</b> The async forms never throw: every failure, including invalid arguments,
 * completes the future exceptionally with a {@link RingkvException} (or IllegalStateException once
 * closed). They complete on gRPC threads (often a connection's event loop): chain blocking work
 * onto an executor of your own. Cancelling a future cancels its RPC; a call on the KV channel is
 * left to finish on the node, and its reply is dropped.
 */
public final class RingkvClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RingkvClient.class.getName());
    /** How long close() lets in-flight calls finish before cancelling them. */
    private static final long CLOSE_TIMEOUT_MILLIS = 5_000;

    private final ClientConfig config;
    private final long requestTimeoutNanos;
    private final long readAttemptTimeoutNanos;
    private final ChannelPool channels;
    /** Null when calls go as RPCs only: the channel is off, or the client traces (RPCs carry the trace context). */
    private final KvChannels kvChannels;
    private final int maxInlineBytes;
    private final NodeHealth health;
    private final RingTracker ring;
    private final ScheduledExecutorService refresher;
    private final AtomicInteger readOffset = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private RingkvClient(ClientConfig config, LongSupplier nanoClock, List<io.grpc.ClientInterceptor> interceptors) {
        this.config = config;
        this.requestTimeoutNanos = config.requestTimeout().toNanos();
        this.channels = new ChannelPool(config.maxInboundMessageBytes(), CLOSE_TIMEOUT_MILLIS, interceptors,
                config.bulkNice());
        this.kvChannels = config.kvChannel().enabled() && interceptors.isEmpty()
                ? new KvChannels(channels, config.kvChannel(), System::nanoTime) : null;
        // A Get brings values up to the KV channel's size; larger ones are fetched again on the
        // connection for large values (see ChannelPool), channel or not.
        this.maxInlineBytes = Math.min(config.streamThresholdBytes(), config.kvChannel().maxValueBytes());
        this.health = new NodeHealth(nanoClock, config.unreachableNodeBackoff().toNanos());
        this.readAttemptTimeoutNanos = config.readAttemptTimeout().toNanos();
        this.ring = new RingTracker(config.seeds(), this::fetchRing, nanoClock);
        ring.refresh(null).exceptionally(failure -> {
            if (closed.get()) {
                return null;
            }
            LOG.log(System.Logger.Level.INFO, "no ring yet, requests go through the seeds until one is fetched: {0}",
                    failure.getMessage());
            return null;
        });
        if (config.ringRefreshInterval().isZero()) {
            refresher = null;
        } else {
            refresher = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "ringkv-client-ring-refresh");
                thread.setDaemon(true);
                return thread;
            });
            long periodNanos = config.ringRefreshInterval().toNanos();
            refresher.scheduleWithFixedDelay(() -> ring.refresh(null), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A builder with the defaults; only {@link Builder#seeds} is required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- get ----

    /** Reads {@code key} from the default keyspace with its default consistency. */
    public GetResult get(String key) {
        return await(getAsync(key));
    }

    public GetResult get(String key, ReadOptions options) {
        return await(getAsync(key, options));
    }

    public CompletableFuture<GetResult> getAsync(String key) {
        return getAsync(key, ReadOptions.defaults());
    }

    /**
     * Reads {@code key}. Values above the stream threshold are left out of the unary answer and
     * fetched with GetStream from the same node.
     */
    public CompletableFuture<GetResult> getAsync(String key, ReadOptions options) {
        GetRequest request;
        try {
            checkOpen();
            checkKey(key);
            checkNotNull(options, "options");
            request = GetRequest.newBuilder()
                    .setKeyspace(keyspace(options.keyspace()))
                    .setKey(key)
                    .setConsistency(options.consistency().toProto())
                    .setR(options.r())
                    .setMaxInlineBytes(maxInlineBytes)
                    .build();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Deadline deadline = newDeadline();
        List<String> plan = readPlan(key);
        return run(ctx -> attempt(plan, 0, deadline, ctx, (node, c) -> getOnce(node, request, deadline, c),
                RingkvClient::mayRetryRead, new ArrayList<>()));
    }

    // ---- put ----

    /** Writes {@code value} under {@code key} in the default keyspace (a blind write). */
    public PutResult put(String key, byte[] value) {
        return await(putAsync(key, value));
    }

    public PutResult put(String key, byte[] value, PutOptions options) {
        return await(putAsync(key, value, options));
    }

    public CompletableFuture<PutResult> putAsync(String key, byte[] value) {
        return putAsync(key, value, PutOptions.defaults());
    }

    /**
     * Writes {@code value}; above the stream threshold it goes as a PutStream of chunks. Sent to
     * another replica only if the first refused the connection (see the class comment);
     * {@code value} must not change until the future completes.
     */
    public CompletableFuture<PutResult> putAsync(String key, byte[] value, PutOptions options) {
        PutRequest request;
        boolean stream;
        try {
            checkOpen();
            checkKey(key);
            checkNotNull(value, "value");
            checkNotNull(options, "options");
            stream = value.length > config.streamThresholdBytes();
            PutRequest.Builder builder = PutRequest.newBuilder()
                    .setKeyspace(keyspace(options.keyspace()))
                    .setKey(key)
                    .setConsistency(options.consistency().toProto())
                    .setW(options.w())
                    .setContext(ByteString.copyFrom(options.context()))
                    .setIfAbsent(options.ifAbsent())
                    .setIfMatch(ByteString.copyFrom(options.ifMatch()));
            if (!stream) {
                builder.setValue(UnsafeByteOperations.unsafeWrap(value));
            }
            request = builder.build();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Deadline deadline = newDeadline();
        List<String> plan = writePlan(key);
        boolean large = value.length > config.kvChannel().maxValueBytes();
        boolean channelled = !stream && !large;
        return run(ctx -> attempt(plan, 0, deadline, ctx, (node, c) -> {
            Supplier<CompletableFuture<PutResponse>> rpc = () -> stream
                    ? Calls.putStream(bulkStub(node, deadline), request, value, config.streamChunkBytes())
                    : Calls.<PutRequest, PutResponse>unary((large ? bulkStub(node, deadline) : stub(node, deadline))::put, request);
            CompletableFuture<PutResponse> call = channelled
                    ? send(node, KvEnvelope.newBuilder().setPut(request), deadline, KvEnvelope::getPutReply, c, rpc)
                    : rpc.get();
            return call.thenApply(response -> {
                ring.observeEpoch(response.getRingEpoch(), node);
                return new PutResult(response.getContext().toByteArray(), response.getTimestampMillis(),
                        response.getRingEpoch());
            });
        }, Errors::neverSent, new ArrayList<>()));
    }

    // ---- delete ----

    /** Deletes {@code key} from the default keyspace (writes a tombstone). */
    public void delete(String key) {
        await(deleteAsync(key));
    }

    public void delete(String key, DeleteOptions options) {
        await(deleteAsync(key, options));
    }

    public CompletableFuture<Void> deleteAsync(String key) {
        return deleteAsync(key, DeleteOptions.defaults());
    }

    /** Deletes {@code key}; sent to another replica only if the first refused the connection (see the class comment). */
    public CompletableFuture<Void> deleteAsync(String key, DeleteOptions options) {
        DeleteRequest request;
        try {
            checkOpen();
            checkKey(key);
            checkNotNull(options, "options");
            request = DeleteRequest.newBuilder()
                    .setKeyspace(keyspace(options.keyspace()))
                    .setKey(key)
                    .setConsistency(options.consistency().toProto())
                    .setW(options.w())
                    .setContext(ByteString.copyFrom(options.context()))
                    .build();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Deadline deadline = newDeadline();
        List<String> plan = writePlan(key);
        return run(ctx -> attempt(plan, 0, deadline, ctx, (node, c) -> {
            CompletableFuture<DeleteResponse> call = send(node, KvEnvelope.newBuilder().setDelete(request), deadline,
                    KvEnvelope::getDeleteReply, c,
                    () -> Calls.<DeleteRequest, DeleteResponse>unary(stub(node, deadline)::delete, request));
            return call.thenApply(response -> {
                ring.observeEpoch(response.getRingEpoch(), node);
                return (Void) null;
            });
        }, Errors::neverSent, new ArrayList<>()));
    }

    // ---- ring ----

    /**
     * The newest ring the client knows, fetching one first if it has none yet.
     *
     * @throws UnavailableException if it has none and no node gave one
     */
    public RingSnapshot ring() {
        checkOpen();
        RingSnapshot current = ring.current();
        return current != null ? current : await(ring.refresh(null), false);
    }

    /** Fetches the ring now (sharing a fetch already in flight) and returns the newest known. */
    public RingSnapshot refreshRing() {
        checkOpen();
        return await(ring.refresh(null), false);
    }

    /** Where {@code key} lives according to {@link #ring()}. */
    public Location locate(String key) {
        checkKey(key);
        return ring().locate(key);
    }

    /**
     * Stops the ring refresh and shuts every channel down, giving in-flight calls a few seconds
     * to finish. Idempotent; afterwards every call fails with IllegalStateException.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (refresher != null) {
            refresher.shutdownNow();
        }
        if (kvChannels != null) {
            kvChannels.close();
        }
        channels.close();
    }

    /** The channels opened so far, for tests. */
    List<ManagedChannel> channelsForTesting() {
        return channels.channels();
    }

    /** Whether routing currently tries {@code address} last, for tests. */
    boolean isDemotedForTesting(String address) {
        return health.isDown(address);
    }

    /** The ring as it is, without fetching, for tests. */
    RingSnapshot currentRingForTesting() {
        return ring.current();
    }

    // ---- routing and attempts ----

    private List<String> replicasOf(String key) {
        RingSnapshot current = ring.current();
        if (current == null) {
            return List.of();
        }
        return current.replicaAddresses(current.vnodeOf(Tokens.of(key)));
    }

    private List<String> readPlan(String key) {
        List<String> replicas = replicasOf(key);
        int offset = readOffset.getAndIncrement();
        List<String> plan = replicas.isEmpty()
                ? TargetPlanner.readPlan(config.seeds(), List.of(), offset, health::isDown)
                : TargetPlanner.readPlan(replicas, config.seeds(), offset, health::isDown);
        return plan.subList(0, Math.min(plan.size(), config.maxAttempts()));
    }

    private List<String> writePlan(String key) {
        List<String> replicas = replicasOf(key);
        List<String> plan = TargetPlanner.writePlan(replicas.isEmpty() ? config.seeds() : replicas, health::isDown);
        return plan.subList(0, Math.min(plan.size(), config.maxAttempts()));
    }

    /**
     * Sends a call on {@code node}'s KV channel when it can (the channel is on and does not decline),
     * else as the RPC {@code rpc} starts. A failed call's status arrives as a
     * {@code StatusRuntimeException} without a cause, like one a server sent to an RPC; calls the node
     * did not serve on its channel (an older node) are resent as RPCs.
     */
    private <T> CompletableFuture<T> send(String node, KvEnvelope.Builder request, Deadline deadline,
                                          Function<KvEnvelope, T> body, Context ctx,
                                          Supplier<CompletableFuture<T>> rpc) {
        KvChannel channel = kvChannels == null ? null : kvChannels.channel(node);
        CompletableFuture<KvEnvelope> reply = channel == null ? null
                : channel.call(request, System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS));
        if (reply == null) {
            return rpc.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        reply.whenComplete((envelope, failure) -> {
            if (failure != null) {
                if (Errors.unwrap(failure) == KvChannel.NOT_SERVED) {
                    inContext(ctx, rpc).whenComplete((value, error) -> {
                        if (error != null) {
                            result.completeExceptionally(error);
                        } else {
                            result.complete(value);
                        }
                    });
                } else {
                    result.completeExceptionally(failure);
                }
            } else if (envelope.hasError()) {
                result.completeExceptionally(Status.fromCodeValue(envelope.getError().getCode())
                        .withDescription(envelope.getError().getMessage()).asRuntimeException());
            } else {
                try {
                    result.complete(body.apply(envelope));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        });
        return result;
    }

    /** One Get attempt on {@code node}: unary (on the KV channel when it can), then GetStream there if values were left out. */
    private CompletableFuture<GetResult> getOnce(String node, GetRequest request, Deadline deadline,
                                                 Context.CancellableContext ctx) {
        // Only the unary part is bounded per attempt: a large value's stream may take longer.
        Deadline attemptDeadline = readAttemptTimeoutNanos > 0
                ? deadline.minimum(Deadline.after(readAttemptTimeoutNanos, TimeUnit.NANOSECONDS)) : deadline;
        CompletableFuture<GetResponse> call = send(node, KvEnvelope.newBuilder().setGet(request), attemptDeadline,
                KvEnvelope::getGetReply, ctx,
                () -> Calls.<GetRequest, GetResponse>unary(stub(node, attemptDeadline)::get, request));
        return call.thenCompose(response -> complete(node, request, deadline, ctx, response));
    }

    /**
     * The result of a Get whose answer is {@code response}: as is, or, when values were left out,
     * fetched again from the same node: inline with a Get RPC when every value is within the stream
     * threshold (the KV channel's answer leaves out more), else with GetStream.
     */
    private CompletableFuture<GetResult> complete(String node, GetRequest request, Deadline deadline, Context ctx,
                                                  GetResponse response) {
        ring.observeEpoch(response.getRingEpoch(), node);
        if (!response.getValuesOmitted()) {
            return CompletableFuture.completedFuture(toResult(response));
        }
        long largest = 0;
        for (Value v : response.getValuesList()) {
            largest = Math.max(largest, v.getSize());
        }
        if (request.getMaxInlineBytes() < config.streamThresholdBytes() && largest <= config.streamThresholdBytes()) {
            GetRequest inline = request.toBuilder().setMaxInlineBytes(config.streamThresholdBytes()).build();
            return inContext(ctx, () -> Calls.<GetRequest, GetResponse>unary(bulkStub(node, deadline)::get, inline))
                    .thenCompose(again -> complete(node, inline, deadline, ctx, again));
        }
        GetRequest streamRequest = request.toBuilder().clearMaxInlineBytes().build();
        return inContext(ctx, () -> Calls.getStream(bulkStub(node, deadline), streamRequest, node)).thenApply(result -> {
            ring.observeEpoch(result.ringEpoch(), node);
            return result;
        });
    }

    /**
     * Runs attempt {@code index} of a request and, if it fails in a way {@code mayRetry} accepts
     * while time and plan remain, the next one on the next node. The final error carries the
     * earlier ones as suppressed exceptions.
     */
    private <T> CompletableFuture<T> attempt(List<String> plan, int index, Deadline deadline,
                                             Context.CancellableContext ctx,
                                             BiFunction<String, Context.CancellableContext, CompletableFuture<T>> call,
                                             Predicate<RingkvException> mayRetry, List<RingkvException> earlier) {
        String node = plan.get(index);
        return inContext(ctx, () -> call.apply(node, ctx)).handle((value, failure) -> {
            if (failure == null) {
                health.markReachable(node);
                return CompletableFuture.completedFuture(value);
            }
            RingkvException error = noteFailure(node, failure);
            boolean retryable = mayRetry.test(error)
                    && index + 1 < plan.size() && !deadline.isExpired() && !ctx.isCancelled();
            if (!retryable) {
                earlier.forEach(error::addSuppressed);
                return CompletableFuture.<T>failedFuture(error);
            }
            earlier.add(error);
            return attempt(plan, index + 1, deadline, ctx, call, mayRetry, earlier);
        }).thenCompose(Function.identity());
    }

    /** Reads are idempotent: any node may serve the next attempt after one that was unavailable or late. */
    private static boolean mayRetryRead(RingkvException error) {
        return error instanceof UnavailableException || error instanceof DeadlineExceededException;
    }

    private RingkvException noteFailure(String node, Throwable failure) {
        RingkvException error = Errors.toRingkv(failure, node);
        // A timeout is treated like a refused connection: a stalled node (GC pause, SIGSTOP) accepts
        // connections but answers nothing, and routing to it again would stall the next request too.
        // A node that was only slow once is merely tried last for a while.
        if (Errors.isTransportFailure(failure) || error instanceof DeadlineExceededException) {
            health.markUnreachable(node);
        }
        return error;
    }

    /**
     * Gives one request a cancellable gRPC context of its own, so cancelling the returned future
     * cancels whichever RPC is in flight. Forked from ROOT on purpose: a request is bounded by its
     * own deadline, not by whatever call the caller happens to be serving.
     */
    private <T> CompletableFuture<T> run(Function<Context.CancellableContext, CompletableFuture<T>> body) {
        Context.CancellableContext ctx = Context.ROOT.withCancellation();
        CompletableFuture<T> inner;
        try {
            inner = body.apply(ctx);
        } catch (RuntimeException e) {
            inner = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> outer = new CompletableFuture<>();
        inner.whenComplete((value, failure) -> {
            ctx.cancel(null); // every RPC of the request has ended; this only releases the context
            if (failure != null) {
                outer.completeExceptionally(Errors.unwrap(failure));
            } else {
                outer.complete(value);
            }
        });
        outer.whenComplete((value, failure) -> {
            if (outer.isCancelled()) {
                ctx.cancel(null);
            }
        });
        return outer;
    }

    private static <T> CompletableFuture<T> inContext(Context ctx, Supplier<CompletableFuture<T>> call) {
        Context previous = ctx.attach();
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            ctx.detach(previous);
        }
    }

    /** Asks one node for its ring; under ROOT so no request's cancellation can stop a shared fetch. */
    private CompletableFuture<RingView> fetchRing(String node) {
        // The channel first: building a process's first one (Netty's classes and native transport)
        // can take seconds on a busy machine, and that is not the node's time to answer.
        KVGrpc.KVStub stub = KVGrpc.newStub(channels.channel(node));
        Deadline deadline = newDeadline();
        return inContext(Context.ROOT, () -> Calls.<GetRingRequest, RingView>unary(
                stub.withDeadline(deadline)::getRing, GetRingRequest.getDefaultInstance()));
    }

    private KVGrpc.KVStub stub(String node, Deadline deadline) {
        return KVGrpc.newStub(channels.channel(node)).withDeadline(deadline);
    }

    /**
     * A stub on the node's connection for large values, apart from the small requests' (see {@link
     * ChannelPool}): to its bulk lane when the ring names one. While that connection fails (the node
     * may have restarted on another bulk port, which the next ring refresh shows), the node's main
     * port takes the call.
     */
    private KVGrpc.KVStub bulkStub(String node, Deadline deadline) {
        RingSnapshot current = ring.current();
        String target = current == null ? node : current.bulkAddressOf(node);
        if (!target.equals(node) && channels.bulkChannelFailing(node, target)) {
            ring.refreshSoon();
            return stub(node, deadline);
        }
        KVGrpc.KVStub stub = KVGrpc.newStub(channels.bulkChannel(node, target)).withDeadline(deadline);
        // A reconnect the node's other connection shows will succeed: this call waits for it (within
        // its deadline) instead of failing with the error of an outage that is over.
        return channels.reconnectBulkIfNodeIsUp(node) ? stub.withWaitForReady() : stub;
    }

    private Deadline newDeadline() {
        return Deadline.after(requestTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private static GetResult toResult(GetResponse response) {
        List<Versioned> values = new ArrayList<>(response.getValuesCount());
        for (Value v : response.getValuesList()) {
            values.add(new Versioned(v.getValue().toByteArray(), v.getTimestampMillis()));
        }
        return new GetResult(response.getFound(), values, response.getContext().toByteArray(), response.getRingEpoch());
    }

    private String keyspace(String requested) {
        return requested.isEmpty() ? config.defaultKeyspace() : requested;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("client is closed");
        }
    }

    /** Rejects what no server would accept; the length limit is the server's to enforce. */
    private static void checkKey(String key) {
        if (key == null) {
            throw new InvalidRequestException("key is null", null, null);
        }
        if (key.isEmpty()) {
            throw new InvalidRequestException("key is empty", null, null);
        }
    }

    private static void checkNotNull(Object value, String name) {
        if (value == null) {
            throw new InvalidRequestException(name + " is null", null, null);
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        return await(future, true);
    }

    /**
     * Waits for {@code future} and rethrows its failure unwrapped. On interrupt it cancels the
     * request when the future is this caller's alone (not a shared ring fetch).
     */
    private static <T> T await(CompletableFuture<T> future, boolean cancelOnInterrupt) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            if (cancelOnInterrupt) {
                future.cancel(true);
            }
            Thread.currentThread().interrupt();
            throw new UnexpectedStatusException(Status.Code.CANCELLED, "interrupted while waiting", null, e);
        } catch (ExecutionException e) {
            Throwable cause = Errors.unwrap(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw Errors.toRingkv(cause, null);
        }
    }

    /**
     * Collects and validates the client's settings; {@link #build()} throws IllegalArgumentException
     * naming the first bad one.
     */
    public static final class Builder {
        private List<String> seeds = List.of();
        private String defaultKeyspace = "";
        private Duration requestTimeout = ClientConfig.DEFAULT_REQUEST_TIMEOUT;
        private int maxAttempts = ClientConfig.DEFAULT_MAX_ATTEMPTS;
        private int streamThresholdBytes = ClientConfig.DEFAULT_STREAM_THRESHOLD_BYTES;
        private int streamChunkBytes = ClientConfig.DEFAULT_STREAM_CHUNK_BYTES;
        private int maxInboundMessageBytes = ClientConfig.DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
        private Duration ringRefreshInterval = ClientConfig.DEFAULT_RING_REFRESH_INTERVAL;
        private Duration unreachableNodeBackoff = ClientConfig.DEFAULT_UNREACHABLE_NODE_BACKOFF;
        private Duration readAttemptTimeout = ClientConfig.DEFAULT_READ_ATTEMPT_TIMEOUT;
        private boolean kvChannel = true;
        private int kvChannelMaxValueBytes = KvChannelSettings.DEFAULT_MAX_VALUE_BYTES;
        private int kvChannelMaxInFlight = KvChannelSettings.DEFAULT_MAX_IN_FLIGHT;
        private Duration kvChannelReconnectBackoff = KvChannelSettings.DEFAULT_RECONNECT_BACKOFF;
        private Duration kvChannelTimeoutTick = KvChannelSettings.DEFAULT_TIMEOUT_TICK;
        private LongSupplier nanoClock = System::nanoTime;
        private List<io.grpc.ClientInterceptor> interceptors = List.of();
        private int bulkNice;

        private Builder() {
        }

        /**
         * Traces every call with {@code openTelemetry} (a client span per RPC attempt, W3C trace
         * context sent to the node, so the node's spans join the caller's trace). Needs
         * {@code io.opentelemetry:opentelemetry-api} on the class path, an optional dependency of
         * this library; without this call the client never touches OpenTelemetry.
         */
        public Builder openTelemetry(io.opentelemetry.api.OpenTelemetry openTelemetry) {
            this.interceptors = List.of(new ClientTracing(java.util.Objects.requireNonNull(openTelemetry, "openTelemetry")));
            return this;
        }

        /** Nodes (host:port) to fetch the ring from, tried in order; required. */
        public Builder seeds(String... seeds) {
            return seeds(Arrays.asList(Objects.requireNonNull(seeds, "seeds")));
        }

        public Builder seeds(List<String> seeds) {
            this.seeds = List.copyOf(Objects.requireNonNull(seeds, "seeds"));
            return this;
        }

        /** The keyspace of requests that name none; "" (the default) lets the server decide. */
        public Builder defaultKeyspace(String keyspace) {
            this.defaultKeyspace = keyspace;
            return this;
        }

        /** The deadline of each request, retries included (default 2 s, at most 1 h). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Attempts per read, each on another node (default 3, in [1, 10]); writes make one. */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        /** Values longer than this travel as streams (default 1 MiB). */
        public Builder streamThresholdBytes(int bytes) {
            this.streamThresholdBytes = bytes;
            return this;
        }

        /** The chunk size of PutStream (default 256 KiB, at most 4 MiB). */
        public Builder streamChunkBytes(int bytes) {
            this.streamChunkBytes = bytes;
            return this;
        }

        /** The largest message the client accepts (default 17 MiB; must exceed the stream threshold). */
        public Builder maxInboundMessageBytes(int bytes) {
            this.maxInboundMessageBytes = bytes;
            return this;
        }

        /** How often to re-fetch the ring besides epoch-triggered refreshes (default 30 s; 0 = never). */
        public Builder ringRefreshInterval(Duration interval) {
            this.ringRefreshInterval = interval;
            return this;
        }

        /**
         * How long one get attempt waits before the next replica is asked (default 500 ms; 0 = the
         * whole request timeout). Only the unary answer is bounded, not a large value's stream.
         */
        public Builder readAttemptTimeout(Duration timeout) {
            this.readAttemptTimeout = timeout;
            return this;
        }

        /** How long a node that could not be reached or timed out is tried last (default 2 s; 0 = never demote). */
        public Builder unreachableNodeBackoff(Duration backoff) {
            this.unreachableNodeBackoff = backoff;
            return this;
        }

        /**
         * Whether small calls share one long-lived stream per node (the {@code KVChannel} service,
         * default true) instead of one RPC each. A client given an OpenTelemetry always uses RPCs, which
         * carry the trace context.
         */
        public Builder kvChannel(boolean enabled) {
            this.kvChannel = enabled;
            return this;
        }

        /**
         * Values up to this size travel on the KV channel (default 64 KiB); larger ones use their own
         * RPCs, so they never hold up small calls on the shared stream.
         */
        public Builder kvChannelMaxValueBytes(int bytes) {
            this.kvChannelMaxValueBytes = bytes;
            return this;
        }

        /** Calls waiting for replies on one node's KV channel (default 1024); more go as RPCs. */
        public Builder kvChannelMaxInFlight(int calls) {
            this.kvChannelMaxInFlight = calls;
            return this;
        }

        /** After a node's KV channel fails, how long its calls go as RPCs before a new one is opened (default 200 ms). */
        public Builder kvChannelReconnectBackoff(Duration backoff) {
            this.kvChannelReconnectBackoff = backoff;
            return this;
        }

        /** How often calls on KV channels are checked against their deadlines (default 5 ms, in [1 ms, 1 s]). */
        public Builder kvChannelTimeoutTick(Duration tick) {
            this.kvChannelTimeoutTick = tick;
            return this;
        }

        /**
         * The Linux nice value (0..19, default 0) of the threads that carry large values: the event
         * loop and executor of the client's bulk connections. Above 0, a client sharing its machine's
         * CPUs sends and decodes megabytes only when its small requests leave it room. Above 0 it
         * calls setpriority through the Foreign Function API, so the JVM wants
         * {@code --enable-native-access=ALL-UNNAMED}; off Linux it has no effect.
         */
        public Builder bulkNice(int nice) {
            this.bulkNice = nice;
            return this;
        }

        /** The monotonic clock for backoffs (tests pass a fake one). */
        Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Validates the settings and starts the client; the ring is fetched in the background.
         *
         * @throws IllegalArgumentException if a setting is out of range
         */
        public RingkvClient build() {
            ClientConfig config = new ClientConfig(seeds, defaultKeyspace, requestTimeout, maxAttempts,
                    streamThresholdBytes, streamChunkBytes, maxInboundMessageBytes, ringRefreshInterval,
                    unreachableNodeBackoff, readAttemptTimeout, new KvChannelSettings(kvChannel, kvChannelMaxValueBytes,
                    kvChannelMaxInFlight, kvChannelReconnectBackoff, kvChannelTimeoutTick), bulkNice);
            return new RingkvClient(config, nanoClock, interceptors);
        }
    }
}
