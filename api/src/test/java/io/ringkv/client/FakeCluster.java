package io.ringkv.client;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.DeleteResponse;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.GetStreamResponse;
import io.ringkv.api.v1.KVChannelGrpc;
import io.ringkv.api.v1.KVGrpc;
import io.ringkv.api.v1.KvBatch;
import io.ringkv.api.v1.KvCallError;
import io.ringkv.api.v1.KvEnvelope;
import io.ringkv.api.v1.NodeState;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.api.v1.PutResponse;
import io.ringkv.api.v1.PutStreamRequest;
import io.ringkv.api.v1.RingNode;
import io.ringkv.api.v1.RingView;
import io.ringkv.api.v1.Value;
import io.ringkv.api.v1.ValueChunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Several in-process KV servers on loopback sockets that share one store, so any node can serve
 * any key, and that record which node received each call. Tests steer them through the public
 * fields: the ring they hand out, the epoch they report, injected failures, hanging.
 */
final class FakeCluster implements AutoCloseable {
    /**
     * One call as a node saw it; {@code request} is the (header) request message; {@code channel}
     * when it came on the KV channel rather than as an RPC.
     */
    record Call(String node, String method, String key, int chunks, Object request, boolean channel) {
        Call(String node, String method, String key, int chunks, Object request) {
            this(node, method, key, chunks, request, VIA_CHANNEL.get());
        }
    }

    /** An RPC as a node's server saw it arrive: its full method name and the client's end of the connection. */
    record Arrival(String node, String method, java.net.SocketAddress client) {
    }

    /** Every RPC (a KV channel stream is one) in arrival order. */
    final List<Arrival> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Set while a node serves a call that arrived on its KV channel. */
    private static final ThreadLocal<Boolean> VIA_CHANNEL = ThreadLocal.withInitial(() -> false);

    /** What the shared store holds for a key: its siblings and causal context. */
    record Stored(List<Value> values, ByteString context) {
    }

    final List<FakeNode> nodes = new ArrayList<>();
    final ConcurrentHashMap<String, Stored> store = new ConcurrentHashMap<>();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicLong clock = new AtomicLong(1_000);

    volatile RingView ring = RingView.getDefaultInstance();
    /** The ring_epoch responses carry; negative means "the ring's epoch". */
    volatile long reportedEpoch = -1;
    /** A status to fail a call with, or null to serve it. */
    volatile Function<Call, Status> failure = call -> null;
    /** When set, nodes never answer Get/Put/Delete (their deadline fires on the client). */
    volatile boolean hang;
    /** Nodes (by id) that never answer Get/Put/Delete, as if frozen by SIGSTOP. */
    final java.util.Set<String> hangingNodes = ConcurrentHashMap.newKeySet();
    volatile int streamChunkBytes = 256 * 1024;
    /** When positive, GetStream sends this many bytes fewer than its header announced. */
    volatile int truncateStreamBytes;

    static FakeCluster start(int nodeCount) throws IOException {
        return start(nodeCount, true);
    }

    /** @param kvChannel whether the nodes serve the KV channel (false: like a node of an older version) */
    static FakeCluster start(int nodeCount, boolean kvChannel) throws IOException {
        FakeCluster cluster = new FakeCluster();
        try {
            for (int i = 0; i < nodeCount; i++) {
                cluster.nodes.add(cluster.new FakeNode("n" + i, kvChannel));
            }
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    String address(int node) {
        return nodes.get(node).address;
    }

    List<String> addresses() {
        return nodes.stream().map(n -> n.address).toList();
    }

    /** A ring over these nodes where vnode v's replicas are {@code replicas[v]} (node indexes). */
    RingView ringView(long epoch, int[][] replicas) {
        RingView.Builder view = RingView.newBuilder().setEpoch(epoch).setVnodeCount(replicas.length)
                .setReplicasPerVnode(replicas[0].length);
        for (FakeNode node : nodes) {
            view.addNodes(RingNode.newBuilder().setId(node.id).setAddress(node.address).setRack("rack-" + node.id)
                    .setState(NodeState.ACTIVE));
        }
        for (int[] list : replicas) {
            for (int index : list) {
                view.addAssignments(index);
            }
        }
        return view.build();
    }

    /** vnode v -> nodes (v + shift) mod n, (v + shift + 1) mod n, ... (replicasPerVnode of them). */
    RingView rotatingRing(long epoch, int vnodeCount, int replicasPerVnode, int shift) {
        int[][] replicas = new int[vnodeCount][replicasPerVnode];
        for (int v = 0; v < vnodeCount; v++) {
            for (int i = 0; i < replicasPerVnode; i++) {
                replicas[v][i] = (v + shift + i) % nodes.size();
            }
        }
        return ringView(epoch, replicas);
    }

    List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method.equals(method)).toList();
    }

    /** Calls other than GetRing, the ones a test about routing looks at. */
    List<Call> dataCalls() {
        return calls.stream().filter(c -> !c.method.equals("GetRing")).toList();
    }

    void storeValue(String key, byte[]... siblings) {
        List<Value> values = new ArrayList<>();
        for (byte[] sibling : siblings) {
            values.add(Value.newBuilder().setValue(ByteString.copyFrom(sibling))
                    .setTimestampMillis(clock.incrementAndGet()).setSize(sibling.length).build());
        }
        store.put(key, new Stored(values, ByteString.copyFromUtf8("ctx-" + clock.incrementAndGet())));
    }

    private long epoch() {
        long reported = reportedEpoch;
        return reported >= 0 ? reported : ring.getEpoch();
    }

    @Override
    public void close() {
        for (FakeNode node : nodes) {
            node.stop();
        }
    }

    /** One node: a gRPC server on 127.0.0.1 with an ephemeral port. */
    final class FakeNode extends KVGrpc.KVImplBase {
        final String id;
        final Server server;
        final String address;

        FakeNode(String id, boolean kvChannel) throws IOException {
            this.id = id;
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(this)
                    .intercept(new io.grpc.ServerInterceptor() {
                        @Override
                        public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call,
                                io.grpc.Metadata headers, io.grpc.ServerCallHandler<Q, A> next) {
                            arrivals.add(new Arrival(id, call.getMethodDescriptor().getFullMethodName(),
                                    call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
                            return next.startCall(call, headers);
                        }
                    })
                    .maxInboundMessageSize(64 * 1024 * 1024);
            if (kvChannel) {
                builder.addService(new Channel());
            }
            this.server = builder.build().start();
            this.address = "127.0.0.1:" + server.getPort();
        }

        /** Stops the server at once; later connections to its port are refused. */
        void stop() {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Records the call; true if it was answered with an injected failure or left hanging. */
        private boolean intercept(Call call, StreamObserver<?> observer, boolean mayHang) {
            calls.add(call);
            Status status = failure.apply(call);
            if (status != null) {
                observer.onError(status.asRuntimeException());
                return true;
            }
            return mayHang && (hang || hangingNodes.contains(id));
        }

        @Override
        public void get(GetRequest request, StreamObserver<GetResponse> observer) {
            if (intercept(new Call(id, "Get", request.getKey(), 0, request), observer, true)) {
                return;
            }
            Stored stored = store.get(request.getKey());
            GetResponse.Builder response = GetResponse.newBuilder().setRingEpoch(epoch());
            if (stored != null) {
                response.setFound(true).setContext(stored.context());
                long limit = request.getMaxInlineBytes();
                boolean omit = limit > 0 && stored.values().stream().anyMatch(v -> v.getSize() > limit);
                for (Value v : stored.values()) {
                    response.addValues(omit ? v.toBuilder().clearValue().build() : v);
                }
                response.setValuesOmitted(omit);
            }
            observer.onNext(response.build());
            observer.onCompleted();
        }

        @Override
        public void getStream(GetRequest request, StreamObserver<GetStreamResponse> observer) {
            if (intercept(new Call(id, "GetStream", request.getKey(), 0, request), observer, true)) {
                return;
            }
            Stored stored = store.get(request.getKey());
            GetResponse.Builder header = GetResponse.newBuilder().setRingEpoch(epoch());
            if (stored != null) {
                header.setFound(true).setContext(stored.context());
                for (Value v : stored.values()) {
                    header.addValues(v.toBuilder().clearValue().build());
                }
            }
            observer.onNext(GetStreamResponse.newBuilder().setHeader(header).build());
            if (stored != null) {
                int chunkBytes = streamChunkBytes;
                for (int s = 0; s < stored.values().size(); s++) {
                    ByteString value = stored.values().get(s).getValue();
                    int end = Math.max(0, value.size() - truncateStreamBytes);
                    for (int offset = 0; offset < end; offset += chunkBytes) {
                        observer.onNext(GetStreamResponse.newBuilder().setChunk(ValueChunk.newBuilder().setSibling(s)
                                .setData(value.substring(offset, Math.min(end, offset + chunkBytes)))).build());
                    }
                }
            }
            observer.onCompleted();
        }

        @Override
        public void put(PutRequest request, StreamObserver<PutResponse> observer) {
            if (intercept(new Call(id, "Put", request.getKey(), 0, request), observer, true)) {
                return;
            }
            write(request, request.getValue(), observer);
        }

        @Override
        public StreamObserver<PutStreamRequest> putStream(StreamObserver<PutResponse> observer) {
            return new StreamObserver<>() {
                private PutRequest header;
                private final ByteArrayOutputStream value = new ByteArrayOutputStream();
                private int chunks;

                @Override
                public void onNext(PutStreamRequest message) {
                    if (message.hasHeader()) {
                        header = message.getHeader();
                    } else {
                        chunks++;
                        try {
                            message.getChunk().writeTo(value);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    Call call = new Call(id, "PutStream", header.getKey(), chunks, header);
                    if (intercept(call, observer, false)) {
                        return;
                    }
                    if (!header.getValue().isEmpty()) {
                        observer.onError(Status.INVALID_ARGUMENT.withDescription("header carries a value")
                                .asRuntimeException());
                        return;
                    }
                    write(header, ByteString.copyFrom(value.toByteArray()), observer);
                }
            };
        }

        private void write(PutRequest request, ByteString value, StreamObserver<PutResponse> observer) {
            if (request.getIfAbsent() && store.containsKey(request.getKey())) {
                observer.onError(Status.FAILED_PRECONDITION.withDescription("key exists").asRuntimeException());
                return;
            }
            long timestamp = clock.incrementAndGet();
            ByteString context = ByteString.copyFromUtf8("ctx-" + timestamp);
            store.put(request.getKey(), new Stored(List.of(Value.newBuilder().setValue(value)
                    .setTimestampMillis(timestamp).setSize(value.size()).build()), context));
            observer.onNext(PutResponse.newBuilder().setContext(context).setTimestampMillis(timestamp)
                    .setRingEpoch(epoch()).build());
            observer.onCompleted();
        }

        @Override
        public void delete(DeleteRequest request, StreamObserver<DeleteResponse> observer) {
            if (intercept(new Call(id, "Delete", request.getKey(), 0, request), observer, true)) {
                return;
            }
            store.remove(request.getKey());
            observer.onNext(DeleteResponse.newBuilder().setRingEpoch(epoch()).build());
            observer.onCompleted();
        }

        /** The KV channel: every request goes to the node's unary handler, its reply back under its id. */
        final class Channel extends KVChannelGrpc.KVChannelImplBase {
            @Override
            public StreamObserver<KvBatch> exchange(StreamObserver<KvBatch> out) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(KvBatch batch) {
                        batch.getCallsList().forEach(this::serve);
                    }

                    private void serve(KvEnvelope request) {
                        long id = request.getId();
                        VIA_CHANNEL.set(true);
                        try {
                            switch (request.getBodyCase()) {
                                case GET -> get(request.getGet(), reply(out, id, KvEnvelope.Builder::setGetReply));
                                case PUT -> put(request.getPut(), reply(out, id, KvEnvelope.Builder::setPutReply));
                                case DELETE -> delete(request.getDelete(), reply(out, id, KvEnvelope.Builder::setDeleteReply));
                                default -> throw new AssertionError("not a KV request: " + request.getBodyCase());
                            }
                        } finally {
                            VIA_CHANNEL.set(false);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        synchronized (out) {
                            out.onCompleted();
                        }
                    }
                };
            }

            private <T> StreamObserver<T> reply(StreamObserver<KvBatch> out, long id,
                                                java.util.function.BiConsumer<KvEnvelope.Builder, T> set) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(T value) {
                        KvEnvelope.Builder b = KvEnvelope.newBuilder().setId(id);
                        set.accept(b, value);
                        synchronized (out) {
                            out.onNext(KvBatch.newBuilder().addCalls(b).build());
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        Status status = Status.fromThrowable(t);
                        synchronized (out) {
                            out.onNext(KvBatch.newBuilder().addCalls(KvEnvelope.newBuilder().setId(id)
                                    .setError(KvCallError.newBuilder().setCode(status.getCode().value())
                                            .setMessage(status.getDescription() == null ? "" : status.getDescription())))
                                    .build());
                        }
                    }

                    @Override
                    public void onCompleted() {
                    }
                };
            }
        }

        @Override
        public void getRing(GetRingRequest request, StreamObserver<RingView> observer) {
            if (intercept(new Call(id, "GetRing", "", 0, request), observer, false)) {
                return;
            }
            observer.onNext(ring);
            observer.onCompleted();
        }
    }
}
