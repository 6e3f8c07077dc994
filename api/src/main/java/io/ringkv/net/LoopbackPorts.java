package io.ringkv.net;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports free on 127.0.0.1 for a server that binds them a moment later (a local Consul agent, test
 * nodes, the load tester's node processes).
 *
 * <p>They are drawn below the kernel's ephemeral range: a port the kernel hands out itself could
 * be taken as the local port of an outgoing connection between this check and the server's bind
 * (seen in CI as "Address already in use").
 */
public final class LoopbackPorts {
    /** The lowest port drawn. */
    static final int LOW = 10_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private LoopbackPorts() {
    }

    /** {@code count} distinct ports free now for TCP and UDP (Consul's serf uses both). */
    public static List<Integer> free(int count) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int high = ephemeralLow() - 1;
        List<Integer> ports = new ArrayList<>();
        for (int attempt = 0; ports.size() < count && attempt < 100 + count * 10; attempt++) {
            int port = high - LOW >= 1_000 ? ThreadLocalRandom.current().nextInt(LOW, high + 1) : 0;
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

    /** One port free now for TCP and UDP. */
    public static int free() throws IOException {
        return free(1).get(0);
    }

    /** The first port of the kernel's ephemeral range (32768 where it cannot be read). */
    static int ephemeralLow() {
        try {
            // readAllLines, not readString: on procfs (size 0) readString returned "3" of "32768\t60999" here.
            return Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
