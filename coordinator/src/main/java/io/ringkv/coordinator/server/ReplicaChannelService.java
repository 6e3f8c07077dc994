package io.ringkv.coordinator.server;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.ReplicaCallError;
import io.ringkv.api.v1.ReplicaChannelGrpc;
import io.ringkv.api.v1.ReplicaBatch;
import io.ringkv.api.v1.ReplicaEnvelope;
import io.ringkv.coordinator.transport.EventLoopSender;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The replica's end of the multiplexed replica channel ({@code ReplicaChannel.Exchange}): each
 * request on a stream is served by the unary {@link ReplicaGrpcService} handler, so both paths behave
 * the same, and its reply (or error) goes back on the stream under the request's id, in completion
 * order. Reads answer on the event loop; writes that wait for an fsync answer from their virtual
 * thread. {@link #close()} ends every open stream, so a stopping node does not wait for them.
 */
final class ReplicaChannelService extends ReplicaChannelGrpc.ReplicaChannelImplBase implements AutoCloseable {
    private final ReplicaGrpcService replica;
    private final Set<Peer> open = ConcurrentHashMap.newKeySet();

    ReplicaChannelService(ReplicaGrpcService replica) {
        this.replica = replica;
    }

    /** One caller's stream: replies are written one at a time (gRPC observers are not thread-safe). */
    private final class Peer implements StreamObserver<ReplicaEnvelope> {
        private final StreamObserver<ReplicaEnvelope> out;
        private boolean ended;

        Peer(StreamObserver<ReplicaBatch> out, java.util.concurrent.Executor eventLoop) {
            // Replies come from the event loop (reads) and from virtual threads (writes): one writer keeps them in order.
            this.out = eventLoop == null
                    ? new EventLoopSender<>(out, Runnable::run, ReplicaChannelService::pack, ReplicaEnvelope::getSerializedSize)
                    : new EventLoopSender<>(out, eventLoop, ReplicaChannelService::pack, ReplicaEnvelope::getSerializedSize);
        }

        synchronized void send(ReplicaEnvelope reply) {
            if (!ended) {
                out.onNext(reply);
            }
        }

        synchronized void end() {
            if (!ended) {
                ended = true;
                try {
                    out.onCompleted();
                } catch (RuntimeException ignored) {
                    // Already cancelled.
                }
            }
            open.remove(this);
        }

        @Override
        public void onNext(ReplicaEnvelope request) {
            long id = request.getId();
            try {
                switch (request.getBodyCase()) {
                    case WRITE -> replica.write(request.getWrite(), reply(id, ReplicaEnvelope.Builder::setWriteReply));
                    case READ -> replica.read(request.getRead(), reply(id, ReplicaEnvelope.Builder::setReadReply));
                    case PING -> replica.ping(request.getPing(), reply(id, ReplicaEnvelope.Builder::setPingReply));
                    default -> send(error(id, Status.INVALID_ARGUMENT.withDescription("not a replica request: "
                            + request.getBodyCase())));
                }
            } catch (RuntimeException e) {
                send(error(id, Protos.status(e)));
            }
        }

        private <T> StreamObserver<T> reply(long id, BiConsumer<ReplicaEnvelope.Builder, T> set) {
            return new StreamObserver<>() {
                @Override
                public void onNext(T value) {
                    ReplicaEnvelope.Builder b = ReplicaEnvelope.newBuilder().setId(id);
                    set.accept(b, value);
                    send(b.build());
                }

                @Override
                public void onError(Throwable t) {
                    send(error(id, Status.fromThrowable(t)));
                }

                @Override
                public void onCompleted() {
                    // Unary handlers send one reply, then complete: the reply was the answer.
                }
            };
        }

        @Override
        public void onError(Throwable t) {
            end();
        }

        @Override
        public void onCompleted() {
            end();
        }
    }

    private static ReplicaEnvelope error(long id, Status status) {
        return ReplicaEnvelope.newBuilder().setId(id).setError(ReplicaCallError.newBuilder()
                .setCode(status.getCode().value())
                .setMessage(status.getDescription() == null ? "" : status.getDescription())).build();
    }

    @Override
    public StreamObserver<ReplicaBatch> exchange(StreamObserver<ReplicaBatch> out) {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        if (ctx != null) {
            // The stream lives as long as the two nodes do: the server's request timeout and its cap on a
            // request's total length are for ordinary calls. Each message is still capped by gRPC.
            ctx.clearRequestTimeout();
            ctx.setMaxRequestLength(0);
        }
        Peer peer = new Peer(out, ctx == null ? null : ctx.eventLoop().withoutContext());
        open.add(peer);
        return EventLoopSender.unbatching(peer, ReplicaBatch::getCallsList);
    }

    private static ReplicaBatch pack(java.util.List<ReplicaEnvelope> calls) {
        return ReplicaBatch.newBuilder().addAllCalls(calls).build();
    }

    /** Streams open now (for tests). */
    int openStreams() {
        return open.size();
    }

    @Override
    public void close() {
        for (Peer p : open) {
            p.end();
        }
    }
}
