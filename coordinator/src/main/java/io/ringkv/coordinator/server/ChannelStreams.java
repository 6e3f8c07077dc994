package io.ringkv.coordinator.server;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringkv.coordinator.transport.EventLoopSender;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The server end of a batched call channel (the replica channel, the clients' KV channel): each
 * open stream, whose incoming batches are handed call by call to {@code serve}, and whose replies
 * (or errors), in completion order, go back in batches written on the stream's event loop.
 * {@link #close()} ends every open stream, so a stopping node does not wait for them.
 *
 * @param <E> one call or reply (an envelope with an id)
 * @param <B> the stream's message: a batch of them
 */
final class ChannelStreams<E, B> implements AutoCloseable {
    private final Function<B, List<E>> unpack;
    private final Function<List<E>, B> pack;
    private final ToIntFunction<E> sizeOf;
    private final BiFunction<Long, Status, E> error;
    private final BiConsumer<E, Stream> serve;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();

    /**
     * @param error the reply of call {@code id} that failed with a status
     * @param serve serves one call; it answers through {@link Stream#reply} or {@link Stream#fail}
     */
    ChannelStreams(Function<B, List<E>> unpack, Function<List<E>, B> pack, ToIntFunction<E> sizeOf,
                   BiFunction<Long, Status, E> error, BiConsumer<E, Stream> serve) {
        this.unpack = unpack;
        this.pack = pack;
        this.sizeOf = sizeOf;
        this.error = error;
        this.serve = serve;
    }

    /** Makes the reply envelope of call {@code id} (a primitive id: no boxing per reply). */
    @FunctionalInterface
    interface Reply<T, E> {
        E of(long id, T value);
    }

    /** One caller's stream. */
    final class Stream implements StreamObserver<E> {
        private final StreamObserver<E> out;
        private boolean ended;

        Stream(StreamObserver<B> out, Executor eventLoop) {
            // Replies come from the event loop (reads) and from virtual threads (writes): one writer keeps them whole.
            this.out = new EventLoopSender<>(out, eventLoop == null ? Runnable::run : eventLoop, pack, sizeOf);
        }

        synchronized void send(E reply) {
            if (!ended) {
                out.onNext(reply);
            }
        }

        /** Answers call {@code id} with {@code status}. */
        void fail(long id, Status status) {
            send(error.apply(id, status));
        }

        /** The observer a unary handler answers call {@code id} through; {@code wrap} makes its reply. */
        <T> StreamObserver<T> reply(long id, Reply<T, E> wrap) {
            return new CallReply<>(id, wrap, 0, 0);
        }

        /**
         * {@link #reply} for a call that carries its caller's timeout ({@code timeoutMillis}, 0 for
         * none), counted from {@code receivedNanos}: the observer is then a {@link CallerDeadline}.
         */
        <T> StreamObserver<T> reply(long id, Reply<T, E> wrap, long receivedNanos, int timeoutMillis) {
            return new CallReply<>(id, wrap, receivedNanos, timeoutMillis);
        }

        /** Answers one call on this stream. */
        private final class CallReply<T> implements StreamObserver<T>, CallerDeadline {
            private final long id;
            private final Reply<T, E> wrap;
            private final long deadlineNanos;
            private final int timeoutMillis;

            CallReply(long id, Reply<T, E> wrap, long receivedNanos, int timeoutMillis) {
                this.id = id;
                this.wrap = wrap;
                this.deadlineNanos = receivedNanos + timeoutMillis * 1_000_000L;
                this.timeoutMillis = timeoutMillis;
            }

            @Override
            public boolean passed() {
                return timeoutMillis > 0 && System.nanoTime() - deadlineNanos > 0;
            }

            @Override
            public int timeoutMillis() {
                return timeoutMillis;
            }

            @Override
            public void onNext(T value) {
                send(wrap.of(id, value));
            }

            @Override
            public void onError(Throwable t) {
                fail(id, Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                // A unary handler sends one reply, then completes: the reply was the answer.
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
        public void onNext(E request) {
            serve.accept(request, this);
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

    /** Opens a stream on the current call: returns what receives its batches. */
    StreamObserver<B> open(StreamObserver<B> out) {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        if (ctx != null) {
            // The stream lives as long as its caller: the server's request timeout and its cap on a
            // request's total length are for ordinary calls. Each message is still capped by gRPC.
            ctx.clearRequestTimeout();
            ctx.setMaxRequestLength(0);
        }
        Stream stream = new Stream(out, ctx == null ? null : ctx.eventLoop().withoutContext());
        open.add(stream);
        return EventLoopSender.unbatching(stream, unpack);
    }

    /** Streams open now (for tests). */
    int openStreams() {
        return open.size();
    }

    @Override
    public void close() {
        for (Stream s : open) {
            s.end();
        }
    }
}
