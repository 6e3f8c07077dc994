package io.ringkv.client;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetStreamResponse;
import io.ringkv.api.v1.KVGrpc;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.api.v1.PutResponse;
import io.ringkv.api.v1.PutStreamRequest;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Adapters from gRPC's observer callbacks to futures, one call each, no retries. Failures complete
 * the future with the gRPC exception as is; the caller maps and decides.
 */
final class Calls {
    private Calls() {
    }

    /** Starts a unary call with {@code method} (a stub method reference). */
    static <Req, Resp> CompletableFuture<Resp> unary(BiConsumer<Req, StreamObserver<Resp>> method, Req request) {
        CompletableFuture<Resp> result = new CompletableFuture<>();
        try {
            method.accept(request, new StreamObserver<>() {
                private Resp response;

                @Override
                public void onNext(Resp value) {
                    response = value;
                }

                @Override
                public void onError(Throwable t) {
                    result.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    result.complete(response);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** Reads a whole GetStream into memory, checked against its header (see {@link StreamAssembler}). */
    static CompletableFuture<GetResult> getStream(KVGrpc.KVStub stub, GetRequest request, String node) {
        CompletableFuture<GetResult> result = new CompletableFuture<>();
        StreamAssembler assembler = new StreamAssembler(node);
        try {
            stub.getStream(request, new ClientResponseObserver<GetRequest, GetStreamResponse>() {
                private ClientCallStreamObserver<GetRequest> call;

                @Override
                public void beforeStart(ClientCallStreamObserver<GetRequest> requestStream) {
                    call = requestStream;
                }

                @Override
                public void onNext(GetStreamResponse message) {
                    if (result.isDone()) {
                        return;
                    }
                    try {
                        assembler.accept(message);
                    } catch (ProtocolViolationException e) {
                        result.completeExceptionally(e);
                        // Stop the server sending the rest of a stream we already rejected.
                        call.cancel("client rejected the stream", e);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    result.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    try {
                        result.complete(assembler.finish());
                    } catch (ProtocolViolationException e) {
                        result.completeExceptionally(e);
                    }
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /**
     * Writes {@code value} with PutStream: the header, then chunks of {@code chunkBytes} in order.
     * Chunks are sent only while the transport is ready, so a large value is never buffered twice;
     * the chunks wrap {@code value} without copying, so it must not change until the call ends.
     */
    static CompletableFuture<PutResponse> putStream(KVGrpc.KVStub stub, PutRequest header, byte[] value, int chunkBytes) {
        Upload upload = new Upload(header, value, chunkBytes);
        try {
            stub.putStream(upload);
        } catch (RuntimeException e) {
            upload.result.completeExceptionally(e);
        }
        return upload.result;
    }

    /** Sends one PutStream; gRPC serializes its callbacks, so the fields need no locking. */
    private static final class Upload implements ClientResponseObserver<PutStreamRequest, PutResponse> {
        final CompletableFuture<PutResponse> result = new CompletableFuture<>();
        private final PutRequest header;
        private final byte[] value;
        private final int chunkBytes;
        private ClientCallStreamObserver<PutStreamRequest> requests;
        private boolean headerSent;
        private int offset;
        private boolean halfClosed;
        private PutResponse response;

        Upload(PutRequest header, byte[] value, int chunkBytes) {
            this.header = header;
            this.value = value;
            this.chunkBytes = chunkBytes;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<PutStreamRequest> requestStream) {
            requests = requestStream;
            requestStream.setOnReadyHandler(this::pump);
        }

        private void pump() {
            while (!halfClosed && !result.isDone() && requests.isReady()) {
                if (!headerSent) {
                    requests.onNext(PutStreamRequest.newBuilder().setHeader(header).build());
                    headerSent = true;
                } else if (offset < value.length) {
                    int length = Math.min(chunkBytes, value.length - offset);
                    requests.onNext(PutStreamRequest.newBuilder()
                            .setChunk(UnsafeByteOperations.unsafeWrap(value, offset, length))
                            .build());
                    offset += length;
                } else {
                    requests.onCompleted();
                    halfClosed = true;
                }
            }
        }

        @Override
        public void onNext(PutResponse value) {
            response = value;
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            result.complete(response);
        }
    }
}
