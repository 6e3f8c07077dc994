package io.ringkv.coordinator.request;

/**
 * A request that did not succeed, with the code a client sees (mapped to the gRPC status of the
 * same name) and a one-line message that says why.
 */
public final class RequestFailure extends RuntimeException {
    /** Outcome classes, named after the gRPC status codes they map to. */
    public enum Code { INVALID_ARGUMENT, UNAVAILABLE, DEADLINE_EXCEEDED, FAILED_PRECONDITION, INTERNAL }

    private final Code code;

    public RequestFailure(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Code code() {
        return code;
    }

    public static RequestFailure invalid(String message) {
        return new RequestFailure(Code.INVALID_ARGUMENT, message);
    }
}
