package io.ringkv.coordinator.handoff;

import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Timer;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.Transport;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers stored hints to targets the failure detector sees healthy again. Every
 * {@code replayIntervalMillis} it starts, for each such target not already being served, a chain
 * that sends the target's hints oldest first, one at a time; a hint is deleted only after the
 * target acknowledged it, and the first failure ends the chain until the next round. One byte
 * budget ({@link TokenBucket}, {@code replayBytesPerSecond}) throttles all targets together;
 * each target's {@link AimdPacer} makes its hints cost more of that budget while its latency is
 * up. Every step runs as a timer task (a virtual thread in a node, an event in the simulation).
 */
public final class HintReplayer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HintReplayer.class);
    /** Hints read from the store at once per target: bounds memory per chain. */
    static final int BATCH_HINTS = 32;
    static final long BATCH_BYTES = 4L << 20;
    private static final long RATE_WINDOW_MILLIS = 10_000;

    private final String selfId;
    private final HintStore store;
    private final Transport transport;
    private final FailureDetector detector;
    private final Clock clock;
    private final Timer timer;
    private final HintSettings settings;
    private final TokenBucket budget;
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final Map<String, AimdPacer> pacers = new ConcurrentHashMap<>();
    private final Map<String, RateMeter> rates = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile Timer.Cancellable nextRound;

    public HintReplayer(String selfId, HintStore store, Transport transport, FailureDetector detector, Clock clock,
                        Timer timer, HintSettings settings) {
        this.selfId = selfId;
        this.store = store;
        this.transport = transport;
        this.detector = detector;
        this.clock = clock;
        this.timer = timer;
        this.settings = settings;
        // One second of burst: the rate holds over any second, and an idle replayer does not save up more.
        this.budget = new TokenBucket(clock, settings.replayBytesPerSecond(), settings.replayBytesPerSecond());
    }

    public void start() {
        nextRound = timer.schedule(settings.replayIntervalMillis(), this::round);
    }

    /** One round: start a delivery chain for every healthy target with hints that has none running. */
    void round() {
        if (closed) {
            return;
        }
        try {
            for (String target : store.targetsWithHints()) {
                if (!target.equals(selfId) && detector.isAvailable(target) && active.add(target)) {
                    nextBatch(target);
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

    private void nextBatch(String target) {
        List<Hint> batch;
        try {
            batch = store.oldest(target, BATCH_HINTS, BATCH_BYTES);
        } catch (RuntimeException e) {
            log.warn("reading hints for {}: {}", target, e.toString());
            active.remove(target);
            return;
        }
        if (batch.isEmpty()) {
            active.remove(target);
            return;
        }
        deliver(target, batch, 0);
    }

    private void deliver(String target, List<Hint> batch, int index) {
        if (closed || !detector.isAvailable(target)) {
            active.remove(target);
            return;
        }
        if (index == batch.size()) {
            nextBatch(target);
            return;
        }
        Hint hint = batch.get(index);
        AimdPacer pacer = pacers.computeIfAbsent(target, t -> AimdPacer.standard());
        long cost = (long) Math.ceil(hint.sizeBytes() / pacer.share());
        long waitNanos = budget.tryAcquire(cost);
        if (waitNanos > 0) {
            timer.schedule(Math.max(1, (waitNanos + 999_999) / 1_000_000), () -> deliver(target, batch, index));
            return;
        }
        long started = clock.monotonicNanos();
        try {
            transport.write(target, hint.delivery(), settings.deliveryTimeoutMillis()).whenComplete((ok, error) ->
                    timer.schedule(0, () -> delivered(target, batch, index, started, error)));
        } catch (RuntimeException e) {
            delivered(target, batch, index, started, e);
        }
    }

    private void delivered(String target, List<Hint> batch, int index, long startedNanos, Throwable error) {
        Hint hint = batch.get(index);
        AimdPacer pacer = pacers.computeIfAbsent(target, t -> AimdPacer.standard());
        if (error != null) {
            pacer.onFailure();
            detector.onFailure(target);
            active.remove(target);
            return;
        }
        detector.onSuccess(target);
        pacer.onDelivered((clock.monotonicNanos() - startedNanos) / 1_000_000);
        try {
            store.delivered(hint);
        } catch (RuntimeException e) {
            log.warn("deleting a delivered hint for {}: {}", target, e.toString());
            active.remove(target);
            return;
        }
        rates.computeIfAbsent(target, t -> new RateMeter(clock, RATE_WINDOW_MILLIS)).record(hint.sizeBytes());
        deliver(target, batch, index + 1);
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

    /** True while a delivery chain to {@code target} runs. */
    public boolean delivering(String target) {
        return active.contains(target);
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
