package io.ringkv.client;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.ringkv.api.v1.KVChannelGrpc;
import io.ringkv.api.v1.KvBatch;
import io.ringkv.api.v1.KvEnvelope;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The client's end of one node's multiplexed KV channel: one long-lived {@code KVChannel.Exchange}
 * stream carrying many calls, each matched to its reply by id. A call costs one HTTP/2 message each
 * way instead of a whole RPC (a new stream, headers both ways). Calls made while another thread is
 * writing are sent by that thread in its next message, so under load many calls share one message
 * and one system call; no call ever waits for others to join it.
 *
 * <p>Each call's deadline is enforced by {@link #expire}, which the client runs every timeout tick.
 * When the stream fails, every call in flight on it fails with UNAVAILABLE carrying the stream's
 * cause (so a refused connection still reads as "never sent", and a broken one as a transport
 * failure, exactly as for an RPC), and for the reconnect backoff {@link #call} declines (returns null): the caller sends the
 * call as an RPC. It declines too when {@code maxInFlight} calls are waiting. A node without the
 * service (an older version) answers the stream with UNIMPLEMENTED: the calls on it fail with
 * {@link #NOT_SERVED}, which the caller resends as RPCs (the node saw none of them), and the channel
 * declines for {@link #UNSUPPORTED_RETRY_NANOS} before asking that node again. Replies complete their
 * futures on the connection's event loop. Thread-safe.
 */
final class KvChannel implements AutoCloseable {
    /** How long a node that does not serve the channel is sent RPCs before it is asked again (it may be upgraded). */
    static final long UNSUPPORTED_RETRY_NANOS = 60_000_000_000L;

    /** The failure of calls on a stream the node did not serve: none of them reached a handler. */
    static final RuntimeException NOT_SERVED = new IllegalStateException("the node does not serve the KV channel") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    private final String address;
    private final KVChannelGrpc.KVChannelStub stub;
    private final KvChannelSettings settings;
    private final LongSupplier nanoClock;
    private final AtomicLong nextId = new AtomicLong();
    private volatile Stream current;
    private volatile long failedAtNanos;
    private volatile boolean failedOnce;
    private volatile long backoffNanos;
    private boolean closed; // guarded by this

    KvChannel(String address, ManagedChannel channel, KvChannelSettings settings, LongSupplier nanoClock) {
        this.address = address;
        // Replies only complete futures: running them on the event loop saves a thread hop per reply.
        this.stub = KVChannelGrpc.newStub(channel).withExecutor(Runnable::run);
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.backoffNanos = settings.reconnectBackoff().toNanos();
    }

    /** A call waiting for its reply: the future itself, so a call allocates one object for its wait. */
    static final class Pending extends CompletableFuture<KvEnvelope> {
        final long deadlineNanos;
        final long timeoutMillis;

        Pending(long deadlineNanos, long timeoutMillis) {
            this.deadlineNanos = deadlineNanos;
            this.timeoutMillis = timeoutMillis;
        }
    }

    /** At most this many calls per message. */
    static final int MAX_BATCH_CALLS = 128;
    /** A message stops growing past this many bytes of calls. */
    static final int MAX_BATCH_BYTES = 1 << 20;

    /** One Exchange call; replaced by a new one after it fails. */
    private final class Stream implements ClientResponseObserver<KvBatch, KvBatch> {
        final Map<Long, Pending> pending = new ConcurrentHashMap<>();
        private final Queue<KvEnvelope> outbox = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        private ClientCallStreamObserver<KvBatch> requests; // guarded by this
        volatile boolean broken;

        @Override
        public void beforeStart(ClientCallStreamObserver<KvBatch> requestStream) {
            synchronized (this) {
                requests = requestStream;
            }
        }

        @Override
        public void onNext(KvBatch replies) {
            for (int i = 0; i < replies.getCallsCount(); i++) {
                KvEnvelope reply = replies.getCalls(i);
                Pending p = pending.remove(reply.getId());
                if (p != null) {
                    p.complete(reply);
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            fail(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            fail(Status.UNAVAILABLE.withDescription("node " + address + " closed the KV channel"));
        }

        void fail(Status status) {
            synchronized (this) {
                if (broken) {
                    return;
                }
                broken = true;
            }
            boolean unsupported = status.getCode() == Status.Code.UNIMPLEMENTED;
            streamEnded(this, unsupported);
            // To a call, its stream ending is its transport failing, whatever status ended the stream (a
            // stopping node cancels it): UNAVAILABLE, with the cause kept, so a refused connection still
            // reads as "never sent".
            RuntimeException failure = unsupported ? NOT_SERVED : Status.UNAVAILABLE
                    .withDescription("the KV channel to " + address + " ended: " + status.getCode()
                            + (status.getDescription() == null ? "" : ": " + status.getDescription()))
                    .withCause(status.getCause() != null ? status.getCause() : status.asRuntimeException())
                    .asRuntimeException();
            for (Long id : pending.keySet()) {
                Pending p = pending.remove(id);
                if (p != null) {
                    p.completeExceptionally(failure);
                }
            }
            synchronized (this) {
                if (requests != null) {
                    try {
                        // Releases the HTTP/2 stream; a no-op when the call already ended.
                        requests.cancel("KV channel failed", null);
                    } catch (RuntimeException ignored) {
                        // Gone either way.
                    }
                }
            }
        }

        /**
         * Queues {@code message}; the thread that finds no other sending sends it, with whatever else
         * is queued meanwhile, until the queue is empty.
         */
        void send(KvEnvelope message) {
            outbox.add(message);
            if (queued.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                KvEnvelope next = outbox.poll();
                while (next != null) {
                    KvBatch.Builder batch = KvBatch.newBuilder();
                    long bytes = 0;
                    do {
                        batch.addCalls(next);
                        bytes += next.getSerializedSize();
                        next = outbox.poll();
                    } while (next != null && batch.getCallsCount() < MAX_BATCH_CALLS && bytes < MAX_BATCH_BYTES);
                    write(batch.build());
                }
                missed = queued.addAndGet(-missed);
            } while (missed != 0);
        }

        private void write(KvBatch batch) {
            try {
                synchronized (this) {
                    if (!broken) {
                        requests.onNext(batch);
                    }
                }
            } catch (RuntimeException e) {
                fail(Status.fromThrowable(e));
            }
        }
    }

    private void streamEnded(Stream s, boolean unsupported) {
        synchronized (this) {
            if (current == s) {
                current = null;
                failedAtNanos = nanoClock.getAsLong();
                failedOnce = true;
                backoffNanos = unsupported ? UNSUPPORTED_RETRY_NANOS : settings.reconnectBackoff().toNanos();
            }
        }
    }

    /** The open stream, a new one if the last failed long enough ago, or null while backing off. */
    private Stream stream() {
        Stream s = current;
        if (s != null && !s.broken) {
            return s;
        }
        synchronized (this) {
            if (closed) {
                return null;
            }
            if (current != null && !current.broken) {
                return current;
            }
            if (failedOnce && nanoClock.getAsLong() - failedAtNanos < backoffNanos) {
                return null;
            }
            Stream fresh = new Stream();
            // Under ROOT: the stream outlives the request that opened it, and must not share its cancellation.
            Context previous = Context.ROOT.attach();
            try {
                stub.exchange(fresh);
            } catch (RuntimeException e) {
                fresh.fail(Status.fromThrowable(e));
            } finally {
                Context.ROOT.detach(previous);
            }
            if (fresh.broken) {
                // Its failure found current != fresh and set no backoff: set one here.
                failedAtNanos = nanoClock.getAsLong();
                failedOnce = true;
                return null;
            }
            current = fresh;
            return fresh;
        }
    }

    /**
     * Sends {@code request} (its id and timeout are set here) and returns its reply, or null when the
     * channel declines (backing off after a failure, too many calls in flight, closed). The future
     * fails with a {@code StatusRuntimeException}: DEADLINE_EXCEEDED past {@code deadlineNanos} (on
     * the client's nano clock), or the stream's status when it fails.
     */
    CompletableFuture<KvEnvelope> call(KvEnvelope.Builder request, long deadlineNanos) {
        Stream s = stream();
        if (s == null || s.pending.size() >= settings.maxInFlight()) {
            return null;
        }
        long timeoutMillis = Math.max(1, (deadlineNanos - nanoClock.getAsLong() + 999_999) / 1_000_000);
        long id = nextId.incrementAndGet();
        Pending p = new Pending(deadlineNanos, timeoutMillis);
        s.pending.put(id, p);
        if (s.broken) {
            // The stream failed between stream() and put: its failure may not have seen this call.
            if (s.pending.remove(id) != null) {
                return null;
            }
            return p;
        }
        s.send(request.setId(id).setTimeoutMillis((int) Math.min(Integer.MAX_VALUE, timeoutMillis)).build());
        return p;
    }

    /** Fails the calls whose deadline has passed by {@code nowNanos}. */
    void expire(long nowNanos) {
        Stream s = current;
        if (s == null) {
            return;
        }
        for (Map.Entry<Long, Pending> e : s.pending.entrySet()) {
            Pending p = e.getValue();
            if (nowNanos - p.deadlineNanos >= 0 && s.pending.remove(e.getKey(), p)) {
                p.completeExceptionally(Status.DEADLINE_EXCEEDED.withDescription("no reply from " + address
                        + " within " + p.timeoutMillis + " ms on the KV channel").asRuntimeException());
            }
        }
    }

    /** Calls awaiting a reply on the current stream (for tests). */
    int inFlight() {
        Stream s = current;
        return s == null ? 0 : s.pending.size();
    }

    /** Whether a stream is open now (for tests). */
    boolean isOpen() {
        Stream s = current;
        return s != null && !s.broken;
    }

    /** Ends the stream: calls in flight fail with CANCELLED, later calls decline. */
    @Override
    public void close() {
        Stream s;
        synchronized (this) {
            closed = true;
            s = current;
        }
        if (s != null) {
            s.fail(Status.CANCELLED.withDescription("client closed"));
        }
    }
}
