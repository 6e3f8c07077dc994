package io.ringkv.loadtest.scenario;

/** Processes a scenario may act on: only ones the tester started itself. */
public interface FaultTarget {
    /**
     * Applies {@code action} to node {@code node} (1-based) and returns a short note for the report
     * (e.g. the pid signalled); throws with a one-line message when it could not.
     */
    String apply(FaultAction action, int node) throws Exception;
}
