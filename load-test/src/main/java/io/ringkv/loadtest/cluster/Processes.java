package io.ringkv.loadtest.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Small process and port helpers for the launcher. */
public final class Processes {
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

    /**
     * Ports free now on 127.0.0.1 for TCP and UDP (Consul's serf uses both), all distinct. Drawn below
     * the kernel's ephemeral range, as the coordinator's {@code LoopbackPorts} does (a module this
     * one may not use): a port the kernel hands out itself could become an outgoing connection's
     * local port before the process started on it binds it.
     */
    public static List<Integer> freePorts(int count) throws IOException {
        List<Integer> ports = new ArrayList<>();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int high = ephemeralLow() - 1;
        for (int attempt = 0; ports.size() < count && attempt < 100 + count * 10; attempt++) {
            int port = high - 10_000 >= 1_000 ? ThreadLocalRandom.current().nextInt(10_000, high + 1) : 0;
            try (ServerSocket tcp = new ServerSocket(port, 1, loopback);
                 DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, tcp.getLocalPort()))) {
                if (!ports.contains(tcp.getLocalPort())) {
                    ports.add(tcp.getLocalPort());
                }
            } catch (IOException busy) {
                // another port
            }
        }
        if (ports.size() < count) {
            throw new IOException("could not find " + count + " free ports on 127.0.0.1");
        }
        return ports;
    }

    private static int ephemeralLow() {
        try {
            // readAllLines, not readString: on procfs (size 0) readString returned "3" of "32768\t60999" here.
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0)
                    .trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
