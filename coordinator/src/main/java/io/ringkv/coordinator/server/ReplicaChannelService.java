package io.ringkv.coordinator.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.ReplicaBatch;
import io.ringkv.api.v1.ReplicaCallError;
import io.ringkv.api.v1.ReplicaChannelGrpc;
import io.ringkv.api.v1.ReplicaEnvelope;

/**
 * The replica's end of the multiplexed replica channel ({@code ReplicaChannel.Exchange}): each
 * request on a stream is served by the unary {@link ReplicaGrpcService} handler, so both paths behave
 * the same, and its reply (or error) goes back on the stream under the request's id, in completion
 * order. Reads of records stored inline answer on the event loop, reads of chunked records (digest
 * reads too) from the large-value threads, and writes when their durability future completes. A call
 * carries its caller's timeout ({@link CallerDeadline}): one whose caller gave up while it waited for a
 * large-value thread is answered DEADLINE_EXCEEDED instead of run, as a cancelled unary call is
 * dropped. {@link #close()} ends every open stream, so a stopping node does not wait for them.
 */
final class ReplicaChannelService extends ReplicaChannelGrpc.ReplicaChannelImplBase implements AutoCloseable {
    private final ReplicaGrpcService replica;
    private final ChannelStreams<ReplicaEnvelope, ReplicaBatch> streams = new ChannelStreams<>(
            ReplicaBatch::getCallsList, calls -> ReplicaBatch.newBuilder().addAllCalls(calls).build(),
            ReplicaEnvelope::getSerializedSize, ReplicaChannelService::error, this::serve);

    ReplicaChannelService(ReplicaGrpcService replica) {
        this.replica = replica;
    }

    private void serve(ReplicaEnvelope request, ChannelStreams<ReplicaEnvelope, ReplicaBatch>.Stream stream) {
        long id = request.getId();
        long received = System.nanoTime();
        int timeout = request.getTimeoutMillis();
        try {
            switch (request.getBodyCase()) {
                case WRITE -> replica.write(request.getWrite(), stream.reply(id,
                        (i, r) -> ReplicaEnvelope.newBuilder().setId(i).setWriteReply(r).build(), received, timeout));
                case READ -> replica.read(request.getRead(), stream.reply(id,
                        (i, r) -> ReplicaEnvelope.newBuilder().setId(i).setReadReply(r).build(), received, timeout));
                case PING -> replica.ping(request.getPing(), stream.reply(id,
                        (i, r) -> ReplicaEnvelope.newBuilder().setId(i).setPingReply(r).build()));
                default -> stream.fail(id, Status.INVALID_ARGUMENT.withDescription("not a replica request: "
                        + request.getBodyCase()));
            }
        } catch (RuntimeException e) {
            stream.fail(id, Protos.status(e));
        }
    }

    private static ReplicaEnvelope error(long id, Status status) {
        return ReplicaEnvelope.newBuilder().setId(id).setError(ReplicaCallError.newBuilder()
                .setCode(status.getCode().value())
                .setMessage(status.getDescription() == null ? "" : status.getDescription())).build();
    }

    @Override
    public StreamObserver<ReplicaBatch> exchange(StreamObserver<ReplicaBatch> out) {
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
