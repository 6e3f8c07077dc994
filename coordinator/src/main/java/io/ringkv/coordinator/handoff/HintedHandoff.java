package io.ringkv.coordinator.handoff;

import io.ringkv.coordinator.catalog.CatalogException;
import io.ringkv.coordinator.catalog.HintStatsRow;
import io.ringkv.coordinator.catalog.SystemCatalog;
import io.ringkv.coordinator.replica.HintKeeper;
import io.ringkv.coordinator.request.HintSink;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.time.Timer;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.transport.Transport;
import io.ringkv.observability.HandoffTelemetry;
import io.ringkv.observability.SpanScope;
import io.ringkv.storage.Tokens;
import io.ringkv.storage.chunk.ChunkingEngine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's hinted handoff in one object: the {@link HintStore} over the node's engine, the
 * {@link HintSink} its coordinator hands unacknowledged writes to, the {@link HintKeeper} its
 * replica keeps sloppy-quorum writes in, the {@link HintReplayer}, and the periodic copy of the
 * counters into the system catalog; it reports to the node's {@link HandoffTelemetry} (the
 * backlog gauges, stored / delivered / dropped counters, a {@code hint.store} span per hint under
 * the write that caused it, a {@code hint.replay} span per replay run). Build it before the
 * replica, {@link #start} it with the transport, close it before the transport.
 */
public final class HintedHandoff implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HintedHandoff.class);
    private static final int MAX_CATALOG_ROWS = 10_000;

    private final String selfId;
    private final HintStore store;
    private final FailureDetector detector;
    private final Clock clock;
    private final Timer timer;
    private final HintSettings settings;
    private final SystemCatalog catalog;
    private final HandoffTelemetry telemetry;
    private volatile Supplier<Optional<Ring>> ring = Optional::empty;
    private volatile HintReplayer replayer;
    private volatile Timer.Cancellable nextStats;
    private volatile boolean closed;

    /**
     * Opens the hint store (its counters rebuilt by a scan) and, when {@code catalog} is not null,
     * carries the delivered and dropped totals of earlier runs over from it; registers the backlog
     * gauges with {@code telemetry} (once per node: pass {@code Telemetry.disabled().handoff()} for none).
     */
    public HintedHandoff(String selfId, ChunkingEngine engine, FailureDetector detector, Clock clock, Timer timer,
                         HintSettings settings, SystemCatalog catalog, HandoffTelemetry telemetry) {
        this.selfId = selfId;
        this.detector = detector;
        this.clock = clock;
        this.timer = timer;
        this.settings = settings;
        this.catalog = catalog;
        this.telemetry = telemetry;
        this.store = new HintStore(engine, clock, detector::downForMillis, settings, telemetry);
        if (catalog != null) {
            try {
                for (HintStatsRow row : catalog.hintStats(MAX_CATALOG_ROWS)) {
                    store.seedTotals(row.targetNode(), row.deliveredTotal(), row.droppedTotal());
                }
            } catch (CatalogException e) {
                log.warn("catalog: {}", e.getMessage());
            }
        }
        telemetry.registerBacklog(store::backlog);
    }

    /** Starts replay over {@code transport} and the periodic catalog update, with no ring: no target is ever purged. */
    public void start(Transport transport) {
        start(transport, Optional::empty);
    }

    /**
     * Starts replay over {@code transport} and the periodic catalog update; {@code ring} is the
     * ring this node has applied (empty while it has none): hints for a node it no longer lists are purged.
     */
    public void start(Transport transport, Supplier<Optional<Ring>> ring) {
        this.ring = ring;
        replayer = new HintReplayer(selfId, store, transport, detector, clock, timer, settings, ring, telemetry);
        replayer.start();
        nextStats = timer.schedule(settings.statsIntervalMillis(), this::statsRound);
    }

    /**
     * What the coordinator calls for a replica that did not acknowledge a write. The hint is
     * stored off the caller's thread (which may be an event loop): through the timer. Its
     * {@code hint.store} span starts here, in the write's context, and ends when the hint is stored.
     */
    public HintSink sink() {
        return (target, write) -> {
            if (target.equals(selfId) || closed) {
                return;
            }
            SpanScope span = storeSpan(target, write);
            try {
                timer.schedule(0, span.wrap(() -> {
                    try {
                        outcome(span, store.store(target, write));
                    } catch (RuntimeException e) {
                        span.fail(e.toString());
                        log.warn("storing a hint for {}: {}", target, e.toString());
                    } finally {
                        span.end();
                    }
                }));
            } catch (RuntimeException e) {
                // The timer is closing with the node: the hint is lost, and its span must still end.
                span.fail(e.toString()).end();
            }
        };
    }

    private SpanScope storeSpan(String target, ReplicaWrite write) {
        Optional<Ring> current = ring.get();
        long vnode = current.isEmpty() ? -1 : current.get().vnodeOf(Tokens.of(write.key().getBytes(StandardCharsets.UTF_8)));
        return telemetry.storeSpan(target, vnode);
    }

    private static HintStore.Outcome outcome(SpanScope span, HintStore.Outcome outcome) {
        span.set("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
        return outcome;
    }

    /** What this node's replica does with a sloppy-quorum write it takes for a down primary. */
    public HintKeeper keeper() {
        return write -> {
            String target = write.hintFor();
            if (target.equals(selfId)) {
                throw new IllegalArgumentException("a hint for this node itself: it is the primary, write it directly");
            }
            HintStore.Outcome outcome;
            try (SpanScope span = storeSpan(target, write)) {
                try (io.opentelemetry.context.Scope ignored = span.makeCurrent()) {
                    outcome = outcome(span, store.store(target, write));
                } catch (RuntimeException e) {
                    span.fail(e.toString());
                    throw e;
                }
            }
            switch (outcome) {
                case STORED -> { }
                case DROPPED_FULL -> throw new IllegalStateException("hint for " + target + " not kept: hint store full");
                case DROPPED_WINDOW -> throw new IllegalStateException("hint for " + target
                        + " not kept: down longer than max_hint_window");
            }
        };
    }

    /** The counters of every target this node has hinted, by target id: what metrics and ListHints read. */
    public List<HintStats> snapshot() {
        HintReplayer r = replayer;
        List<HintStats> out = new ArrayList<>();
        for (String target : store.knownTargets()) {
            out.add(store.stats(target, r == null ? 0 : r.deliveryBytesPerSecond(target)));
        }
        return out;
    }

    public HintStore store() {
        return store;
    }

    /** The replayer, once started (null before {@link #start}). */
    public HintReplayer replayer() {
        return replayer;
    }

    /** Writes the current counters into the catalog's hint statistics. */
    public void writeStats() {
        if (catalog == null) {
            return;
        }
        Instant now = Instant.ofEpochMilli(clock.wallMillis());
        for (HintStats s : snapshot()) {
            catalog.upsertHintStats(new HintStatsRow(s.target(), s.pending(), s.bytes(),
                    s.oldestCreatedMillis() < 0 ? null : Instant.ofEpochMilli(s.oldestCreatedMillis()), s.delivered(),
                    s.dropped(), now));
        }
    }

    private void statsRound() {
        if (closed) {
            return;
        }
        try {
            writeStats();
        } catch (RuntimeException e) {
            // Statistics must never stop handoff.
            log.warn("hint statistics: {}", e.getMessage());
        } finally {
            if (!closed) {
                nextStats = timer.schedule(settings.statsIntervalMillis(), this::statsRound);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        HintReplayer r = replayer;
        if (r != null) {
            r.close();
        }
        Timer.Cancellable stats = nextStats;
        if (stats != null) {
            stats.cancel();
        }
        try {
            writeStats();
        } catch (RuntimeException e) {
            log.warn("hint statistics at close: {}", e.getMessage());
        }
    }
}
