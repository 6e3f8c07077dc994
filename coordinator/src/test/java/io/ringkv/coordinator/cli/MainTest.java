package io.ringkv.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** Exit codes and one-line errors of the command line, without a cluster. */
class MainTest {
    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            return Main.run(args);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void badUsageIsExitTwoWithOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "put")).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("ringkv: Missing required parameter").doesNotContain("\n");
        assertThat(run(new ByteArrayOutputStream(), "no-such-command")).isEqualTo(2);
        assertThat(run(new ByteArrayOutputStream())).isEqualTo(2);
    }

    @Test
    void aFailedOperationIsExitOneWithOneLine() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int port = io.ringkv.coordinator.server.LocalCluster.freePort();
        assertThat(run(err, "get", "k", "--endpoint", "127.0.0.1:" + port, "--timeout-ms", "500")).isEqualTo(1);
        assertThat(err.toString()).startsWith("ringkv: ");
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertThat(run(err2, "get", "k", "--consistency", "most")).isEqualTo(1);
        assertThat(err2.toString()).contains("bad consistency 'most'");
    }

    @Test
    void helpIsExitZero() {
        assertThat(Main.run("--help")).isZero();
        assertThat(Main.run("dev", "--help")).isZero();
    }
}
