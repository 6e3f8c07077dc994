package io.ringkv.coordinator.handoff;

import io.ringkv.coordinator.concurrent.Failures;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Timer;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.coordinator.transport.Transport;
import io.ringkv.observability.HandoffTelemetry;
import io.ringkv.observability.SpanScope;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers stored hints to targets the failure detector sees healthy again. Every
 * {@code replayIntervalMillis} it starts, for each such target not already being served, a lane
 * that sends the target's hints oldest first with up to {@code replayMaxInFlight} of them
 * unacknowledged at once (fewer while the target's {@link AimdPacer} has backed off); a hint is
 * deleted only after the target acknowledged it. A failure to reach the target (unreachable,
 * timed out, failing) ends the lane until the next round: hints in flight still finish, no new
 * one is sent. A hint the target refuses as invalid does not end it: the hints behind go on,
 * and after {@code maxAttempts} refusals the hint is dropped. Hints for a node the ring no longer
 * lists are purged. One byte budget ({@link TokenBucket}, {@code replayBytesPerSecond})
 * throttles all targets together; each target's pacer makes its hints cost more of that budget
 * while its latency is up. Every step runs as a timer task (a virtual thread in a node, an event
 * in the simulation). Each lane is one {@code hint.replay} span, a trace of its own that carries the
 * lane's totals and why it ended; the deliveries are not made children of it, so a replay of many
 * thousands of hints stays one span instead of flooding the span queue.
 *
 * <p>Refusal counts live in memory: a restart starts them again, so a refused hint is tried at
 * most {@code maxAttempts} times per run of the node.
 */
public final class HintReplayer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HintReplayer.class);
    /** Hints read from the store at once per target: bounds memory per lane. */
    static final int BATCH_HINTS = 32;
    static final long BATCH_BYTES = 4L << 20;
    /** Hints of a target that left the ring looked at per round: bounds one round's purge work. */
    static final int PURGE_BATCH_HINTS = 4_096;
    /** Refused hints whose refusals are counted at once; past it the counts start over, so memory stays bounded. */
    static final int MAX_TRACKED_REFUSALS = 65_536;
    private static final long RATE_WINDOW_MILLIS = 10_000;

    private final String selfId;
    private final HintStore store;
    private final Transport transport;
    private final FailureDetector detector;
    private final Clock clock;
    private final Timer timer;
    private final HintSettings settings;
    private final Supplier<Optional<Ring>> ring;
    private final HandoffTelemetry telemetry;
    private final TokenBucket budget;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final Map<String, AimdPacer> pacers = new ConcurrentHashMap<>();
    private final Map<String, RateMeter> rates = new ConcurrentHashMap<>();
    /** Refusals so far, by hint sequence (unique in one store). */
    private final Map<Long, Integer> refusals = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile Timer.Cancellable nextRound;

    /**
     * @param ring the ring this node has applied (empty while it has none): a target it does not
     *             list gets no deliveries and its hints are purged
     * @param telemetry where replay runs are traced
     */
    public HintReplayer(String selfId, HintStore store, Transport transport, FailureDetector detector, Clock clock,
                        Timer timer, HintSettings settings, Supplier<Optional<Ring>> ring, HandoffTelemetry telemetry) {
        this.selfId = selfId;
        this.store = store;
        this.transport = transport;
        this.detector = detector;
        this.clock = clock;
        this.timer = timer;
        this.settings = settings;
        this.ring = ring;
        this.telemetry = telemetry;
        // One second of burst: the rate holds over any second, and an idle replayer does not save up more.
        this.budget = new TokenBucket(clock, settings.replayBytesPerSecond(), settings.replayBytesPerSecond());
    }

    public void start() {
        nextRound = timer.schedule(settings.replayIntervalMillis(), this::round);
    }

    /** One round: purge hints for nodes that left the ring, start a lane for every healthy target without one. */
    void round() {
        if (closed) {
            return;
        }
        try {
            Optional<Ring> current = ring.get();
            for (String target : store.targetsWithHints()) {
                if (target.equals(selfId)) {
                    continue;
                }
                if (current.isPresent() && current.get().node(target).isEmpty()) {
                    if (!lanes.containsKey(target)) {
                        purge(target, current.get().epoch());
                    }
                } else if (detector.isAvailable(target)) {
                    Lane lane = new Lane(target);
                    if (lanes.putIfAbsent(target, lane) == null) {
                        lane.begin();
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("hint replay round: {}", e.toString());
        } finally {
            if (!closed) {
                nextRound = timer.schedule(settings.replayIntervalMillis(), this::round);
            }
        }
    }

    private void purge(String target, long ringEpoch) {
        int purged = store.purgeLeft(target, ringEpoch, PURGE_BATCH_HINTS);
        if (purged > 0) {
            log.info("dropped {} hints for {}: no longer in the ring (epoch {})", purged, target, ringEpoch);
        }
    }

    /** True when {@code error} says the target refused this very write, so sending it again cannot help. */
    static boolean refused(Throwable error) {
        Throwable e = Failures.cause(error);
        // A replica refuses a write it cannot take with IllegalArgumentException; over gRPC it arrives as
        // INVALID_ARGUMENT. Anything else (unreachable, timeout, a failing disk) may pass later.
        return e instanceof IllegalArgumentException || e instanceof PeerException p && p.rejected();
    }

    /**
     * The deliveries to one target in one round. Sending order is oldest first; acknowledgements
     * may come back in any order and each deletes only its own hint. Reordering inside the window
     * is safe because replica writes merge by version (a stale one is acknowledged and ignored),
     * so delivering a hint twice, or an older write after a newer one, ends in the same record.
     * Guarded by its own monitor: completions may run on several threads at once.
     */
    private final class Lane {
        private final String target;
        private final AimdPacer pacer;
        /** Read from the store, not sent yet, oldest first. */
        private final ArrayDeque<Hint> queue = new ArrayDeque<>();
        /** Stored key of the newest hint read: the next read starts after it, past the hints in flight. */
        private byte[] cursor;
        /** The store held nothing after the cursor. */
        private boolean exhausted;
        /** Send nothing more: the target failed or went down, the store failed, or the replayer closed. */
        private boolean ending;
        /** A timer will pump again once the byte budget allows. */
        private boolean waiting;
        private int inFlight;
        private boolean finished;
        /** Why the lane stopped sending early (null: it has not, so far). */
        private String endReason;
        private SpanScope span = SpanScope.NOOP;
        private long delivered;
        private long refused;
        private long droppedRejected;

        Lane(String target) {
            this.target = target;
            this.pacer = pacers.computeIfAbsent(target, t -> AimdPacer.standard());
        }

        /** Opens the lane's span and sends the first window. */
        synchronized void begin() {
            span = telemetry.replaySpan(target).set("window", window());
            pump();
        }

        private void end(String reason) {
            if (!ending) {
                ending = true;
                endReason = reason;
            }
        }

        /** Hints this lane may have unacknowledged now: the configured window, shrunk by the pacer's share. */
        int window() {
            return HintReplayer.this.window(target);
        }

        /** Sends hints until the window is full, the budget says wait, or nothing is left. */
        synchronized void pump() {
            while (!finished) {
                if (closed) {
                    end("closed");
                } else if (!detector.isAvailable(target)) {
                    end("target_down");
                }
                if (ending || waiting || inFlight >= window()) {
                    break;
                }
                Hint next = next();
                if (next == null) {
                    break;
                }
                long cost = (long) Math.ceil(next.sizeBytes() / pacer.share());
                long waitNanos = budget.tryAcquire(cost);
                if (waitNanos > 0) {
                    queue.addFirst(next);
                    waiting = true;
                    timer.schedule(Math.max(1, (waitNanos + 999_999) / 1_000_000), this::afterWait);
                    break;
                }
                send(next);
            }
            if (!finished && inFlight == 0 && !waiting && (ending || exhausted && queue.isEmpty())) {
                finished = true;
                lanes.remove(target, this);
                span.set("hints.delivered", delivered).set("hints.refused", refused)
                        .set("hints.dropped", droppedRejected).set("outcome", endReason == null ? "drained" : endReason);
                if (endReason != null && !endReason.equals("closed")) {
                    span.fail(endReason);
                }
                span.end();
            }
        }

        private synchronized void afterWait() {
            waiting = false;
            pump();
        }

        /** The next hint to send, reading on from the store when the queue is empty; null when none is left. */
        private Hint next() {
            if (queue.isEmpty() && !exhausted) {
                List<Hint> batch;
                try {
                    batch = store.oldestAfter(target, cursor, BATCH_HINTS, BATCH_BYTES);
                } catch (RuntimeException e) {
                    log.warn("reading hints for {}: {}", target, e.toString());
                    end("store_failed");
                    return null;
                }
                if (batch.isEmpty()) {
                    exhausted = true;
                } else {
                    queue.addAll(batch);
                    cursor = batch.getLast().storedKey();
                }
            }
            return queue.pollFirst();
        }

        private void send(Hint hint) {
            inFlight++;
            long started = clock.monotonicNanos();
            CompletableFuture<Void> reply;
            try {
                reply = transport.write(target, hint.delivery(), settings.deliveryTimeoutMillis());
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            // Completions run as timer tasks, never inside the transport's callback (an event loop) or this pump.
            reply.whenComplete((ok, error) -> timer.schedule(0, () -> completed(hint, started, error)));
        }

        /**
         * Handles one reply. The store I/O runs outside the lane's monitor, so the completions of
         * one window delete in parallel and share the engine's group commit instead of waiting for
         * one sync each; the hint keeps its place in the window until its delete is done.
         */
        private void completed(Hint hint, long startedNanos, Throwable error) {
            String stop = null;
            boolean deliveredNow = false;
            if (error == null) {
                detector.onSuccess(target);
                pacer.onDelivered((clock.monotonicNanos() - startedNanos) / 1_000_000);
                refusals.remove(hint.sequence());
                try {
                    store.delivered(hint);
                    deliveredNow = true;
                    rates.computeIfAbsent(target, t -> new RateMeter(clock, RATE_WINDOW_MILLIS)).record(hint.sizeBytes());
                } catch (RuntimeException e) {
                    log.warn("deleting a delivered hint for {}: {}", target, e.toString());
                    stop = "store_failed";
                }
            } else if (refused(error)) {
                synchronized (this) {
                    refused++;
                }
                stop = refusedOnce(hint, error) ? null : "store_failed";
            } else {
                pacer.onFailure();
                // An overloaded target is up: the pacer slows down, the failure detector keeps it up.
                detector.onError(target, error, startedNanos / 1_000_000L);
                stop = "delivery_failed";
            }
            synchronized (this) {
                inFlight--;
                if (deliveredNow) {
                    delivered++;
                }
                if (stop != null) {
                    end(stop);
                }
                pump();
            }
        }

        /**
         * The target answered, so it is up; this hint alone is the problem, and the hints behind it
         * go on. Returns false when the store failed.
         */
        private boolean refusedOnce(Hint hint, Throwable error) {
            if (refusals.size() >= MAX_TRACKED_REFUSALS && !refusals.containsKey(hint.sequence())) {
                refusals.clear();
            }
            int attempts = refusals.merge(hint.sequence(), 1, Integer::sum);
            if (attempts < settings.maxAttempts()) {
                log.debug("{} refused a hint ({} of {}): {}", target, attempts, settings.maxAttempts(), error.toString());
                return true;
            }
            refusals.remove(hint.sequence());
            try {
                store.drop(hint, HintStore.DropReason.REJECTED);
                synchronized (this) {
                    droppedRejected++;
                }
                log.warn("dropped a hint for {} ({} {}) after {} refusals: {}", target, hint.write().keyspace(),
                        hint.write().key(), attempts, error.toString());
                return true;
            } catch (RuntimeException e) {
                log.warn("dropping a refused hint for {}: {}", target, e.toString());
                return false;
            }
        }
    }

    /** Recent delivery throughput to {@code target}, in bytes per second. */
    public long deliveryBytesPerSecond(String target) {
        RateMeter meter = rates.get(target);
        return meter == null ? 0 : meter.bytesPerSecond();
    }

    /** The share of the replay budget {@code target} may use now (1 unless its latency rose). */
    public double share(String target) {
        AimdPacer pacer = pacers.get(target);
        return pacer == null ? 1.0 : pacer.share();
    }

    /** Hints that may be in flight to {@code target} at once now: {@code replayMaxInFlight} shrunk by the pacer. */
    public int window(String target) {
        return Math.max(1, (int) Math.ceil(settings.replayMaxInFlight() * share(target)));
    }

    /** How often {@code target} has refused the stored hint with this sequence so far (0 when never). */
    int refusals(long sequence) {
        return refusals.getOrDefault(sequence, 0);
    }

    /** True while a lane to {@code target} runs. */
    public boolean delivering(String target) {
        return lanes.containsKey(target);
    }

    @Override
    public void close() {
        closed = true;
        Timer.Cancellable round = nextRound;
        if (round != null) {
            round.cancel();
        }
    }
}
