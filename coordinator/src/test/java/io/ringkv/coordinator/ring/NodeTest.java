package io.ringkv.coordinator.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeTest {

    @Test
    void acceptsHostPortIncludingBracketedIpv6() {
        assertThat(new Node("n1", "10.0.0.1:7000", "r1", NodeState.ACTIVE).address()).isEqualTo("10.0.0.1:7000");
        assertThat(new Node("n1", "[::1]:7000", "r1", NodeState.JOINING).isActive()).isFalse();
    }

    @Test
    void rejectsBlankIdAndRack() {
        assertThatThrownBy(() -> new Node(" ", "h:1", "r1", NodeState.ACTIVE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> new Node(null, "h:1", "r1", NodeState.ACTIVE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> new Node("n1", "h:1", "", NodeState.ACTIVE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rack");
        assertThatThrownBy(() -> new Node("n1", "h:1", "r1", null)).isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", "host:", ":7000", "host:http", "host:0", "host:65536", "host:-1"})
    void rejectsAddressesThatAreNotHostPort(String address) {
        assertThatThrownBy(() -> new Node("n1", address, "r1", NodeState.ACTIVE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n1");
    }

    @Test
    void withStateKeepsEverythingElse() {
        Node node = new Node("n1", "h:1", "r1", NodeState.JOINING);
        assertThat(node.withState(NodeState.ACTIVE)).isEqualTo(new Node("n1", "h:1", "r1", NodeState.ACTIVE));
        assertThat(node.withState(NodeState.JOINING)).isSameAs(node);
    }
}
