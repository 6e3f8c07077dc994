package io.ringkv.coordinator.transport;

import io.ringkv.coordinator.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which peers are worth asking, from what requests and pings observed, so a dead replica
 * is skipped instead of timing out every request that touches it.
 *
 * <p>A peer is down after {@code failuresToSuspect} consecutive failures (errors or timeouts),
 * or when it has been silent for longer than {@code silenceToSuspectMillis} while calls to it
 * were failing; any success brings it back at once. Pings keep probing down peers, so recovery
 * is noticed without client traffic. Thread-safe.
 */
public final class FailureDetector {
    private final Clock clock;
    private final int failuresToSuspect;
    private final long silenceToSuspectMillis;
    private final Map<String, PeerState> peers = new ConcurrentHashMap<>();

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

    public void onSuccess(String node) {
        PeerState s = state(node);
        synchronized (s) {
            s.lastSuccessMillis = clock.monotonicMillis();
            s.consecutiveFailures = 0;
            s.down = false;
        }
    }

    public void onFailure(String node) {
        PeerState s = state(node);
        synchronized (s) {
            s.consecutiveFailures++;
            long silent = clock.monotonicMillis() - s.lastSuccessMillis;
            if (s.consecutiveFailures >= failuresToSuspect || silent > silenceToSuspectMillis) {
                s.down = true;
            }
        }
    }

    /**
     * A call to {@code node} failed with {@code error}: a failure, unless the peer answered that it is
     * overloaded, which shows it is up; a busy peer taken for down would lose its small requests too.
     */
    public void onError(String node, Throwable error) {
        if (PeerException.isOverload(error)) {
            onSuccess(node);
        } else {
            onFailure(node);
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
