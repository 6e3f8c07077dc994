package io.ringkv.coordinator.server;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.ringkv.api.v1.KVChannelGrpc;
import io.ringkv.api.v1.KvCallError;
import io.ringkv.api.v1.KvBatch;
import io.ringkv.api.v1.KvEnvelope;
import io.ringkv.coordinator.transport.EventLoopSender;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * The node's end of the clients' multiplexed KV channel ({@code KVChannel.Exchange}): each request
 * on a stream is served by the {@link KvGrpcService} handler its unary RPC would reach, with the
 * deadline the envelope carries, and its reply (or error) goes back on the stream under the
 * request's id, in completion order. {@link #close()} ends every open stream.
 */
final class KvChannelService extends KVChannelGrpc.KVChannelImplBase implements AutoCloseable {
    private final KvGrpcService kv;
    private final Set<Client> open = ConcurrentHashMap.newKeySet();

    KvChannelService(KvGrpcService kv) {
        this.kv = kv;
    }

    /** One client's stream: replies are written one at a time (gRPC observers are not thread-safe). */
    private final class Client implements StreamObserver<KvEnvelope> {
        private final StreamObserver<KvEnvelope> out;
        private boolean ended;

        Client(StreamObserver<KvBatch> out, Executor eventLoop) {
            // Replies come from the event loop (reads) and from virtual threads (writes): one writer keeps them whole.
            this.out = eventLoop == null
                    ? new EventLoopSender<>(out, Runnable::run, KvChannelService::pack, KvEnvelope::getSerializedSize)
                    : new EventLoopSender<>(out, eventLoop, KvChannelService::pack, KvEnvelope::getSerializedSize);
        }

        synchronized void send(KvEnvelope reply) {
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
        public void onNext(KvEnvelope request) {
            long id = request.getId();
            KvGrpcService.CallInfo call = new KvGrpcService.CallInfo(request.getTimeoutMillis(), false);
            // Each request is a trace of its own, not a child of the long-lived stream's span.
            try (Scope ignored = Context.root().makeCurrent()) {
                switch (request.getBodyCase()) {
                    case GET -> kv.get(request.getGet(), call, reply(id, KvEnvelope.Builder::setGetReply));
                    case PUT -> kv.put(request.getPut(), call, reply(id, KvEnvelope.Builder::setPutReply));
                    case DELETE -> kv.delete(request.getDelete(), call, reply(id, KvEnvelope.Builder::setDeleteReply));
                    default -> send(error(id, Status.INVALID_ARGUMENT.withDescription(
                            "not a KV request: " + request.getBodyCase())));
                }
            } catch (RuntimeException e) {
                send(error(id, Protos.status(e)));
            }
        }

        private <T> StreamObserver<T> reply(long id, BiConsumer<KvEnvelope.Builder, T> set) {
            return new StreamObserver<>() {
                @Override
                public void onNext(T value) {
                    KvEnvelope.Builder b = KvEnvelope.newBuilder().setId(id);
                    set.accept(b, value);
                    send(b.build());
                }

                @Override
                public void onError(Throwable t) {
                    send(error(id, Status.fromThrowable(t)));
                }

                @Override
                public void onCompleted() {
                    // A unary handler sends one reply, then completes: the reply was the answer.
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

    private static KvEnvelope error(long id, Status status) {
        return KvEnvelope.newBuilder().setId(id).setError(KvCallError.newBuilder()
                .setCode(status.getCode().value())
                .setMessage(status.getDescription() == null ? "" : status.getDescription())).build();
    }

    @Override
    public StreamObserver<KvBatch> exchange(StreamObserver<KvBatch> out) {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        if (ctx != null) {
            // The stream lives as long as the client does: the server's request timeout and its cap on a
            // request's total length are for ordinary calls. Each message is still capped by gRPC.
            ctx.clearRequestTimeout();
            ctx.setMaxRequestLength(0);
        }
        Client client = new Client(out, ctx == null ? null : ctx.eventLoop().withoutContext());
        open.add(client);
        return EventLoopSender.unbatching(client, KvBatch::getCallsList);
    }

    private static KvBatch pack(java.util.List<KvEnvelope> calls) {
        return KvBatch.newBuilder().addAllCalls(calls).build();
    }

    /** Streams open now (for tests). */
    int openStreams() {
        return open.size();
    }

    @Override
    public void close() {
        for (Client c : open) {
            c.end();
        }
    }
}
