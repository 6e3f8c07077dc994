package io.ringkv.coordinator.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.coordinator.cli.Main;
import io.ringkv.net.LoopbackPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringkv dev --consul} as a process, stopped by SIGTERM as Ctrl-C or a service manager
 * would: its nodes leave Consul before the agent stops, and no process it started outlives it.
 */
@Tag("slow")
class DevConsulShutdownProcessTest {
    @TempDir
    Path dir;

    private Process dev;
    private final List<ProcessHandle> children = new ArrayList<>();

    @AfterEach
    void stopWhatWasStarted() {
        if (dev != null) {
            dev.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sigtermStopsTheNodesBeforeTheAgentAndLeavesNoProcessBehind() throws Exception {
        Path log = dir.resolve("dev.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int basePort = LoopbackPorts.free();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "dev", "--consul",
                "--backend", "memory", "--data-dir", dir.resolve("data").toString(),
                "--base-port", Integer.toString(basePort));
        pb.environment().keySet().removeIf(k -> k.startsWith("RINGKV_") && !k.equals("RINGKV_CONSUL_BIN"));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        dev = pb.start();
        await("the dev cluster's start").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    assertThat(dev.isAlive()).as("dev exited early; see %s", log).isTrue();
                    return Files.readString(log, StandardCharsets.UTF_8).contains("Ctrl-C stops the cluster.");
                });
        dev.descendants().forEach(children::add);
        assertThat(children).as("the Consul agent it started").isNotEmpty();

        dev.destroy(); // SIGTERM
        assertThat(dev.waitFor(60, TimeUnit.SECONDS)).as("dev exits after SIGTERM").isTrue();

        String printed = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(printed).contains("node n1 stopped", "node n2 stopped", "node n3 stopped")
                .doesNotContain("could not deregister")
                .doesNotContain("could not release the leader lock");
        await("the agent's exit").atMost(Duration.ofSeconds(20))
                .until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    }
}
