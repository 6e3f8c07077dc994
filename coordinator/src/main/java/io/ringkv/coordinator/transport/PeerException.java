package io.ringkv.coordinator.transport;

/**
 * A call to a peer failed: unreachable, timed out, or refused; {@link #timedOut()} and
 * {@link #rejected()} tell which.
 */
public class PeerException extends RuntimeException {
    private final String nodeId;
    private final boolean timedOut;
    private final boolean rejected;

    public PeerException(String nodeId, boolean timedOut, String message) {
        this(nodeId, timedOut, false, message);
    }

    /**
     * @param rejected the peer answered and refused the request itself as invalid (INVALID_ARGUMENT):
     *                 sending it again will not help, unlike an unreachable or overloaded peer
     */
    public PeerException(String nodeId, boolean timedOut, boolean rejected, String message) {
        super(nodeId + ": " + message, null, false, false);
        this.nodeId = nodeId;
        this.timedOut = timedOut;
        this.rejected = rejected;
    }

    public String nodeId() {
        return nodeId;
    }

    public boolean timedOut() {
        return timedOut;
    }

    /** True when the peer refused this very request as invalid: a retry would be refused too. */
    public boolean rejected() {
        return rejected;
    }
}
