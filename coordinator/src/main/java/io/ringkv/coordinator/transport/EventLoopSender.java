package io.ringkv.coordinator.transport;

import io.grpc.stub.StreamObserver;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends on a long-lived Armeria gRPC stream (either end) from any thread: messages are queued and
 * written by one task on the stream's own event loop. gRPC observers are not thread-safe, Armeria
 * runs a call made on its event loop at once but hops one made elsewhere (so two threads' messages
 * could pass each other, even under a lock), and on the client it refuses to run a call's callbacks
 * while another request's context is current (a coordinator sends replica calls from inside a
 * client request's handler). One writer on the event loop settles all three, and messages queued
 * meanwhile go out together.
 */
public final class EventLoopSender<T> implements StreamObserver<T> {
    private final StreamObserver<T> out;
    private final Executor eventLoop;
    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private boolean failed;

    public EventLoopSender(StreamObserver<T> out, Executor eventLoop) {
        this.out = out;
        this.eventLoop = eventLoop;
    }

    @Override
    public void onNext(T value) {
        queue.add(value);
        if (scheduled.compareAndSet(false, true)) {
            eventLoop.execute(drain);
        }
    }

    private void drain() {
        scheduled.set(false);
        T next;
        while ((next = queue.poll()) != null) {
            if (failed) {
                continue;
            }
            try {
                out.onNext(next);
            } catch (RuntimeException e) {
                // A message that cannot be sent would leave its call, and every later one, waiting for a
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
}
