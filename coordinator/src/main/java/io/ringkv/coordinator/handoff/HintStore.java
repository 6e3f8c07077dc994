package io.ringkv.coordinator.handoff;

import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.observability.HandoffTelemetry;
import io.ringkv.storage.Entry;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.chunk.ChunkingEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The hints this node keeps for other nodes, durable in the engine's {@link Namespace#HINTS}
 * namespace through the chunking engine (large values are chunked like data), ordered oldest
 * first per target. Bounded: a hint that would take a target over {@code maxBytesPerTarget}, or
 * all targets over {@code maxBytesTotal}, is dropped and counted, and so is every new hint for a
 * target down longer than {@code maxHintWindowMillis}. Counters of pending hints are rebuilt by a
 * scan when the store opens; delivered and dropped totals count from then on (see
 * {@link #seedTotals}). Every hint stored, delivered or dropped is also reported to the node's
 * {@link HandoffTelemetry} (drop reasons {@value #REASON_FULL}, {@value #REASON_EXPIRED}, {@value #REASON_REJECTED},
 * {@value #REASON_TARGET_REMOVED}). Thread-safe.
 */
public final class HintStore {
    /** Metric reason: a byte cap was reached (or the engine failed to write the hint). */
    public static final String REASON_FULL = "full";
    /** Metric reason: the target had been down longer than {@code max_hint_window}. */
    public static final String REASON_EXPIRED = "expired";
    /** Metric reason: the target refused the hint {@code hint_max_attempts} times. */
    public static final String REASON_REJECTED = "rejected";
    /** Metric reason: the target is no longer in the ring. */
    public static final String REASON_TARGET_REMOVED = "target_removed";

    private final ChunkingEngine engine;
    private final HandoffTelemetry telemetry;
    private final Clock clock;
    private final ToLongFunction<String> downForMillis;
    private final HintSettings settings;
    private final AtomicLong sequence = new AtomicLong();
    /** Per target counters; guarded by {@code this}. */
    private final Map<String, Counters> targets = new TreeMap<>();
    private long totalBytes;

    /** What this store knows of one target. */
    private static final class Counters {
        long pending;
        long bytes;
        long delivered;
        long deliveredBytes;
        long droppedFull;
        long droppedWindow;
        long droppedRejected;
        long droppedTargetLeft;
        /** Drops of earlier runs, from the catalog, which keeps no reason. */
        long droppedEarlier;
    }

    /** Why {@link #store} did or did not keep a hint. */
    public enum Outcome { STORED, DROPPED_FULL, DROPPED_WINDOW }

    /** Why a stored hint left the store without being delivered. */
    public enum DropReason {
        /** The target refused it as invalid {@code hint_max_attempts} times. */
        REJECTED,
        /** The target is no longer in the ring. */
        TARGET_LEFT
    }

    /**
     * Opens the store over {@code engine} and rebuilds the counters of the hints it already holds.
     *
     * @param downForMillis how long a target has been believed down (0 when up): the failure detector's view
     * @param telemetry     where stored, delivered and dropped hints are counted
     */
    public HintStore(ChunkingEngine engine, Clock clock, ToLongFunction<String> downForMillis, HintSettings settings,
                     HandoffTelemetry telemetry) {
        this.engine = engine;
        this.telemetry = telemetry;
        this.clock = clock;
        this.downForMillis = downForMillis;
        this.settings = settings;
        long maxSequence = -1;
        try (EntryIterator it = engine.scan(Namespace.HINTS, new byte[0], null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                Hint h = Hint.decode(e.key(), e.value());
                Counters c = targets.computeIfAbsent(h.target(), t -> new Counters());
                c.pending++;
                c.bytes += h.sizeBytes();
                totalBytes += h.sizeBytes();
                maxSequence = Math.max(maxSequence, h.sequence());
            }
        }
        sequence.set(maxSequence + 1);
    }

    /**
     * Keeps {@code write} for {@code target} unless a cap or the hint window says no; the hint is
     * durable (as the engine's sync mode makes writes) when this returns {@link Outcome#STORED}.
     */
    public Outcome store(String target, ReplicaWrite write) {
        ReplicaWrite plain = write.isHint() ? write.withHintFor(null) : write;
        long created = clock.wallMillis();
        long seq = sequence.getAndIncrement();
        byte[] key = Hint.key(target, created, seq);
        byte[] value = Hint.encodeValue(plain);
        long size = (long) key.length + value.length;
        synchronized (this) {
            Counters c = targets.computeIfAbsent(target, t -> new Counters());
            if (downForMillis.applyAsLong(target) > settings.maxHintWindowMillis()) {
                c.droppedWindow++;
                telemetry.dropped(target, REASON_EXPIRED, 1);
                return Outcome.DROPPED_WINDOW;
            }
            if (c.bytes + size > settings.maxBytesPerTarget() || totalBytes + size > settings.maxBytesTotal()) {
                c.droppedFull++;
                telemetry.dropped(target, REASON_FULL, 1);
                return Outcome.DROPPED_FULL;
            }
            // Reserved before the write, so concurrent stores cannot overshoot the caps together.
            c.pending++;
            c.bytes += size;
            totalBytes += size;
        }
        try {
            engine.put(Namespace.HINTS, key, value);
        } catch (RuntimeException e) {
            synchronized (this) {
                Counters c = targets.get(target);
                c.pending--;
                c.bytes -= size;
                totalBytes -= size;
                c.droppedFull++;
            }
            telemetry.dropped(target, REASON_FULL, 1);
            throw e;
        }
        telemetry.stored(target, 1);
        return Outcome.STORED;
    }

    /**
     * Up to {@code maxHints} of the oldest hints for {@code target}, oldest first, stopping after
     * the first that reaches {@code maxBytes} in total (so one large hint is always returned).
     */
    public List<Hint> oldest(String target, int maxHints, long maxBytes) {
        return oldestAfter(target, null, maxHints, maxBytes);
    }

    /**
     * As {@link #oldest}, but only hints stored after the one whose {@link Hint#storedKey()} is
     * {@code afterKey} (null: from the first): how a replayer reads on past the hints it has in flight.
     */
    public List<Hint> oldestAfter(String target, byte[] afterKey, int maxHints, long maxBytes) {
        byte[] prefix = Hint.prefix(target);
        // The smallest key after afterKey is afterKey followed by a zero byte.
        byte[] start = afterKey == null ? prefix : Arrays.copyOf(afterKey, afterKey.length + 1);
        List<Hint> out = new ArrayList<>();
        long bytes = 0;
        try (EntryIterator it = engine.scan(Namespace.HINTS, start, Hint.prefixEnd(prefix))) {
            while (it.hasNext() && out.size() < maxHints && bytes < maxBytes) {
                Entry e = it.next();
                Hint h = Hint.decode(e.key(), e.value());
                out.add(h);
                bytes += h.sizeBytes();
            }
        }
        return out;
    }

    /** Deletes a hint its target acknowledged, and counts it delivered. */
    public void delivered(Hint hint) {
        engine.delete(Namespace.HINTS, hint.storedKey());
        synchronized (this) {
            Counters c = forget(hint);
            c.delivered++;
            c.deliveredBytes += hint.sizeBytes();
        }
        telemetry.delivered(hint.target(), 1);
    }

    /** Deletes a hint that will never be delivered, and counts it dropped for {@code reason}. */
    public void drop(Hint hint, DropReason reason) {
        engine.delete(Namespace.HINTS, hint.storedKey());
        synchronized (this) {
            Counters c = forget(hint);
            switch (reason) {
                case REJECTED -> c.droppedRejected++;
                case TARGET_LEFT -> c.droppedTargetLeft++;
            }
        }
        telemetry.dropped(hint.target(), switch (reason) {
            case REJECTED -> REASON_REJECTED;
            case TARGET_LEFT -> REASON_TARGET_REMOVED;
        }, 1);
    }

    /**
     * Drops, as {@link DropReason#TARGET_LEFT}, the oldest hints for {@code target} (up to
     * {@code maxHints} looked at) that were written under ring epoch {@code ringEpoch} or before.
     * The caller's ring of that epoch no longer lists the target; a hint written under a newer
     * epoch is kept, as the target may have joined in a ring this node has not applied yet.
     *
     * @return how many hints were dropped
     */
    public int purgeLeft(String target, long ringEpoch, int maxHints) {
        int purged = 0;
        for (Hint h : oldest(target, maxHints, Long.MAX_VALUE)) {
            if (h.write().ringEpoch() <= ringEpoch) {
                drop(h, DropReason.TARGET_LEFT);
                purged++;
            }
        }
        return purged;
    }

    /** Takes a deleted hint out of the pending counters; returns its target's counters. Caller holds {@code this}. */
    private Counters forget(Hint hint) {
        Counters c = targets.computeIfAbsent(hint.target(), t -> new Counters());
        c.pending = Math.max(0, c.pending - 1);
        c.bytes = Math.max(0, c.bytes - hint.sizeBytes());
        totalBytes = Math.max(0, totalBytes - hint.sizeBytes());
        return c;
    }

    /** Targets with at least one pending hint, by id. */
    public synchronized List<String> targetsWithHints() {
        return targets.entrySet().stream().filter(e -> e.getValue().pending > 0).map(Map.Entry::getKey).toList();
    }

    /** Every target this store has counters for, pending or not, by id. */
    public synchronized List<String> knownTargets() {
        return List.copyOf(targets.keySet());
    }

    public synchronized long pending(String target) {
        Counters c = targets.get(target);
        return c == null ? 0 : c.pending;
    }

    public synchronized long bytes(String target) {
        Counters c = targets.get(target);
        return c == null ? 0 : c.bytes;
    }

    public synchronized long totalBytes() {
        return totalBytes;
    }

    /**
     * Pending hints and bytes of every known target, zeros included (so a gauge reads 0 once a
     * target is drained rather than vanishing). Reads counters only: never blocks on I/O.
     */
    public synchronized Collection<HandoffTelemetry.Backlog> backlog() {
        List<HandoffTelemetry.Backlog> out = new ArrayList<>(targets.size());
        targets.forEach((target, c) -> out.add(new HandoffTelemetry.Backlog(target, c.pending, c.bytes)));
        return out;
    }

    /**
     * Restores delivered and dropped totals carried over from an earlier run (the catalog's). The
     * catalog keeps no reason, so earlier drops count in {@link HintStats#dropped()} only, in no
     * reason; and not in the metrics, which count from this run's start.
     */
    public synchronized void seedTotals(String target, long delivered, long dropped) {
        Counters c = targets.computeIfAbsent(target, t -> new Counters());
        c.delivered += delivered;
        c.droppedEarlier += dropped;
    }

    /**
     * The counters of {@code target}, with the age of its oldest pending hint (found with a
     * one-entry scan) and the delivery rate the caller measured.
     */
    public HintStats stats(String target, long deliveryBytesPerSecond) {
        long pending;
        long bytes;
        long delivered;
        long deliveredBytes;
        long droppedFull;
        long droppedWindow;
        long droppedRejected;
        long droppedTargetLeft;
        long droppedEarlier;
        synchronized (this) {
            Counters c = targets.get(target);
            if (c == null) {
                c = new Counters();
            }
            pending = c.pending;
            bytes = c.bytes;
            delivered = c.delivered;
            deliveredBytes = c.deliveredBytes;
            droppedFull = c.droppedFull;
            droppedWindow = c.droppedWindow;
            droppedRejected = c.droppedRejected;
            droppedTargetLeft = c.droppedTargetLeft;
            droppedEarlier = c.droppedEarlier;
        }
        long oldest = -1;
        if (pending > 0) {
            List<Hint> first = oldest(target, 1, 1);
            if (!first.isEmpty()) {
                oldest = first.getFirst().createdMillis();
            }
        }
        return new HintStats(target, pending, bytes, oldest, oldest < 0 ? 0 : Math.max(0, clock.wallMillis() - oldest),
                deliveryBytesPerSecond, delivered, deliveredBytes, droppedFull, droppedWindow, droppedRejected,
                droppedTargetLeft, droppedEarlier);
    }
}
