package io.ringkv.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** {@code ringkv hints} without a cluster: bad usage is exit 2, an unreachable node exit 1, one line each. */
class HintsCommandTest {
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
    void exitCodes() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "hints", "--timeout-ms", "0")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("ringkv: --timeout-ms must be positive (see ringkv hints --help)");
        assertThat(run(new ByteArrayOutputStream(), "hints", "--jsn")).isEqualTo(2);
        ByteArrayOutputStream err1 = new ByteArrayOutputStream();
        int port = io.ringkv.coordinator.server.LocalCluster.freePort();
        assertThat(run(err1, "hints", "--endpoint", "127.0.0.1:" + port, "--timeout-ms", "500")).isEqualTo(1);
        assertThat(err1.toString()).startsWith("ringkv: cannot reach 127.0.0.1:" + port).doesNotContain("\n\n");
        assertThat(err1.toString().strip()).doesNotContain("\n");
        assertThat(Main.run("hints", "--help")).isZero();
    }

    @Test
    void agesAreShort() {
        assertThat(HintsCommand.age(999)).isEqualTo("999ms");
        assertThat(HintsCommand.age(1_000)).isEqualTo("1s");
        assertThat(HintsCommand.age(119_999)).isEqualTo("119s");
        assertThat(HintsCommand.age(120_000)).isEqualTo("2m");
        assertThat(HintsCommand.age(7_200_000)).isEqualTo("2h");
    }
}
