package io.ringkv.client;

import io.grpc.Status;

/**
 * The request did not complete within its deadline (DEADLINE_EXCEEDED); like {@link
 * UnavailableException}, a write may still have been applied.
 */
public final class DeadlineExceededException extends RingkvException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String statusDescription, String node, Throwable cause) {
        super(Status.Code.DEADLINE_EXCEEDED, statusDescription, node, cause);
    }
}
