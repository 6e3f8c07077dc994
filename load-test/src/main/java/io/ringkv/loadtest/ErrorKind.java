package io.ringkv.loadtest;

import io.ringkv.client.ConditionFailedException;
import io.ringkv.client.DeadlineExceededException;
import io.ringkv.client.InvalidRequestException;
import io.ringkv.client.ProtocolViolationException;
import io.ringkv.client.UnavailableException;
import io.ringkv.client.UnexpectedStatusException;

/** Why an operation failed, as counted in {@code errors_by_type}. */
public enum ErrorKind {
    UNAVAILABLE("unavailable"),
    DEADLINE_EXCEEDED("deadline_exceeded"),
    INVALID_REQUEST("invalid_request"),
    CONDITION_FAILED("condition_failed"),
    PROTOCOL_VIOLATION("protocol_violation"),
    UNEXPECTED_STATUS("unexpected_status"),
    /** Anything else thrown by the client (a bug, or a closed client). */
    OTHER("other"),
    /** --validate: a read returned a value that fails its checksum (corrupt, or another key's). */
    VALIDATION_MISMATCH("validation_mismatch"),
    /** --validate: a read found no value for a key that should have one. */
    VALIDATION_MISSING("validation_missing");

    static final ErrorKind[] ALL = values();

    private final String label;

    ErrorKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isValidation() {
        return this == VALIDATION_MISMATCH || this == VALIDATION_MISSING;
    }

    static ErrorKind of(Throwable failure) {
        return switch (failure) {
            case UnavailableException e -> UNAVAILABLE;
            case DeadlineExceededException e -> DEADLINE_EXCEEDED;
            case InvalidRequestException e -> INVALID_REQUEST;
            case ConditionFailedException e -> CONDITION_FAILED;
            case ProtocolViolationException e -> PROTOCOL_VIOLATION;
            case UnexpectedStatusException e -> UNEXPECTED_STATUS;
            default -> OTHER;
        };
    }
}
