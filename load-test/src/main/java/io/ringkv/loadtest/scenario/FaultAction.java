package io.ringkv.loadtest.scenario;

import java.util.Locale;

/** What a scenario step does to a node process. */
public enum FaultAction {
    /** SIGKILL: the process dies at once (no shutdown hook, no clean close). */
    SIGKILL,
    /** SIGSTOP: every thread freezes, as in a long GC pause; the node neither answers nor times out. */
    SIGSTOP,
    /** SIGCONT: a frozen node runs on. */
    SIGCONT,
    /** SIGTERM: the node shuts down cleanly. */
    SIGTERM,
    /** Starts the node again with the same id, port and data (killing it first if it still runs). */
    RESTART;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static FaultAction parse(String text) {
        for (FaultAction a : values()) {
            if (a.label().equalsIgnoreCase(text)) {
                return a;
            }
        }
        return null;
    }
}
