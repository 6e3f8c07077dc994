package io.ringkv.client;

import io.grpc.Status;

/**
 * Any status without a dedicated type (INTERNAL, RESOURCE_EXHAUSTED, CANCELLED, UNKNOWN...);
 * inspect {@link #code()}.
 */
public final class UnexpectedStatusException extends RingkvException {
    private static final long serialVersionUID = 1L;

    public UnexpectedStatusException(Status.Code code, String statusDescription, String node, Throwable cause) {
        super(code, statusDescription, node, cause);
    }
}
