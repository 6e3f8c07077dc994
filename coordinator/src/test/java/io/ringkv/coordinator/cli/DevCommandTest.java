package io.ringkv.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, {@code ringkv dev}, in both memberships: it starts three nodes,
 * writes and reads back a key, prints the endpoints, and stops everything it started.
 */
@Tag("slow")
class DevCommandTest {
    @TempDir
    Path dir;

    /** A base port with the two ports after it free too (dev listens on base, base+1, base+2). */
    private static int threeFreePorts() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = io.ringkv.coordinator.server.LocalCluster.freePort();
            if (base < 65_000 && free(base + 1) && free(base + 2)) {
                return base;
            }
        }
        throw new IOException("no three consecutive free ports found");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String runDev(String... extra) throws IOException {
        int base = threeFreePorts();
        String[] args = new String[6 + extra.length];
        args[0] = "dev";
        args[1] = "--exit-after-start";
        args[2] = "--base-port";
        args[3] = Integer.toString(base);
        args[4] = "--data-dir";
        args[5] = dir.toString();
        System.arraycopy(extra, 0, args, 6, extra.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isZero();
        assertThat(printed).contains("ringkv dev cluster: 3 nodes").contains("127.0.0.1:" + base)
                .contains("self-check: put + get of 'ringkv:dev:self-check'").contains(" ok in ");
        assertThat(free(base) && free(base + 1) && free(base + 2)).as("every node stopped").isTrue();
        return printed;
    }

    @Test
    void staticDevClusterStartsWorksAndStops() throws IOException {
        runDev("--backend", "memory");
    }

    @Test
    void consulDevClusterStartsWithALocalAgentAndALeader() throws IOException {
        String printed = runDev("--consul", "--backend", "memory");
        assertThat(printed).containsPattern("consul dev agent: http://127\\.0\\.0\\.1:\\d+ \\(membership consul, cluster 'dev', leader n[123]\\)");
    }
}
