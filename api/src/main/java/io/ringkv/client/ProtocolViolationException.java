package io.ringkv.client;

import io.grpc.Status;

/**
 * A node answered with data that breaks the wire contract (a stream whose chunks do not add up to
 * the sizes in its header, a malformed ring); reported as INTERNAL because it is a server bug.
 */
public final class ProtocolViolationException extends RingkvException {
    private static final long serialVersionUID = 1L;

    public ProtocolViolationException(String message, String node) {
        super(Status.Code.INTERNAL, message, node, null);
    }
}
