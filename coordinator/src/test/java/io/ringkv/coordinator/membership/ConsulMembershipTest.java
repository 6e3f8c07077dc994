package io.ringkv.coordinator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.HealthService;
import io.ringkv.coordinator.membership.Member.Health;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Planner;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.ring.RingChange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Registration, health and the ring watch against a real Consul agent. */
@Timeout(60)
class ConsulMembershipTest extends WithConsulAgent {
    private static List<String> ids(ConsulConnection consul, ConsulSettings s, boolean passingOnly) {
        List<HealthService> entries = consul.quick().getHealthServices(s.serviceName(), HealthServicesRequest.newBuilder()
                .setTag(s.clusterTag()).setPassing(passingOnly).build()).getValue();
        return entries.stream().map(e -> e.getService().getId()).toList();
    }

    @Test
    void registersWithItsMetadataPassesAfterTheFirstPassAndDeregistersOnClose() {
        ConsulSettings s = agent.settings().withCheckTtlMillis(2000);
        ConsulConnection consul = closeLater(new ConsulConnection(s));
        String id = s.cluster() + "-n1";
        ConsulMembership membership = new ConsulMembership(consul, s,
                new Registration(id, "127.0.0.1", 7001, "r1", Map.of("backend", "memory", "version", "0.1.0")),
                new RingHolder());
        membership.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> ids(consul, s, true).contains(id));
        HealthService entry = consul.quick().getHealthServices(s.serviceName(), HealthServicesRequest.newBuilder()
                .setTag(s.clusterTag()).build()).getValue().getFirst();
        assertThat(entry.getService().getAddress()).isEqualTo("127.0.0.1");
        assertThat(entry.getService().getPort()).isEqualTo(7001);
        assertThat(entry.getService().getMeta()).containsEntry("rack", "r1").containsEntry("cluster", s.cluster())
                .containsEntry("backend", "memory").containsEntry("version", "0.1.0");
        await().atMost(Duration.ofSeconds(5)).until(() -> membership.members().stream()
                .anyMatch(m -> m.id().equals(id) && m.isPassing() && m.address().equals("127.0.0.1:7001")));
        assertThat(membership.reachable()).isTrue();

        membership.close();
        assertThat(ids(consul, s, false)).doesNotContain(id);
    }

    @Test
    void aNodeThatStopsPassingItsCheckGoesCriticalWithinTheTtlAndStaysListed() {
        long ttlMillis = 2000;
        ConsulSettings s = agent.settings().withCheckTtlMillis(ttlMillis);
        TestNode observer = closeLater(new TestNode(s, "observer", 7000, new RingFormation.Settings(3, 16, 3)));
        observer.membership.start();
        // The node's own link to its agent: cut below, as when the node hangs or loses its agent.
        ConsulConnection link = closeLater(new ConsulConnection(s));
        String id = s.cluster() + "-n1";
        ConsulMembership node = closeLater(new ConsulMembership(link, s,
                new Registration(id, "127.0.0.1", 7001, "r1", Map.of()), new RingHolder()));
        node.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.sees(id, Health.PASSING));

        link.close();
        long cutAt = System.nanoTime();
        await().atMost(Duration.ofMillis(ttlMillis + 2500)).until(() -> observer.sees(id, Health.CRITICAL));
        assertThat(Duration.ofNanos(System.nanoTime() - cutAt)).isLessThan(Duration.ofMillis(ttlMillis + 2500));
        assertThat(ids(observer.consul, s, false)).as("a critical member is not removed").contains(id);
        assertThat(ids(observer.consul, s, true)).doesNotContain(id);
        await().atMost(Duration.ofSeconds(2)).until(() -> !node.reachable());

        node.close(); // cannot deregister through the cut link
        observer.consul.quick().agentServiceDeregister(id);
    }

    @Test
    void theRingWatchInstallsEpochsOneTwoThreeInOrder() {
        ConsulSettings s = agent.settings();
        TestNode publisherNode = closeLater(new TestNode(s, "leader", 7000, new RingFormation.Settings(3, 16, 3)));
        publisherNode.election.start();
        TestNode watcher = closeLater(new TestNode(s, "watcher", 7001, new RingFormation.Settings(3, 16, 3)));
        watcher.membership.start();
        await().atMost(Duration.ofSeconds(5)).until(publisherNode.election::isLeader);

        Ring r1 = Planner.initial(List.of(node("a"), node("b"), node("c")), 16, 3);
        Ring r2 = Planner.apply(r1, new RingChange.Register(node("d").withState(NodeState.JOINING)));
        Ring r3 = Planner.apply(r2, new RingChange.Join(node("d")));
        for (Ring ring : List.of(r1, r2, r3)) {
            RingSnapshot basis = publisherNode.publisher.read();
            assertThat(publisherNode.publisher.publish(basis, ring)).isInstanceOf(PublishResult.Published.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> watcher.holder.epoch() == ring.epoch());
        }
        assertThat(watcher.epochs).containsExactly(1L, 2L, 3L);
        assertThat(watcher.holder.require()).isEqualTo(r3);

        // A burst may be seen only in part, but never out of order and always up to the last.
        Ring ring = r3;
        for (int i = 0; i < 5; i++) {
            ring = Planner.apply(ring, new RingChange.Register(node("x" + i).withState(NodeState.JOINING)));
            assertThat(publisherNode.publisher.publish(publisherNode.publisher.read(), ring))
                    .isInstanceOf(PublishResult.Published.class);
        }
        long last = ring.epoch();
        await().atMost(Duration.ofSeconds(5)).until(() -> watcher.holder.epoch() == last);
        assertThat(watcher.epochs).isSorted().doesNotHaveDuplicates().endsWith(last);
    }

    @Test
    void anUnreadableRingValueIsSkippedAndTheNextGoodOneInstalled() {
        ConsulSettings s = agent.settings();
        TestNode watcher = closeLater(new TestNode(s, "watcher", 7001, new RingFormation.Settings(3, 16, 3)));
        List<Long> seen = new CopyOnWriteArrayList<>();
        watcher.holder.onChange(r -> seen.add(r.epoch()));
        watcher.membership.start();
        await().atMost(Duration.ofSeconds(5)).until(watcher.membership::reachable);

        watcher.consul.quick().setKVValue(s.ringKey(), "{\"format\":99}");
        Ring ring = Planner.initial(List.of(node("a")), 8, 1);
        // Give the watch time to read the bad value, then replace it with a good one.
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
        assertThat(watcher.holder.ring()).isEmpty();
        watcher.consul.quick().setKVValue(s.ringKey(), RingCodec.encode(ring));
        await().atMost(Duration.ofSeconds(5)).until(() -> watcher.holder.epoch() == 1);
        assertThat(seen).containsExactly(1L);
        assertThat(watcher.membership.reachable()).isTrue();
        watcher.consul.quick().deleteKVValue(s.ringKey());
    }

    private static Node node(String id) {
        return new Node(id, "127.0.0.1:" + (7100 + Math.floorMod(id.hashCode(), 100)), "r-" + id, NodeState.ACTIVE);
    }
}
