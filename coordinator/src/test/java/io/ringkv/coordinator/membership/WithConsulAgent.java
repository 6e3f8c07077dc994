package io.ringkv.coordinator.membership;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * A real Consul agent shared by one test class (started before its first test, stopped after its
 * last, by PID), and whatever a test hands to {@link #closeLater} closed after it, newest first.
 */
abstract class WithConsulAgent {
    static LocalConsulAgent agent;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startAgent() throws Exception {
        agent = LocalConsulAgent.start();
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (agent != null) {
            agent.stop();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }
}
