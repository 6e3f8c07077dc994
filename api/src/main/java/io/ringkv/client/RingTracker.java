package io.ringkv.client;

import io.ringkv.api.v1.RingView;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Holds the newest ring the client has seen and refreshes it: on demand, when a response names a
 * newer epoch, and periodically (driven by the owner). At most one fetch is in flight; callers
 * arriving meanwhile share it. A ring never goes backwards: an older answer (a lagging node) is
 * ignored.
 */
final class RingTracker {
    /**
     * After a refresh that did not reach the epoch a response announced, the next triggered one
     * waits this long, so a node ahead of all the others cannot turn every response into a fetch.
     */
    static final long RETRIGGER_GAP_NANOS = 500_000_000L;

    private final List<String> seeds;
    private final Function<String, CompletableFuture<RingView>> fetcher;
    private final LongSupplier nanoClock;
    private final AtomicReference<RingSnapshot> current = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<RingSnapshot>> inFlight = new AtomicReference<>();
    private volatile long notBeforeNanos;
    private volatile boolean retriggerGated;
    private volatile long lastSoonNanos;
    private volatile boolean soonFired;

    /** @param fetcher asks one node (host:port) for its ring */
    RingTracker(List<String> seeds, Function<String, CompletableFuture<RingView>> fetcher, LongSupplier nanoClock) {
        this.seeds = List.copyOf(seeds);
        this.fetcher = fetcher;
        this.nanoClock = nanoClock;
    }

    /** The newest ring so far, or {@code null} before the first successful fetch. */
    RingSnapshot current() {
        return current.get();
    }

    /**
     * Fetches the ring, asking {@code preferred} first (when not null), then the seeds in order,
     * then the nodes of the current ring, until one answers with a valid ring. Completes with the
     * newest ring known afterwards, or with an {@link UnavailableException} naming every failure.
     */
    CompletableFuture<RingSnapshot> refresh(String preferred) {
        return startOrJoin(preferred, 0).future();
    }

    /** A response carried {@code epoch} from {@code node}: refresh in the background if it is newer. */
    void observeEpoch(long epoch, String node) {
        if (epoch == 0 || !behind(epoch)) {
            return;
        }
        if (retriggerGated && nanoClock.getAsLong() - notBeforeNanos < 0) {
            return;
        }
        chase(epoch, node, true);
    }

    /**
     * Refreshes until the ring reaches {@code epoch} or one fetch of our own fell short. A fetch we
     * merely joined may have started before {@code epoch} existed, so falling short there earns
     * one fetch of our own; falling short on our own gates further triggers for a while.
     */
    private void chase(long epoch, String node, boolean mayRejoin) {
        Refresh refresh = startOrJoin(node, epoch);
        refresh.future().whenComplete((snapshot, failure) -> {
            if (!behind(epoch)) {
                retriggerGated = false;
            } else if (!refresh.started() && mayRejoin) {
                chase(epoch, node, false);
            } else {
                notBeforeNanos = nanoClock.getAsLong() + RETRIGGER_GAP_NANOS;
                retriggerGated = true;
            }
        });
    }

    private boolean behind(long epoch) {
        RingSnapshot ring = current.get();
        return ring == null || ring.epoch() < epoch;
    }

    /** A fetch in flight, and whether this caller started it (rather than joined it). */
    private record Refresh(CompletableFuture<RingSnapshot> future, boolean started) {
    }

    /**
     * Joins the fetch in flight or starts one. With {@code wanted} (an epoch, 0 for none), no fetch
     * starts once the ring has reached it: a fetch that installed it may have finished between the
     * caller's check and this call.
     */
    private Refresh startOrJoin(String preferred, long wanted) {
        CompletableFuture<RingSnapshot> mine = new CompletableFuture<>();
        CompletableFuture<RingSnapshot> existing = inFlight.compareAndExchange(null, mine);
        if (existing != null) {
            return new Refresh(existing, false);
        }
        if (wanted != 0 && !behind(wanted)) {
            inFlight.set(null);
            mine.complete(current.get());
            return new Refresh(mine, false);
        }
        Set<String> candidates = new LinkedHashSet<>();
        if (preferred != null) {
            candidates.add(preferred);
        }
        candidates.addAll(seeds);
        RingSnapshot ring = current.get();
        if (ring != null) {
            candidates.addAll(ring.addresses());
        }
        fetchFrom(List.copyOf(candidates), 0, new ArrayList<>()).whenComplete((snapshot, failure) -> {
            // Clear first: whoever reacts to the completion may want to start the next refresh.
            inFlight.set(null);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(snapshot);
            }
        });
        return new Refresh(mine, true);
    }

    private CompletableFuture<RingSnapshot> fetchFrom(List<String> candidates, int index, List<String> failures) {
        if (index >= candidates.size()) {
            return CompletableFuture.failedFuture(new UnavailableException(
                    "could not fetch the ring from any of " + candidates.size() + " nodes: "
                            + String.join("; ", failures), null, null));
        }
        String node = candidates.get(index);
        CompletableFuture<RingView> view;
        try {
            view = fetcher.apply(node);
        } catch (RuntimeException e) {
            view = CompletableFuture.failedFuture(e);
        }
        return view.handle((v, failure) -> {
            if (failure == null) {
                try {
                    return CompletableFuture.completedFuture(install(RingSnapshot.fromProto(v, node)));
                } catch (ProtocolViolationException e) {
                    failure = e;
                }
            }
            failures.add(node + ": " + Errors.toRingkv(failure, node).getMessage());
            return fetchFrom(candidates, index + 1, failures);
        }).thenCompose(f -> f);
    }

    /**
     * Keeps the newer ring; at the same epoch, the one just fetched when it names other bulk ports
     * (a node restarted on another one; the ring itself did not change).
     */
    private RingSnapshot install(RingSnapshot fetched) {
        return current.accumulateAndGet(fetched, (old, fresh) -> old == null || fresh.epoch() > old.epoch()
                || (fresh.epoch() == old.epoch() && !fresh.sameBulkPorts(old)) ? fresh : old);
    }

    /**
     * Refreshes in the background, at most once per {@link #RETRIGGER_GAP_NANOS}: something the ring
     * names (a bulk port) no longer answers though the epoch is unchanged.
     */
    void refreshSoon() {
        long now = nanoClock.getAsLong();
        if (soonFired && now - lastSoonNanos < RETRIGGER_GAP_NANOS) {
            return;
        }
        lastSoonNanos = now;
        soonFired = true;
        startOrJoin(null, 0);
    }
}
