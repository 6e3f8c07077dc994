package io.ringkv.coordinator.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.DeleteResponse;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.GetStreamResponse;
import io.ringkv.api.v1.KVGrpc;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.api.v1.PutResponse;
import io.ringkv.api.v1.PutStreamRequest;
import io.ringkv.api.v1.RingView;
import io.ringkv.api.v1.Value;
import io.ringkv.api.v1.ValueChunk;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Scope;
import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.membership.RingHolder;
import io.ringkv.coordinator.request.Condition;
import io.ringkv.coordinator.request.Coordinator;
import io.ringkv.coordinator.request.GetCommand;
import io.ringkv.coordinator.request.GetOutcome;
import io.ringkv.coordinator.request.PutCommand;
import io.ringkv.coordinator.request.PutOutcome;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.transport.GrpcTransport;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.version.Sibling;
import io.ringkv.observability.KvRequest;
import io.ringkv.observability.RingkvMetrics;
import io.ringkv.observability.SpanScope;
import io.ringkv.observability.Telemetry;
import io.ringkv.storage.Tokens;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The public {@code ringkv.v1.KV} service. A request for a key this node does not replicate is
 * forwarded once to a replica (marked with the {@code ringkv-forwarded} header, so a node whose
 * ring disagrees coordinates it instead of forwarding again); the rest go to the
 * {@link Coordinator}.
 */
final class KvGrpcService extends KVGrpc.KVImplBase {
    /** Puts of values up to this size are coordinated on the event loop that received them. */
    static final int INLINE_COORDINATION_BYTES = 64 * 1024;
    static final Metadata.Key<String> FORWARDED = Metadata.Key.of("ringkv-forwarded", Metadata.ASCII_STRING_MARSHALLER);

    private final Coordinator coordinator;
    private final RingHolder ring;
    private final GrpcTransport transport;
    private final int maxValueBytes;
    private final Supplier<String> formingStatus;
    private final Telemetry telemetry;
    private final LocalReplica local;

    KvGrpcService(Coordinator coordinator, RingHolder ring, GrpcTransport transport, int maxValueBytes,
                  Supplier<String> formingStatus, Telemetry telemetry) {
        this(coordinator, ring, transport, maxValueBytes, formingStatus, telemetry, null);
    }

    /** @param local this node's replica, which a Get looks at first (null: it does not) */
    KvGrpcService(Coordinator coordinator, RingHolder ring, GrpcTransport transport, int maxValueBytes,
                  Supplier<String> formingStatus, Telemetry telemetry, LocalReplica local) {
        this.local = local;
        this.coordinator = coordinator;
        this.ring = ring;
        this.transport = transport;
        this.maxValueBytes = maxValueBytes;
        this.formingStatus = formingStatus;
        this.telemetry = telemetry;
    }

    /** Starts a request's telemetry: latency and errors by operation, keyspace and consistency; its span. */
    private KvRequest startRequest(String operation, String keyspace, String key, Consistency consistency) {
        KvRequest request = telemetry.request(operation, keyspace.isEmpty() ? Keyspace.DEFAULT_NAME : keyspace,
                consistency.level() == Consistency.Level.DEFAULT ? (consistency.count() > 0 ? "N" + consistency.count()
                        : "DEFAULT") : consistency.level().name());
        if (request.traced()) {
            request.vnode(coordinator.ring().vnodeOf(Tokens.of(key.getBytes(StandardCharsets.UTF_8))));
        }
        return request;
    }

    private static long largestValue(GetOutcome outcome) {
        long largest = 0;
        for (io.ringkv.coordinator.version.Sibling s : outcome.values()) {
            largest = Math.max(largest, s.value() == null ? 0 : s.value().length);
        }
        return largest;
    }

    private static void end(KvRequest request, Throwable error) {
        if (error == null) {
            request.end(null, null);
        } else {
            Status status = Protos.status(error);
            request.end(status.getCode().name(), status.getDescription());
        }
    }

    private boolean ready(StreamObserver<?> out) {
        if (ring.ring().isPresent()) {
            return true;
        }
        out.onError(Status.UNAVAILABLE.withDescription("the cluster has not formed yet: " + formingStatus.get())
                .asRuntimeException());
        return false;
    }

    /**
     * What a call says besides its message: its deadline ({@code timeoutMillis}, 0 for the node's
     * default) and whether another node forwarded it here.
     */
    record CallInfo(long timeoutMillis, boolean forwarded) {
        /** The current unary call's: its {@code grpc-timeout} and {@code ringkv-forwarded} headers. */
        static CallInfo ofCurrentRequest() {
            ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
            return new CallInfo(Deadlines.remainingMillis(),
                    ctx != null && ctx.request().headers().contains("ringkv-forwarded"));
        }
    }

    /** The replica to forward to, or empty to coordinate here; fails the call on bad input. */
    private Optional<Node> route(String keyspace, String key, CallInfo call, StreamObserver<?> out) {
        try {
            coordinator.checkRequest(keyspace, key);
            return call.forwarded() ? Optional.empty() : coordinator.forwardTarget(keyspace, key);
        } catch (RuntimeException e) {
            out.onError(Protos.status(e).asRuntimeException());
            return null;
        }
    }

    private KVGrpc.KVStub forwardStub(Node target, CallInfo call) {
        Metadata headers = new Metadata();
        headers.put(FORWARDED, coordinator.selfId());
        long timeout = call.timeoutMillis();
        KVGrpc.KVStub stub = KVGrpc.newStub(transport.channel(target.id()))
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        return stub.withDeadlineAfter(timeout > 0 ? timeout : 2_000, TimeUnit.MILLISECONDS);
    }

    /**
     * The front every keyed call shares: refuses it while the ring is forming or when the input is
     * bad, hands it to {@code forward} when this node is not one of the key's replicas, and
     * otherwise returns true: coordinate it here.
     */
    private boolean coordinateHere(String operation, String keyspace, String key, CallInfo call, StreamObserver<?> out,
                                   Consumer<KVGrpc.KVStub> forward) {
        if (!ready(out)) {
            return false;
        }
        Optional<Node> target = route(keyspace, key, call, out);
        if (target == null) {
            return false;
        }
        if (target.isPresent()) {
            // Its own span, linked to the call: the gRPC client span of the forwarded call runs under it.
            try (SpanScope span = telemetry.spans().linked("kv.forward",
                    Attributes.of(RingkvMetrics.TARGET, target.get().id()));
                 Scope ignored = span.makeCurrent()) {
                forward.accept(forwardStub(target.get(), call));
            }
            telemetry.metrics().forwarded(operation);
            return false;
        }
        return true;
    }

    /** Runs the read here and hands a successful outcome to {@code onSuccess}; failures become the call's status. */
    private void read(GetRequest req, CallInfo call, StreamObserver<?> out, Consumer<GetOutcome> onSuccess) {
        read(req, call, null, out, onSuccess);
    }

    /** As above, with this node's own full read of the key already made ({@code localRead}; null: not yet). */
    private void read(GetRequest req, CallInfo call, ReadReply localRead, StreamObserver<?> out,
                      Consumer<GetOutcome> onSuccess) {
        GetCommand command = getCommand(req, call, localRead);
        KvRequest request = startRequest("get", req.getKeyspace(), req.getKey(), command.consistency());
        java.util.concurrent.CompletableFuture<GetOutcome> outcome;
        try (Scope ignored = request.makeCurrent()) {
            outcome = coordinator.get(command);
        }
        outcome.whenComplete((o, e) -> {
            if (o != null) {
                request.valueBytes(largestValue(o));
            }
            end(request, e);
            if (e != null) {
                out.onError(Protos.status(e).asRuntimeException());
            } else {
                onSuccess.accept(o);
            }
        });
    }

    @Override
    public void get(GetRequest req, StreamObserver<GetResponse> out) {
        get(req, CallInfo.ofCurrentRequest(), out);
    }

    /** A Get with its call's deadline and origin given (the client channel passes its own). */
    void get(GetRequest req, CallInfo call, StreamObserver<GetResponse> out) {
        if (!coordinateHere("get", req.getKeyspace(), req.getKey(), call, out, stub -> stub.get(req, out))) {
            return;
        }
        LocalReplica.Probe probe = req.getMaxInlineBytes() > 0 ? probe(req) : null;
        if (probe != null && probe.chunkedValueBytes() > req.getMaxInlineBytes()
                && answerOmitted(req, probe, out)) {
            return;
        }
        read(req, call, probe == null ? null : probe.reply(), out, o -> {
            out.onNext(response(o, req.getMaxInlineBytes()));
            out.onCompleted();
        });
    }

    /** This node's look at its own record of the key, or null (no replica here, or the look failed: the read proper reports it). */
    private LocalReplica.Probe probe(GetRequest req) {
        if (local == null) {
            return null;
        }
        try {
            return local.probe(req.getKeyspace(), req.getKey());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Answers a Get whose caller wants values up to {@code max_inline_bytes} inline when this node
     * holds the key's value in chunks, larger than that: values omitted, with the value's size, from
     * the record's header alone. The caller fetches the value again (inline or streamed), and that
     * read is the quorum read; this answer only tells it how. Without this a large value was read
     * whole here, checked and dropped, and then read whole again. False when the header does not
     * serve (the caller reads as usual).
     */
    private boolean answerOmitted(GetRequest req, LocalReplica.Probe probe, StreamObserver<GetResponse> out) {
        long millis;
        try {
            millis = io.ringkv.coordinator.version.LwwVersion.decode(probe.version()).timestamp().physicalMillis();
        } catch (RuntimeException e) {
            return false;
        }
        KvRequest request = startRequest("get", req.getKeyspace(), req.getKey(),
                Protos.consistency(req.getConsistency(), req.getR())).valueBytes(probe.chunkedValueBytes());
        out.onNext(GetResponse.newBuilder().setFound(true).setValuesOmitted(true)
                .setContext(UnsafeByteOperations.unsafeWrap(probe.version())).setRingEpoch(ring.epoch())
                .addValues(Value.newBuilder().setSize(probe.chunkedValueBytes()).setTimestampMillis(millis))
                .build());
        out.onCompleted();
        end(request, null);
        return true;
    }

    private static GetCommand getCommand(GetRequest req, CallInfo call, ReadReply localRead) {
        return new GetCommand(req.getKeyspace(), req.getKey(), Protos.consistency(req.getConsistency(), req.getR()),
                call.timeoutMillis(), localRead);
    }

    /**
     * The unary response; values are left out (sizes kept) when one exceeds {@code maxInlineBytes}
     * (0: no cap; negative: always, for a stream's header).
     */
    static GetResponse response(GetOutcome o, long maxInlineBytes) {
        GetResponse.Builder b = GetResponse.newBuilder().setFound(o.found())
                .setContext(UnsafeByteOperations.unsafeWrap(o.context())).setRingEpoch(o.ringEpoch());
        boolean omit = maxInlineBytes < 0;
        if (maxInlineBytes > 0) {
            for (Sibling s : o.values()) {
                omit |= s.value().length > maxInlineBytes;
            }
        }
        for (Sibling s : o.values()) {
            Value.Builder v = Value.newBuilder().setTimestampMillis(s.timestampMillis()).setSize(s.value().length);
            if (!omit) {
                v.setValue(UnsafeByteOperations.unsafeWrap(s.value()));
            }
            b.addValues(v);
        }
        return b.setValuesOmitted(omit).build();
    }

    @Override
    public void put(PutRequest req, StreamObserver<PutResponse> out) {
        put(req, CallInfo.ofCurrentRequest(), out);
    }

    /** A Put with its call's deadline and origin given (the client channel passes its own). */
    void put(PutRequest req, CallInfo call, StreamObserver<PutResponse> out) {
        Condition condition;
        try {
            condition = new Condition(req.getIfAbsent(), req.getIfMatch().toByteArray());
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        boolean here = coordinateHere("put", req.getKeyspace(), req.getKey(), call, out, stub -> {
            if (req.getValue().size() > GrpcTransport.STREAM_THRESHOLD_BYTES) {
                forwardStream(stub, req, out);
            } else {
                stub.put(req, out);
            }
        });
        if (!here) {
            return;
        }
        PutCommand command = PutCommand.put(req.getKeyspace(), req.getKey(), req.getValue().toByteArray(),
                Protos.consistency(req.getConsistency(), req.getW()), call.timeoutMillis())
                .withContext(req.getContext().toByteArray());
        KvRequest request = startRequest("put", req.getKeyspace(), req.getKey(), command.consistency())
                .valueBytes(req.getValue().size());
        Runnable coordinate = request.wrap(() -> coordinator.putIf(command, condition).whenComplete((o, e) -> {
            end(request, e);
            reply(o, e, out);
        }));
        if (req.getValue().size() > INLINE_COORDINATION_BYTES) {
            // Encoding and checksumming megabytes takes milliseconds: not on the event loop. Not on
            // the large-value threads either: coordinating calls peers and may start threads, which
            // would inherit their lower priority.
            Thread.startVirtualThread(() -> {
                try {
                    coordinate.run();
                } catch (RuntimeException e) {
                    end(request, e);
                    out.onError(Protos.status(e).asRuntimeException());
                }
            });
        } else {
            // Nothing in coordinating a write blocks (the local replica's fsync is awaited by a future).
            coordinate.run();
        }
    }

    private static void reply(PutOutcome o, Throwable e, StreamObserver<PutResponse> out) {
        if (e != null) {
            out.onError(Protos.status(e).asRuntimeException());
            return;
        }
        out.onNext(PutResponse.newBuilder().setContext(UnsafeByteOperations.unsafeWrap(o.context()))
                .setRingEpoch(o.ringEpoch()).setTimestampMillis(o.timestampMillis()).build());
        out.onCompleted();
    }

    private void forwardStream(KVGrpc.KVStub stub, PutRequest req, StreamObserver<PutResponse> out) {
        StreamObserver<PutStreamRequest> stream = stub.putStream(out);
        ByteString value = req.getValue();
        stream.onNext(PutStreamRequest.newBuilder().setHeader(req.toBuilder().clearValue()).build());
        for (int off = 0; off < value.size(); off += GrpcTransport.CHUNK_BYTES) {
            stream.onNext(PutStreamRequest.newBuilder()
                    .setChunk(value.substring(off, Math.min(value.size(), off + GrpcTransport.CHUNK_BYTES))).build());
        }
        stream.onCompleted();
    }

    @Override
    public void delete(DeleteRequest req, StreamObserver<DeleteResponse> out) {
        delete(req, CallInfo.ofCurrentRequest(), out);
    }

    /** A Delete with its call's deadline and origin given (the client channel passes its own). */
    void delete(DeleteRequest req, CallInfo call, StreamObserver<DeleteResponse> out) {
        if (!coordinateHere("delete", req.getKeyspace(), req.getKey(), call, out, stub -> stub.delete(req, out))) {
            return;
        }
        PutCommand command = PutCommand.delete(req.getKeyspace(), req.getKey(),
                Protos.consistency(req.getConsistency(), req.getW()), call.timeoutMillis())
                .withContext(req.getContext().toByteArray());
        KvRequest request = startRequest("delete", req.getKeyspace(), req.getKey(), command.consistency());
        request.wrap(() -> coordinator.put(command).whenComplete((o, e) -> {
            end(request, e);
            if (e != null) {
                out.onError(Protos.status(e).asRuntimeException());
            } else {
                out.onNext(DeleteResponse.newBuilder().setRingEpoch(o.ringEpoch()).build());
                out.onCompleted();
            }
        })).run();
    }

    @Override
    public StreamObserver<PutStreamRequest> putStream(StreamObserver<PutResponse> out) {
        return new ChunkedUpload<PutStreamRequest, PutRequest>("PutStream",
                m -> m.hasHeader() ? m.getHeader() : null, PutStreamRequest::getChunk,
                h -> h.getValue().isEmpty() ? null : "PutStream's header must have an empty value; the value follows in chunks",
                maxValueBytes, out, (header, value) -> put(header.toBuilder().setValue(value).build(), out));
    }

    @Override
    public void getStream(GetRequest req, StreamObserver<GetStreamResponse> out) {
        CallInfo call = CallInfo.ofCurrentRequest();
        if (!coordinateHere("get", req.getKeyspace(), req.getKey(), call, out, stub -> stub.getStream(req, out))) {
            return;
        }
        // The read completes on whichever thread delivered the last replica's answer, often a main
        // event loop; a stream's chunks are serialized by the thread that sends them, so they are
        // sent from this call's own event loop (the bulk lane's, for a client that uses it).
        java.util.concurrent.Executor callLoop = callEventLoop();
        ServerCallStreamObserver<GetStreamResponse> served =
                out instanceof ServerCallStreamObserver<GetStreamResponse> s ? s : null;
        if (served != null) {
            // A client that stopped waiting (its deadline, or it went away) while the value was read ends
            // the stream: what is left to send is dropped. Without a handler, each send would throw, and
            // the event loop would log the exception with its stack.
            served.setOnCancelHandler(() -> { });
        }
        read(req, call, out, o -> callLoop.execute(() -> {
            if (served != null && served.isCancelled()) {
                return;
            }
            out.onNext(GetStreamResponse.newBuilder().setHeader(response(o, -1)).build());
            for (int i = 0; i < o.values().size(); i++) {
                byte[] v = o.values().get(i).value();
                for (int off = 0; off < v.length; off += GrpcTransport.CHUNK_BYTES) {
                    if (served != null && served.isCancelled()) {
                        return;
                    }
                    int len = Math.min(GrpcTransport.CHUNK_BYTES, v.length - off);
                    out.onNext(GetStreamResponse.newBuilder().setChunk(ValueChunk.newBuilder().setSibling(i)
                            .setData(UnsafeByteOperations.unsafeWrap(v, off, len))).build());
                }
            }
            out.onCompleted();
        }));
    }

    /** The current call's event loop, or a direct executor outside an Armeria call (in-process tests). */
    private static java.util.concurrent.Executor callEventLoop() {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        if (ctx == null) {
            return Runnable::run;
        }
        io.netty.channel.EventLoop loop = ctx.eventLoop();
        return task -> {
            if (loop.inEventLoop()) {
                task.run();
            } else {
                loop.execute(task);
            }
        };
    }

    @Override
    public void getRing(GetRingRequest req, StreamObserver<RingView> out) {
        if (!ready(out)) {
            return;
        }
        out.onNext(Protos.ringView(ring.require(), transport::bulkPortOf));
        out.onCompleted();
    }
}
