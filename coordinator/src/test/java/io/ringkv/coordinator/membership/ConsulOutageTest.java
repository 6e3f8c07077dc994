package io.ringkv.coordinator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.coordinator.membership.Member.Health;
import io.ringkv.coordinator.ring.NodeState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent goes away and comes back empty (dev mode keeps nothing): nodes keep their ring and do
 * not crash, then re-register, the leader restores the ring it serves, and watching resumes.
 */
@Tag("slow")
@Timeout(60)
class ConsulOutageTest {
    private LocalConsulAgent agent;
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(nodes);
        nodes.forEach(TestNode::close);
        if (agent != null) {
            agent.stop();
        }
    }

    private TestNode node(ConsulSettings s, String name) {
        TestNode node = new TestNode(s, name, 7000 + nodes.size(), new RingFormation.Settings(1, 16, 3));
        nodes.add(node);
        return node.start();
    }

    @Test
    void nodesRideOutAnAgentRestartAndWatchingResumes() throws Exception {
        agent = LocalConsulAgent.start();
        ConsulSettings s = agent.settings().withCheckTtlMillis(2000);
        TestNode n1 = node(s, "n1");
        await().atMost(Duration.ofSeconds(5)).until(() -> n1.holder.epoch() == 1);
        TestNode n2 = node(s, "n2");
        for (TestNode n : nodes) {
            await().atMost(Duration.ofSeconds(5)).until(() -> n.holder.epoch() == 2);
        }

        agent.stop();
        for (TestNode n : nodes) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !n.membership.reachable());
        }
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> nodes.stream().allMatch(n -> n.holder.epoch() == 2 && !n.membership.reachable()));

        agent.restart();
        for (TestNode n : nodes) {
            await().atMost(Duration.ofSeconds(10)).until(n.membership::reachable);
        }
        // Everything was lost: both register again, the leader republishes the ring it serves.
        await().atMost(Duration.ofSeconds(10)).until(() -> n1.sees(n1.id, Health.PASSING) && n1.sees(n2.id, Health.PASSING));
        await().atMost(Duration.ofSeconds(15)).until(() -> n1.election.isLeader() || n2.election.isLeader());
        TestNode leader = n1.election.isLeader() ? n1 : n2;
        await().atMost(Duration.ofSeconds(5)).until(() -> leader.publisher.read().epoch() == 2);

        TestNode n3 = node(s, "n3");
        for (TestNode n : nodes) {
            await().atMost(Duration.ofSeconds(10)).until(() -> n.holder.epoch() == 3);
        }
        assertThat(n1.epochs).containsExactly(1L, 2L, 3L);
        assertThat(n2.epochs).isSubsetOf(1L, 2L, 3L).isSorted().doesNotHaveDuplicates().endsWith(3L);
        assertThat(n3.holder.require().node(n3.id)).get().extracting(n -> n.state()).isEqualTo(NodeState.JOINING);
    }
}
