package io.ringkv.client;

import io.grpc.Status;

/**
 * Not enough replicas answered, or no node could be reached (UNAVAILABLE); the message says how
 * many replicas answered. A write that fails this way may still have been applied on some
 * replicas.
 */
public final class UnavailableException extends RingkvException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String statusDescription, String node, Throwable cause) {
        super(Status.Code.UNAVAILABLE, statusDescription, node, cause);
    }
}
