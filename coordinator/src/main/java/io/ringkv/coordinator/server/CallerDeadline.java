package io.ringkv.coordinator.server;

import io.grpc.stub.StreamObserver;

/**
 * The reply observer of a replica-channel call that carries its caller's timeout: it knows when the
 * caller stops waiting, counted from when the call arrived, so work queued past that is skipped.
 */
final class CallerDeadline<T> implements StreamObserver<T> {
    private final StreamObserver<T> reply;
    private final long deadlineNanos;
    private final int timeoutMillis;

    private CallerDeadline(StreamObserver<T> reply, long receivedNanos, int timeoutMillis) {
        this.reply = reply;
        this.deadlineNanos = receivedNanos + timeoutMillis * 1_000_000L;
        this.timeoutMillis = timeoutMillis;
    }

    /** {@code reply} with the deadline {@code timeoutMillis} after {@code receivedNanos}; {@code reply} itself for 0. */
    static <T> StreamObserver<T> of(StreamObserver<T> reply, long receivedNanos, int timeoutMillis) {
        return timeoutMillis <= 0 ? reply : new CallerDeadline<>(reply, receivedNanos, timeoutMillis);
    }

    /** True once the caller's timeout has run out. */
    boolean passed() {
        return System.nanoTime() - deadlineNanos > 0;
    }

    int timeoutMillis() {
        return timeoutMillis;
    }

    @Override
    public void onNext(T value) {
        reply.onNext(value);
    }

    @Override
    public void onError(Throwable t) {
        reply.onError(t);
    }

    @Override
    public void onCompleted() {
        reply.onCompleted();
    }
}
