package io.ringkv.loadtest.scenario;

/**
 * One line of a scenario: at {@code atSeconds} after the start of the run (the warmup's start),
 * do {@code action} to node {@code node} (1-based, in the order the tester started them).
 *
 * @param line the line of the file it came from, for messages
 */
public record ScenarioStep(double atSeconds, FaultAction action, int node, int line) {
    /** The node's id as the tester names it ({@code n1}, {@code n2}, ...). */
    public String nodeId() {
        return "n" + node;
    }
}
