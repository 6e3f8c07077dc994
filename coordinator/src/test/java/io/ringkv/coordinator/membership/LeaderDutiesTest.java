package io.ringkv.coordinator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.coordinator.membership.Member.Health;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Ring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Whole nodes' membership stacks forming and growing a ring through a real Consul agent. */
@Timeout(60)
class LeaderDutiesTest extends WithConsulAgent {
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        Collections.reverse(nodes);
        nodes.forEach(TestNode::close);
    }

    private TestNode node(ConsulSettings s, String name, RingFormation.Settings formation) {
        TestNode node = new TestNode(s, name, 7000 + nodes.size(), formation);
        nodes.add(node);
        return node.start();
    }

    private long leaders() {
        return nodes.stream().filter(n -> n.election.isLeader()).count();
    }

    @Test
    void theLeaderFormsTheFirstRingAtMinNodesThenRegistersLaterMembersAsJoining() {
        ConsulSettings s = agent.settings();
        RingFormation.Settings formation = new RingFormation.Settings(3, 16, 3);
        TestNode n1 = node(s, "n1", formation);
        TestNode n2 = node(s, "n2", formation);
        await().atMost(Duration.ofSeconds(5)).until(() -> leaders() == 1
                && n1.sees(n1.id, Health.PASSING) && n1.sees(n2.id, Health.PASSING));
        TestNode leader = n1.election.isLeader() ? n1 : n2;
        await().atMost(Duration.ofSeconds(5)).until(() -> leader.duties.status().contains("2 so far"));
        assertThat(n1.holder.ring()).isEmpty();

        TestNode n3 = node(s, "n3", formation);
        for (TestNode n : List.of(n1, n2, n3)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> n.holder.epoch() == 1);
        }
        Ring first = n3.holder.require();
        assertThat(first.nodes()).extracting(Node::id).containsExactly(n1.id, n2.id, n3.id);
        assertThat(first.nodes()).allMatch(Node::isActive);
        assertThat(first.node(n2.id)).get().extracting(Node::address, Node::rack)
                .containsExactly("127.0.0.1:7001", "rack-n2");

        TestNode n4 = node(s, "n4", formation);
        for (TestNode n : List.of(n1, n2, n3, n4)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> n.holder.epoch() == 2);
        }
        Ring second = n1.holder.require();
        assertThat(second.node(n4.id)).get().extracting(Node::state).isEqualTo(NodeState.JOINING);
        assertThat(second.vnodesOf(n4.id)).isEmpty();
        assertThat(second.assignments()).isDeepEqualTo(first.assignments());
        assertThat(n1.epochs).containsExactly(1L, 2L);
        // n4 may read epoch 1 before it is registered in epoch 2; it never goes back.
        assertThat(n4.epochs).isSubsetOf(1L, 2L).isSorted().doesNotHaveDuplicates().endsWith(2L);
        assertThat(leaders()).isEqualTo(1);
    }

    @Test
    void initFormsTheFirstRingBelowMinNodesOnTheLeaderOnly() {
        ConsulSettings s = agent.settings();
        RingFormation.Settings formation = new RingFormation.Settings(3, 16, 3);
        TestNode n1 = node(s, "n1", formation);
        await().atMost(Duration.ofSeconds(5)).until(() -> n1.election.isLeader() && n1.sees(n1.id, Health.PASSING));
        TestNode n2 = node(s, "n2", formation);
        await().atMost(Duration.ofSeconds(5)).until(() -> n1.sees(n2.id, Health.PASSING)
                && n2.election.leaderId().isPresent());

        assertThat(n2.duties.init()).isInstanceOf(PublishResult.NotLeader.class);
        PublishResult result = n1.duties.init();
        assertThat(result).isInstanceOfSatisfying(PublishResult.Published.class,
                p -> assertThat(p.ring().nodes()).extracting(Node::id).containsExactly(n1.id, n2.id));
        await().atMost(Duration.ofSeconds(5)).until(() -> n2.holder.epoch() == 1);
        assertThat(n1.duties.init()).isInstanceOfSatisfying(PublishResult.Declined.class,
                d -> assertThat(d.reason()).contains("already exists"));
        assertThat(n2.holder.require().replicasPerVnode()).isEqualTo(2);
    }
}
