package io.ringkv.loadtest.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Signals to node processes the launcher started (free ports: {@link io.ringkv.net.LoopbackPorts}). */
final class Processes {
    private static final long SIGNAL_TIMEOUT_SECONDS = 10;

    private Processes() {
    }

    /** {@code kill -NAME pid}: Java has no API for SIGSTOP and SIGCONT. */
    static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        if (!kill.waitFor(SIGNAL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -" + name + " " + pid + " did not finish");
        }
        if (kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + pid + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }
}
