package io.ringkv.coordinator.transport;

/** A call to a peer failed: unreachable, timed out, or refused; {@link #timedOut()} tells which. */
public class PeerException extends RuntimeException {
    private final String nodeId;
    private final boolean timedOut;

    public PeerException(String nodeId, boolean timedOut, String message) {
        super(nodeId + ": " + message, null, false, false);
        this.nodeId = nodeId;
        this.timedOut = timedOut;
    }

    public String nodeId() {
        return nodeId;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
