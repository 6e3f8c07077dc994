package io.ringkv.client;

import io.grpc.Status;

/**
 * Base of every failure the client reports; it carries the gRPC status code and the message of
 * the node that answered (or the client's own explanation when no node answered).
 *
 * <p>Unchecked, because the caller usually cannot do anything about a failure at the call site
 * except let it propagate; the sealed subtypes let the caller branch on the kinds that matter.
 */
public abstract sealed class RingkvException extends RuntimeException
        permits InvalidRequestException, UnavailableException, DeadlineExceededException,
                ConditionFailedException, ProtocolViolationException, UnexpectedStatusException {
    private static final long serialVersionUID = 1L;

    private final Status.Code code;
    private final String statusDescription;
    private final String node;

    RingkvException(Status.Code code, String statusDescription, String node, Throwable cause) {
        super(describe(code, statusDescription, node), cause);
        this.code = code;
        this.statusDescription = statusDescription == null ? "" : statusDescription;
        this.node = node;
    }

    /** The gRPC status code, as the server sent it or as the client decided it. */
    public Status.Code code() {
        return code;
    }

    /** The status description verbatim (the server's message), or "" when there was none. */
    public String statusDescription() {
        return statusDescription;
    }

    /** The host:port of the node that produced the status, or {@code null} when none did. */
    public String node() {
        return node;
    }

    private static String describe(Status.Code code, String description, String node) {
        String text = description == null || description.isEmpty() ? "(no message)" : description;
        return text + " [" + code + (node == null ? "" : " from " + node) + "]";
    }
}
