package io.ringkv.coordinator.transport;

import io.ringkv.coordinator.concurrent.Failures;
import java.util.concurrent.CompletionException;

/**
 * A call to a peer failed: unreachable, timed out, refused, or turned away while overloaded;
 * {@link #timedOut()}, {@link #rejected()} and {@link #overloaded()} tell which.
 */
public class PeerException extends RuntimeException {
    private final String nodeId;
    private final String reason;
    private final boolean timedOut;
    private final boolean rejected;
    private final boolean overloaded;

    public PeerException(String nodeId, boolean timedOut, String message) {
        this(nodeId, timedOut, false, message);
    }

    /**
     * @param rejected the peer answered and refused the request itself as invalid (INVALID_ARGUMENT):
     *                 sending it again will not help, unlike an unreachable or overloaded peer
     */
    public PeerException(String nodeId, boolean timedOut, boolean rejected, String message) {
        this(nodeId, timedOut, rejected, false, message);
    }

    private PeerException(String nodeId, boolean timedOut, boolean rejected, boolean overloaded, String message) {
        super(nodeId + ": " + message, null, false, false);
        this.nodeId = nodeId;
        this.reason = message;
        this.timedOut = timedOut;
        this.rejected = rejected;
        this.overloaded = overloaded;
    }

    /** The peer answered and turned the call away for lack of room (RESOURCE_EXHAUSTED): it is up, only busy. */
    public static PeerException overloaded(String nodeId, String message) {
        return new PeerException(nodeId, false, false, true, message);
    }

    public String nodeId() {
        return nodeId;
    }

    /** What went wrong, without the node's name. */
    public String reason() {
        return reason;
    }

    public boolean timedOut() {
        return timedOut;
    }

    /** True when the peer refused this very request as invalid: a retry would be refused too. */
    public boolean rejected() {
        return rejected;
    }

    /** True when the peer turned the call away for lack of room; it is up, and a later call may pass. */
    public boolean overloaded() {
        return overloaded;
    }

    /** Whether {@code error}, or the failure a {@link CompletionException} wraps, is an {@link #overloaded()} one. */
    public static boolean isOverload(Throwable error) {
        Throwable t = Failures.cause(error);
        return t instanceof PeerException p && p.overloaded();
    }
}
