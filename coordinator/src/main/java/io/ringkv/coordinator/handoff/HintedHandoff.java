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
import io.ringkv.coordinator.transport.Transport;
import io.ringkv.storage.chunk.ChunkingEngine;
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
 * counters into the system catalog. Build it before the replica, {@link #start} it with the
 * transport, close it before the transport.
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
    private volatile HintReplayer replayer;
    private volatile Timer.Cancellable nextStats;
    private volatile boolean closed;

    /**
     * Opens the hint store (its counters rebuilt by a scan) and, when {@code catalog} is not null,
     * carries the delivered and dropped totals of earlier runs over from it.
     */
    public HintedHandoff(String selfId, ChunkingEngine engine, FailureDetector detector, Clock clock, Timer timer,
                         HintSettings settings, SystemCatalog catalog) {
        this.selfId = selfId;
        this.detector = detector;
        this.clock = clock;
        this.timer = timer;
        this.settings = settings;
        this.catalog = catalog;
        this.store = new HintStore(engine, clock, detector::downForMillis, settings);
        if (catalog != null) {
            try {
                for (HintStatsRow row : catalog.hintStats(MAX_CATALOG_ROWS)) {
                    store.seedTotals(row.targetNode(), row.deliveredTotal(), row.droppedTotal());
                }
            } catch (CatalogException e) {
                log.warn("catalog: {}", e.getMessage());
            }
        }
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
        replayer = new HintReplayer(selfId, store, transport, detector, clock, timer, settings, ring);
        replayer.start();
        nextStats = timer.schedule(settings.statsIntervalMillis(), this::statsRound);
    }

    /**
     * What the coordinator calls for a replica that did not acknowledge a write. The hint is
     * stored off the caller's thread (which may be an event loop): through the timer.
     */
    public HintSink sink() {
        return (target, write) -> {
            if (target.equals(selfId) || closed) {
                return;
            }
            timer.schedule(0, () -> {
                try {
                    store.store(target, write);
                } catch (RuntimeException e) {
                    log.warn("storing a hint for {}: {}", target, e.toString());
                }
            });
        };
    }

    /** What this node's replica does with a sloppy-quorum write it takes for a down primary. */
    public HintKeeper keeper() {
        return write -> {
            String target = write.hintFor();
            if (target.equals(selfId)) {
                throw new IllegalArgumentException("a hint for this node itself: it is the primary, write it directly");
            }
            HintStore.Outcome outcome = store.store(target, write);
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
