package io.ringkv.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
    @Test
    void portsAreDistinctBindableAndBelowTheEphemeralRange() throws Exception {
        List<Integer> ports = LoopbackPorts.free(8);
        assertThat(ports).hasSize(8).doesNotHaveDuplicates();
        int ephemeralLow = LoopbackPorts.ephemeralLow();
        assertThat(ephemeralLow).isGreaterThan(LoopbackPorts.LOW + 1_000); // this machine's kind: 32768
        assertThat(ports).allSatisfy(p -> assertThat(p).isBetween(LoopbackPorts.LOW, ephemeralLow - 1));
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(port);
            }
        }
    }
}
