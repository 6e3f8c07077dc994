package io.ringkv.client;

import io.grpc.Status;

/**
 * A conditional put lost (FAILED_PRECONDITION): the key had a live value under {@code ifAbsent},
 * or its causal context no longer matched {@code ifMatch}.
 */
public final class ConditionFailedException extends RingkvException {
    private static final long serialVersionUID = 1L;

    public ConditionFailedException(String statusDescription, String node, Throwable cause) {
        super(Status.Code.FAILED_PRECONDITION, statusDescription, node, cause);
    }
}
