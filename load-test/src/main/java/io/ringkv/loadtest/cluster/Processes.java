package io.ringkv.loadtest.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Small process and port helpers for the launcher. */
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

    /** Ports free now on 127.0.0.1 for TCP and UDP (Consul's serf uses both), all distinct. */
    static List<Integer> freePorts(int count) throws IOException {
        List<Integer> ports = new ArrayList<>();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; ports.size() < count && attempt < 100 + count * 10; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, loopback)) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port))) {
                    if (!ports.contains(port)) {
                        ports.add(port);
                    }
                } catch (IOException udpBusy) {
                    // another port
                }
            }
        }
        if (ports.size() < count) {
            throw new IOException("could not find " + count + " free ports on 127.0.0.1");
        }
        return ports;
    }
}
