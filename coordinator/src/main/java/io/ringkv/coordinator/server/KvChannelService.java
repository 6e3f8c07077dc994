package io.ringkv.coordinator.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.ringkv.api.v1.KVChannelGrpc;
import io.ringkv.api.v1.KvBatch;
import io.ringkv.api.v1.KvCallError;
import io.ringkv.api.v1.KvEnvelope;

/**
 * The node's end of the clients' multiplexed KV channel ({@code KVChannel.Exchange}): each request
 * on a stream is served by the {@link KvGrpcService} handler its unary RPC would reach, with the
 * deadline the envelope carries, and its reply (or error) goes back on the stream under the
 * request's id, in completion order. {@link #close()} ends every open stream.
 */
final class KvChannelService extends KVChannelGrpc.KVChannelImplBase implements AutoCloseable {
    private final KvGrpcService kv;
    private final ChannelStreams<KvEnvelope, KvBatch> streams = new ChannelStreams<>(
            KvBatch::getCallsList, calls -> KvBatch.newBuilder().addAllCalls(calls).build(),
            KvEnvelope::getSerializedSize, KvChannelService::error, this::serve);

    KvChannelService(KvGrpcService kv) {
        this.kv = kv;
    }

    private void serve(KvEnvelope request, ChannelStreams<KvEnvelope, KvBatch>.Stream stream) {
        long id = request.getId();
        KvGrpcService.CallInfo call = new KvGrpcService.CallInfo(request.getTimeoutMillis(), false);
        // Each request is a trace of its own, not a child of the long-lived stream's span.
        try (Scope ignored = Context.root().makeCurrent()) {
            switch (request.getBodyCase()) {
                case GET -> kv.get(request.getGet(), call,
                        stream.reply(id, (i, r) -> KvEnvelope.newBuilder().setId(i).setGetReply(r).build()));
                case PUT -> kv.put(request.getPut(), call,
                        stream.reply(id, (i, r) -> KvEnvelope.newBuilder().setId(i).setPutReply(r).build()));
                case DELETE -> kv.delete(request.getDelete(), call,
                        stream.reply(id, (i, r) -> KvEnvelope.newBuilder().setId(i).setDeleteReply(r).build()));
                default -> stream.fail(id, Status.INVALID_ARGUMENT.withDescription("not a KV request: "
                        + request.getBodyCase()));
            }
        } catch (RuntimeException e) {
            stream.fail(id, Protos.status(e));
        }
    }

    private static KvEnvelope error(long id, Status status) {
        return KvEnvelope.newBuilder().setId(id).setError(KvCallError.newBuilder()
                .setCode(status.getCode().value())
                .setMessage(status.getDescription() == null ? "" : status.getDescription())).build();
    }

    @Override
    public StreamObserver<KvBatch> exchange(StreamObserver<KvBatch> out) {
        return streams.open(out);
    }

    /** Streams open now (for tests). */
    int openStreams() {
        return streams.openStreams();
    }

    @Override
    public void close() {
        streams.close();
    }
}
