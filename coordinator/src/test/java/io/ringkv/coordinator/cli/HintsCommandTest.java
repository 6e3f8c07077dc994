package io.ringkv.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.api.v1.HintTarget;
import io.ringkv.api.v1.ListHintsResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
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

    @Test
    void dropsAreShownInTotalAndByReasonInTextAndJson() {
        ListHintsResponse r = ListHintsResponse.newBuilder().setNodeId("n1")
                .addTargets(HintTarget.newBuilder().setTarget("n3").setCount(4).setBytes(400).setOldestAgeMillis(1_500)
                        .setDeliveryBytesPerSecond(0).setDeliveredTotal(9).setDroppedTotal(150).setDroppedFull(11)
                        .setDroppedWindow(22).setDroppedRejected(33).setDroppedTargetLeft(44).setTargetUp(false))
                .build();
        String text = HintsCommand.text(r);
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("hints kept by n1");
        assertThat(lines.get(1).split(" +")).containsExactly("target", "up", "pending", "bytes", "oldest", "rate",
                "delivered", "dropped", "full", "window", "rejected", "left");
        // "0 B/s" is one column holding a space.
        assertThat(lines.get(2).replace(" B/s", "B/s").split(" +")).containsExactly("n3", "DOWN", "4", "400", "1s",
                "0B/s", "9", "150", "11", "22", "33", "44");

        String json = HintsCommand.json(r);
        assertThat(json).contains("\"node\" : \"n1\"", "\"dropped_total\" : 150", "\"dropped_full\" : 11",
                "\"dropped_window\" : 22", "\"dropped_rejected\" : 33", "\"dropped_target_left\" : 44",
                "\"up\" : false");
    }
}
