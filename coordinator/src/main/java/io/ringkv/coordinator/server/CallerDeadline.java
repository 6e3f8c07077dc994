package io.ringkv.coordinator.server;

/**
 * A call's reply observer that knows its caller's timeout (a replica-channel call carries it),
 * counted from when the call arrived: work queued for it past that is skipped.
 */
interface CallerDeadline {
    /** True once the caller's timeout has run out; never for a call that carried none. */
    boolean passed();

    /** The caller's timeout, 0 when it carried none. */
    int timeoutMillis();
}
