package io.ringkv.coordinator.transport;

import io.ringkv.coordinator.concurrent.Failures;
import io.ringkv.coordinator.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which peers are worth asking, from what requests and pings observed, so a dead replica
 * is skipped instead of timing out every request that touches it.
 *
 * <p>A peer is down after {@code failuresToSuspect} consecutive failures (errors or timeouts) of
 * calls sent since its last answer, or when it has been silent for longer than
 * {@code silenceToSuspectMillis} while such calls failed; any success brings it back at once. Pings keep probing down peers, so recovery
 * is noticed without client traffic. Thread-safe.
 */
public final class FailureDetector {
    private final Clock clock;
    private final int failuresToSuspect;
    private final long silenceToSuspectMillis;
    private final Map<String, PeerState> peers = new ConcurrentHashMap<>();
    private volatile Transitions transitions = (node, down, reason) -> { };

    /** Told each time a peer is taken for down or comes back: what an operator needs in the log to see why. */
    @FunctionalInterface
    public interface Transitions {
        /** {@code reason}: the failure that tipped the peer down, or what brought it back. */
        void changed(String node, boolean down, String reason);
    }

    /** What the detector knows of one peer. */
    private static final class PeerState {
        long lastSuccessMillis;
        int consecutiveFailures;
        boolean down;
    }

    public FailureDetector(Clock clock, int failuresToSuspect, long silenceToSuspectMillis) {
        if (failuresToSuspect < 1) {
            throw new IllegalArgumentException("failuresToSuspect must be at least 1, was " + failuresToSuspect);
        }
        if (silenceToSuspectMillis < 1) {
            throw new IllegalArgumentException("silenceToSuspectMillis must be positive, was " + silenceToSuspectMillis);
        }
        this.clock = clock;
        this.failuresToSuspect = failuresToSuspect;
        this.silenceToSuspectMillis = silenceToSuspectMillis;
    }

    private PeerState state(String node) {
        return peers.computeIfAbsent(node, n -> {
            PeerState s = new PeerState();
            s.lastSuccessMillis = clock.monotonicMillis();
            return s;
        });
    }

    /** This detector's clock, in monotonic milliseconds: what a caller stamps a call's sending with. */
    public long clockMillis() {
        return clock.monotonicMillis();
    }

    /** Where transitions go (one listener; the last one set wins). */
    public void onTransitions(Transitions listener) {
        this.transitions = listener;
    }

    public void onSuccess(String node) {
        PeerState s = state(node);
        boolean cameBack;
        synchronized (s) {
            s.lastSuccessMillis = clock.monotonicMillis();
            s.consecutiveFailures = 0;
            cameBack = s.down;
            s.down = false;
        }
        if (cameBack) {
            transitions.changed(node, false, "answered");
        }
    }

    public void onFailure(String node) {
        onFailure(node, "a failed call");
    }

    /** A call to {@code node} just sent failed; {@code reason} says how, for the log line if this takes the peer down. */
    public void onFailure(String node, String reason) {
        onFailure(node, reason, clock.monotonicMillis());
    }

    /**
     * A call sent to {@code node} at {@code sentMillis} (this detector's clock) failed. It counts only
     * if the peer has not answered anything since the call was sent: a call that waited out its
     * deadline while the peer answered others says the peer is slow for that call (a large write
     * behind others, a busy disk), not that it is gone, and taking it for down would fail the small
     * requests it is still serving.
     */
    public void onFailure(String node, String reason, long sentMillis) {
        PeerState s = state(node);
        String tipped = null;
        synchronized (s) {
            if (s.lastSuccessMillis > sentMillis) {
                return;
            }
            s.consecutiveFailures++;
            long silent = clock.monotonicMillis() - s.lastSuccessMillis;
            if (!s.down && (s.consecutiveFailures >= failuresToSuspect || silent > silenceToSuspectMillis)) {
                s.down = true;
                tipped = s.consecutiveFailures + " failures in a row, silent for " + silent + " ms; the last: " + reason;
            }
        }
        if (tipped != null) {
            transitions.changed(node, true, tipped);
        }
    }

    /**
     * A call to {@code node} failed with {@code error}: a failure, unless the peer answered that it is
     * overloaded, which shows it is up; a busy peer taken for down would lose its small requests too.
     */
    public void onError(String node, Throwable error) {
        onError(node, error, clock.monotonicMillis());
    }

    /** As {@link #onError(String, Throwable)}, for a call sent at {@code sentMillis}: see {@link #onFailure(String, String, long)}. */
    public void onError(String node, Throwable error, long sentMillis) {
        if (PeerException.isOverload(error)) {
            onSuccess(node);
        } else {
            onFailure(node, String.valueOf(Failures.cause(error)), sentMillis);
        }
    }

    /** False when the peer is believed down; unknown peers are presumed up. */
    public boolean isAvailable(String node) {
        PeerState s = peers.get(node);
        if (s == null) {
            return true;
        }
        synchronized (s) {
            return !s.down;
        }
    }

    /**
     * How long the peer has been down, in milliseconds: 0 while it is believed up, otherwise the
     * time since its last success (or since this detector first heard of it), so the silence
     * before it was declared down counts too. Handoff stops hinting a peer down for too long.
     */
    public long downForMillis(String node) {
        PeerState s = peers.get(node);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return s.down ? Math.max(0, clock.monotonicMillis() - s.lastSuccessMillis) : 0;
        }
    }

    /** Forgets a peer, for example when it leaves the ring. */
    public void forget(String node) {
        peers.remove(node);
    }
}
