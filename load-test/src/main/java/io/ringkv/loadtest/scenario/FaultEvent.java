package io.ringkv.loadtest.scenario;

/**
 * A scenario step as it happened.
 *
 * @param atSeconds when it was applied, seconds after the start of the run
 * @param ok        false when the action failed ({@code detail} says why)
 */
public record FaultEvent(double atSeconds, double plannedSeconds, FaultAction action, String node, boolean ok,
                         String detail) {
}
