package io.ringkv.coordinator.transport;

import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Sends calls (or replies) on a long-lived Armeria gRPC stream of batches (either end) from any
 * thread: each is queued, and one task on the stream's own event loop writes what is queued as
 * batches. gRPC observers are not thread-safe, Armeria runs a call made on its event loop at once but
 * hops one made elsewhere (so two threads' messages could pass each other, even under a lock), and on
 * the client it refuses to run a call's callbacks while another request's context is current (a
 * coordinator sends replica calls from inside a client request's handler). One writer on the event
 * loop settles all three; and what queued up while the loop was busy goes out as one message, whose
 * framing, stream bookkeeping and system call it shares.
 *
 * @param <E> one call or reply
 * @param <B> the stream's message: a batch of them
 */
public final class EventLoopSender<E, B> implements StreamObserver<E> {
    /** At most this many calls per message. */
    public static final int MAX_BATCH_CALLS = 128;
    /** A message stops growing past this many bytes of calls (a single larger call goes alone). */
    public static final int MAX_BATCH_BYTES = 1 << 20;

    private final StreamObserver<B> out;
    private final Executor eventLoop;
    private final Function<List<E>, B> pack;
    private final ToIntFunction<E> sizeOf;
    private final Queue<E> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private boolean failed;

    /**
     * @param pack   makes one message of calls (in order)
     * @param sizeOf a call's serialized size
     */
    public EventLoopSender(StreamObserver<B> out, Executor eventLoop, Function<List<E>, B> pack, ToIntFunction<E> sizeOf) {
        this.out = out;
        this.eventLoop = eventLoop;
        this.pack = pack;
        this.sizeOf = sizeOf;
    }

    @Override
    public void onNext(E value) {
        queue.add(value);
        if (scheduled.compareAndSet(false, true)) {
            eventLoop.execute(drain);
        }
    }

    private void drain() {
        scheduled.set(false);
        E next = queue.poll();
        while (next != null) {
            List<E> batch = new ArrayList<>(Math.min(MAX_BATCH_CALLS, 8));
            long bytes = 0;
            while (next != null) {
                batch.add(next);
                bytes += sizeOf.applyAsInt(next);
                if (batch.size() >= MAX_BATCH_CALLS || bytes >= MAX_BATCH_BYTES) {
                    next = queue.poll();
                    break;
                }
                next = queue.poll();
            }
            if (failed) {
                continue;
            }
            try {
                out.onNext(pack.apply(batch));
            } catch (RuntimeException e) {
                // A message that cannot be sent would leave its calls, and every later one, waiting for a
                // timeout: end the stream instead, so both ends fail their calls and the caller reconnects.
                failed = true;
                try {
                    out.onError(io.grpc.Status.INTERNAL.withDescription("send failed: " + e).asRuntimeException());
                } catch (RuntimeException ignored) {
                    // Already closed.
                }
            }
        }
    }

    /** Ending a call the other side already ended throws; it is ended either way. */
    private static void endQuietly(Runnable end) {
        try {
            end.run();
        } catch (RuntimeException ignored) {
            // Already closed.
        }
    }

    @Override
    public void onError(Throwable t) {
        eventLoop.execute(() -> {
            queue.clear();
            if (!failed) {
                failed = true;
                endQuietly(() -> out.onError(t));
            }
        });
    }

    @Override
    public void onCompleted() {
        eventLoop.execute(() -> {
            drain();
            if (!failed) {
                failed = true;
                endQuietly(out::onCompleted);
            }
        });
    }

    /** Delivers each call of an incoming batch to {@code calls}, in order; the end of the stream too. */
    public static <E, B> StreamObserver<B> unbatching(StreamObserver<E> calls, Function<B, List<E>> unpack) {
        return new StreamObserver<>() {
            @Override
            public void onNext(B batch) {
                for (E call : unpack.apply(batch)) {
                    calls.onNext(call);
                }
            }

            @Override
            public void onError(Throwable t) {
                calls.onError(t);
            }

            @Override
            public void onCompleted() {
                calls.onCompleted();
            }
        };
    }
}
