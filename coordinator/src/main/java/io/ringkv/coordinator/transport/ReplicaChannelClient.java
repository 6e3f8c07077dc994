package io.ringkv.coordinator.transport;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.ReplicaEnvelope;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Timer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The caller's end of the multiplexed replica channel to one peer: one long-lived
 * {@code ReplicaChannel.Exchange} stream carrying many calls, each matched to its reply by id. It
 * costs one HTTP/2 message each way per call instead of a whole RPC (headers, request log, a new
 * stream), and messages written back to back share system calls.
 *
 * <p>Each call's timeout is enforced here, with the injected {@link Timer}: the stream has none. The
 * call carries it too, so a replica skips large-value work its caller has stopped waiting for. When
 * the stream fails (the peer restarted, the connection broke) every call in flight on it fails with
 * a non-timeout {@link PeerException}, and for {@code reconnectBackoffMillis} {@link #call} declines
 * (returns null) so the caller uses its unary RPCs; the next call after that opens a new stream.
 * {@link #call} also declines when {@code maxInFlight} calls are waiting. Thread-safe; replies
 * complete their futures on the stream's thread.
 */
public final class ReplicaChannelClient implements AutoCloseable {
    private final String address;
    private final Function<StreamObserver<ReplicaEnvelope>, StreamObserver<ReplicaEnvelope>> opener;
    private final Timer timer;
    private final Clock clock;
    private final ReplicaChannelSettings settings;
    private final AtomicLong nextId = new AtomicLong();
    private volatile Stream current;
    private volatile long closedAtNanos = Long.MIN_VALUE;
    private volatile boolean closed;

    /**
     * @param opener starts an {@code Exchange} call: given the observer of the peer's replies, returns the
     *               observer to send requests to
     */
    public ReplicaChannelClient(String address,
                                Function<StreamObserver<ReplicaEnvelope>, StreamObserver<ReplicaEnvelope>> opener,
                                Timer timer, Clock clock, ReplicaChannelSettings settings) {
        this.address = address;
        this.opener = opener;
        this.timer = timer;
        this.clock = clock;
        this.settings = settings;
    }

    /** A call waiting for its reply. */
    private static final class Pending {
        final String nodeId;
        final CompletableFuture<ReplicaEnvelope> reply = new CompletableFuture<>();
        volatile Timer.Cancellable timeout;

        Pending(String nodeId) {
            this.nodeId = nodeId;
        }
    }

    /** One Exchange call; replaced by a new one after it fails. */
    private final class Stream implements StreamObserver<ReplicaEnvelope> {
        final Map<Long, Pending> pending = new ConcurrentHashMap<>();
        StreamObserver<ReplicaEnvelope> out;
        volatile boolean broken;

        @Override
        public void onNext(ReplicaEnvelope reply) {
            Pending p = pending.remove(reply.getId());
            if (p != null) {
                cancel(p);
                p.reply.complete(reply);
            }
        }

        @Override
        public void onError(Throwable t) {
            fail(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            fail(Status.UNAVAILABLE.withDescription("the peer closed the replica channel"));
        }

        void fail(Status status) {
            synchronized (this) {
                if (broken) {
                    return;
                }
                broken = true;
            }
            streamEnded(this);
            for (Long id : pending.keySet()) {
                Pending p = pending.remove(id);
                if (p != null) {
                    cancel(p);
                    p.reply.completeExceptionally(new PeerException(p.nodeId, false, "replica channel to " + address
                            + " failed: " + status.getCode() + (status.getDescription() == null ? "" : ": "
                            + status.getDescription()) + (status.getCause() == null ? "" : " (" + status.getCause() + ")")));
                }
            }
            try {
                // Ends our half too (a cancel), so the HTTP/2 stream is released; a no-op if the call already ended.
                synchronized (this) {
                    if (out != null) {
                        out.onError(status.asRuntimeException());
                    }
                }
            } catch (RuntimeException ignored) {
                // The call is gone either way.
            }
        }
    }

    private static void cancel(Pending p) {
        Timer.Cancellable t = p.timeout;
        if (t != null) {
            t.cancel();
        }
    }

    private void streamEnded(Stream s) {
        synchronized (this) {
            if (current == s) {
                current = null;
                closedAtNanos = clock.monotonicNanos();
            }
        }
    }

    /** The open stream, a new one if the last failed long enough ago, or null while backing off. */
    private Stream stream() {
        Stream s = current;
        if (s != null) {
            if (!s.broken) {
                return s;
            }
            // It failed while being published: its failure could not clear it.
            streamEnded(s);
        }
        synchronized (this) {
            if (closed) {
                return null;
            }
            if (current != null && !current.broken) {
                return current;
            }
            if (closedAtNanos != Long.MIN_VALUE
                    && clock.monotonicNanos() - closedAtNanos < settings.reconnectBackoffMillis() * 1_000_000L) {
                return null;
            }
            Stream fresh = new Stream();
            try {
                StreamObserver<ReplicaEnvelope> out = opener.apply(fresh);
                synchronized (fresh) {
                    fresh.out = out;
                }
            } catch (RuntimeException e) {
                fresh.fail(Status.fromThrowable(e));
            }
            if (fresh.broken) {
                closedAtNanos = clock.monotonicNanos();
                return null;
            }
            // Published only now, with its sender set: other threads take current without the lock.
            current = fresh;
            return fresh;
        }
    }

    /**
     * Sends {@code request} (its id is set here) and returns its reply, or null when the channel
     * declines (backing off after a failure, too many calls in flight, closed): the caller then uses
     * a unary RPC. The future fails with a {@link PeerException} on timeout (timedOut true) or when
     * the stream fails (timedOut false).
     */
    public CompletableFuture<ReplicaEnvelope> call(String nodeId, ReplicaEnvelope.Builder request, long timeoutMillis) {
        Stream s = stream();
        if (s == null || s.pending.size() >= settings.maxInFlight()) {
            return null;
        }
        long id = nextId.incrementAndGet();
        Pending p = new Pending(nodeId);
        s.pending.put(id, p);
        if (s.broken) {
            // The stream failed between stream() and put: its failure may not have seen this call.
            streamEnded(s);
            if (s.pending.remove(id) != null) {
                return null;
            }
            return p.reply;
        }
        p.timeout = timer.schedule(timeoutMillis, () -> {
            if (s.pending.remove(id, p)) {
                p.reply.completeExceptionally(new PeerException(nodeId, true,
                        "DEADLINE_EXCEEDED: no reply within " + timeoutMillis + " ms on the replica channel"));
            }
        });
        if (p.reply.isDone()) {
            // The reply beat the timer's registration: do not leave the timer behind.
            cancel(p);
        }
        ReplicaEnvelope message = request.setId(id).setTimeoutMillis((int) Math.min(timeoutMillis, Integer.MAX_VALUE)).build();
        try {
            synchronized (s) {
                if (!s.broken) {
                    s.out.onNext(message);
                }
            }
        } catch (RuntimeException e) {
            s.fail(Status.fromThrowable(e));
        }
        return p.reply;
    }

    /** Calls awaiting a reply on the current stream (for tests and metrics). */
    public int inFlight() {
        Stream s = current;
        return s == null ? 0 : s.pending.size();
    }

    /** Ends the stream; calls in flight fail and later calls decline. */
    @Override
    public void close() {
        Stream s;
        synchronized (this) {
            closed = true;
            s = current;
        }
        if (s != null) {
            s.fail(Status.CANCELLED.withDescription("replica channel closed"));
        }
    }
}
