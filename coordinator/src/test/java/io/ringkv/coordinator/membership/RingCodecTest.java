package io.ringkv.coordinator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Planner;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.ring.RingChange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingCodecTest {

    private static List<Node> nodes(int count, int racks) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(new Node(String.format("n%03d", i), "10.0.0." + (i % 250 + 1) + ":" + (7000 + i),
                    "r" + (i % racks), NodeState.ACTIVE));
        }
        return nodes;
    }

    @Test
    void roundTripsARingWithEveryNodeState() {
        Ring ring = Planner.initial(nodes(5, 3), 64, 3);
        ring = Planner.apply(ring, new RingChange.Register(new Node("n9", "[::1]:7009", "r-ü", NodeState.JOINING)));
        Ring decoded = RingCodec.decode(RingCodec.encode(ring));
        assertThat(decoded).isEqualTo(ring);
        assertThat(decoded.epoch()).isEqualTo(2);
        assertThat(decoded.node("n9")).get().extracting(Node::state, Node::rack).containsExactly(NodeState.JOINING, "r-ü");
    }

    @Test
    void theValueIsAsciiJsonCarryingTheEpoch() {
        Ring ring = Planner.apply(Planner.initial(nodes(3, 3), 16, 3),
                new RingChange.Register(new Node("n7", "h:1", "rack-é", NodeState.JOINING)));
        String text = RingCodec.encode(ring);
        assertThat(text).startsWith("{\"format\":1,\"epoch\":2,");
        assertThat(StandardCharsets.US_ASCII.newEncoder().canEncode(text)).isTrue();
        assertThat(text).contains("rack-\\u00E9");
    }

    @Test
    void roundTripsRingsWithMoreThan256NodesUsingTwoByteIndexes() {
        Ring ring = Planner.initial(nodes(300, 10), 1024, 3);
        String text = RingCodec.encode(ring);
        assertThat(text).contains("\"indexBytes\":2");
        assertThat(RingCodec.decode(text)).isEqualTo(ring);
    }

    @Test
    void roundTripsAnEmptyRing() {
        Ring ring = Planner.initial(List.of(), 8, 3);
        assertThat(RingCodec.decode(RingCodec.encode(ring))).isEqualTo(ring);
    }

    @Test
    void aFullSizeRingFitsUnderConsulsValueLimit() {
        Ring ring = Planner.initial(nodes(12, 4), 65536, 3);
        assertThat(RingCodec.encode(ring).length()).isLessThan(RingCodec.MAX_ENCODED_BYTES);
    }

    @Test
    void ignoresFieldsItDoesNotKnow() {
        Ring ring = Planner.initial(nodes(3, 3), 8, 2);
        String text = RingCodec.encode(ring).replaceFirst("\\{", "{\"publishedBy\":\"n1\",");
        assertThat(RingCodec.decode(text)).isEqualTo(ring);
    }

    @Test
    void refusesWhatIsNotARing() {
        String good = RingCodec.encode(Planner.initial(nodes(3, 3), 8, 2));
        assertThatThrownBy(() -> RingCodec.decode("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RingCodec.decode("not json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON");
        assertThatThrownBy(() -> RingCodec.decode(good.replace("\"format\":1", "\"format\":2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format 2");
        assertThatThrownBy(() -> RingCodec.decode(good.replace("\"vnodeCount\":8", "\"vnodeCount\":7")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vnodeCount");
        assertThatThrownBy(() -> RingCodec.decode(good.replace("\"ACTIVE\"", "\"GONE\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GONE");
        // A truncated replica table.
        String shortTable = good.replaceFirst("\"replicas\":\"([A-Za-z0-9+/]{4})[^\"]*\"", "\"replicas\":\"$1\"");
        assertThatThrownBy(() -> RingCodec.decode(shortTable))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replica table");
        // Ring.of's own validation still applies (a replica index beyond the node table).
        String badIndex = good.replaceFirst("\"replicas\":\"[A-Za-z0-9+/]{4}", "\"replicas\":\"////");
        assertThatThrownBy(() -> RingCodec.decode(badIndex)).isInstanceOf(IllegalArgumentException.class);
    }
}
