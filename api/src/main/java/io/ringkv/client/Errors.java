package io.ringkv.client;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns whatever a call failed with into the client's exception types. */
final class Errors {
    private Errors() {
    }

    /** {@code failure} as a RingkvException, naming {@code node} when it is the one that answered. */
    static RingkvException toRingkv(Throwable failure, String node) {
        Throwable t = unwrap(failure);
        if (t instanceof RingkvException e) {
            return e;
        }
        Status status;
        if (t instanceof StatusRuntimeException e) {
            status = e.getStatus();
        } else if (t instanceof StatusException e) {
            status = e.getStatus();
        } else if (t instanceof CancellationException) {
            return new UnexpectedStatusException(Status.Code.CANCELLED, "cancelled", node, t);
        } else {
            return new UnexpectedStatusException(Status.Code.UNKNOWN, String.valueOf(t), node, t);
        }
        return fromStatus(status, node, t);
    }

    static RingkvException fromStatus(Status status, String node, Throwable original) {
        String description = status.getDescription() == null ? "" : status.getDescription();
        if (isTransportFailure(status)) {
            // The status was made on this side ("io exception"): say what actually went wrong.
            description = "node unreachable: " + description + ": " + status.getCause();
        }
        return switch (status.getCode()) {
            case INVALID_ARGUMENT -> new InvalidRequestException(description, node, original);
            case UNAVAILABLE -> new UnavailableException(description, node, original);
            case DEADLINE_EXCEEDED -> new DeadlineExceededException(description, node, original);
            case FAILED_PRECONDITION -> new ConditionFailedException(description, node, original);
            default -> new UnexpectedStatusException(status.getCode(), description, node, original);
        };
    }

    /**
     * True when the node was never reached or the connection broke: gRPC made the status locally
     * around an I/O exception. Statuses a server sends arrive without a cause.
     */
    static boolean isTransportFailure(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof RingkvException mapped) {
            t = mapped.getCause();
        }
        return t instanceof StatusRuntimeException e && isTransportFailure(e.getStatus());
    }

    /**
     * True when the request provably never left this client: the connection to the node could not
     * be established. No node saw it, so sending it to another node cannot apply it twice.
     */
    static boolean neverSent(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof RingkvException mapped) {
            t = mapped.getCause();
        }
        if (!(t instanceof StatusRuntimeException e) || e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            return false;
        }
        for (Throwable cause = e.getStatus().getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTransportFailure(Status status) {
        return status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
