package io.ringkv.client;

import io.grpc.Status;

/**
 * The request was rejected as malformed (INVALID_ARGUMENT): empty, null or too long key, value
 * over the limit, bad options; retrying it cannot help.
 */
public final class InvalidRequestException extends RingkvException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String statusDescription, String node, Throwable cause) {
        super(Status.Code.INVALID_ARGUMENT, statusDescription, node, cause);
    }
}
