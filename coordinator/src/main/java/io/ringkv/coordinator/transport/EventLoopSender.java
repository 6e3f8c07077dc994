package io.ringkv.coordinator.transport;

import io.grpc.stub.StreamObserver;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends on a long-lived Armeria gRPC client stream from any thread: messages are queued and written
 * by one task on the stream's own event loop. Armeria refuses to run a call's callbacks while another
 * request's context is current (a coordinator sends replica calls from inside a client request's
 * handler), and gRPC observers are not thread-safe; one writer on the event loop settles both, and
 * messages queued meanwhile go out together.
 */
final class EventLoopSender<T> implements StreamObserver<T> {
    private final StreamObserver<T> out;
    private final Executor eventLoop;
    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    EventLoopSender(StreamObserver<T> out, Executor eventLoop) {
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
            out.onNext(next);
        }
    }

    @Override
    public void onError(Throwable t) {
        eventLoop.execute(() -> {
            queue.clear();
            out.onError(t);
        });
    }

    @Override
    public void onCompleted() {
        eventLoop.execute(() -> {
            drain();
            out.onCompleted();
        });
    }
}
