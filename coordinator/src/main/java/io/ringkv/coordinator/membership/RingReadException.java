package io.ringkv.coordinator.membership;

/** The ring key could not be read: Consul did not answer, or the value there is not a ring this node reads. */
public final class RingReadException extends RuntimeException {
    public RingReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
