package io.ringkv.coordinator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.session.model.Session;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Planner;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.ring.RingChange;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The session lock and the check-and-set publish against a real Consul agent. */
@Timeout(60)
class ConsulLeaderElectionTest extends WithConsulAgent {
    private ConsulLeaderElection election(ConsulConnection consul, ConsulSettings s, String name, List<Boolean> events) {
        ConsulLeaderElection e = closeLater(new ConsulLeaderElection(consul, s, s.cluster() + "-" + name));
        e.onChange(events::add);
        return e;
    }

    @Test
    void exactlyOneOfTwoCandidatesLeadsAndBothKnowWho() {
        ConsulSettings s = agent.settings().withLockDelayMillis(1000);
        ConsulConnection consul = closeLater(new ConsulConnection(s));
        ConsulLeaderElection a = election(consul, s, "a", new CopyOnWriteArrayList<>());
        ConsulLeaderElection b = election(consul, s, "b", new CopyOnWriteArrayList<>());
        a.start();
        b.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> a.isLeader() || b.isLeader());
        ConsulLeaderElection leader = a.isLeader() ? a : b;
        String leaderId = leader == a ? s.cluster() + "-a" : s.cluster() + "-b";
        await().atMost(Duration.ofSeconds(5)).until(() -> a.leaderId().equals(Optional.of(leaderId))
                && b.leaderId().equals(Optional.of(leaderId)));
        for (int i = 0; i < 10; i++) {
            assertThat(a.isLeader() ^ b.isLeader()).as("exactly one leader").isTrue();
            await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        }
        assertThat(consul.quick().getKVValue(s.leaderKey()).getValue().getDecodedValue()).isEqualTo(leaderId);
        assertThat(leader.verify()).isTrue();
        assertThat((leader == a ? b : a).verify()).isFalse();
    }

    @Test
    void closingTheLeaderHandsOverAtOnceBecauseItReleasesTheLock() {
        long lockDelayMillis = 3000;
        ConsulSettings s = agent.settings().withLockDelayMillis(lockDelayMillis);
        ConsulConnection consul = closeLater(new ConsulConnection(s));
        List<Boolean> aEvents = new CopyOnWriteArrayList<>();
        List<Boolean> bEvents = new CopyOnWriteArrayList<>();
        ConsulLeaderElection a = election(consul, s, "a", aEvents);
        a.start();
        await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
        ConsulLeaderElection b = election(consul, s, "b", bEvents);
        b.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> b.leaderId().isPresent());
        String aSession = a.sessionId().orElseThrow();

        long closedAt = System.nanoTime();
        a.close();
        assertThat(a.isLeader()).isFalse();
        // A release is not an invalidation: no lock delay applies. Bound: well under the lock delay.
        await().atMost(Duration.ofMillis(lockDelayMillis)).until(b::isLeader);
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isLessThan(Duration.ofMillis(lockDelayMillis));
        assertThat(aEvents).containsExactly(true, false);
        assertThat(bEvents).containsExactly(true);
        assertThat(consul.quick().getSessionInfo(aSession, QueryParams.DEFAULT).getValue()).as("destroyed").isNull();
    }

    @Test
    void anInvalidatedLeaderSessionFreesTheLockOnlyAfterTheLockDelay() {
        long lockDelayMillis = 2000;
        ConsulSettings s = agent.settings().withLockDelayMillis(lockDelayMillis);
        ConsulConnection consul = closeLater(new ConsulConnection(s));
        ConsulLeaderElection a = election(consul, s, "a", new CopyOnWriteArrayList<>());
        a.start();
        await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
        ConsulLeaderElection b = election(consul, s, "b", new CopyOnWriteArrayList<>());
        b.start();
        String aSession = a.sessionId().orElseThrow();
        Session info = consul.quick().getSessionInfo(aSession, QueryParams.DEFAULT).getValue();
        assertThat(info.getLockDelay()).as("lock delay in ns, as Consul reports it").isEqualTo(2_000_000_000L);
        assertThat(info.getBehavior()).isEqualTo(Session.Behavior.RELEASE);
        assertThat(info.getTtl()).isEqualTo("10s");

        long destroyedAt = System.nanoTime();
        consul.quick().sessionDestroy(aSession, QueryParams.DEFAULT);
        await().atMost(Duration.ofSeconds(2)).until(() -> !a.isLeader());
        await().atMost(Duration.ofMillis(lockDelayMillis + 4000)).until(() -> a.isLeader() || b.isLeader());
        assertThat(Duration.ofNanos(System.nanoTime() - destroyedAt))
                .as("nobody may take the lock during the lock delay")
                .isGreaterThanOrEqualTo(Duration.ofMillis(lockDelayMillis - 100));
        assertThat(a.isLeader() ^ b.isLeader()).isTrue();
        await("a replaces its invalidated session").atMost(Duration.ofSeconds(5))
                .until(() -> a.sessionId().isPresent() && !a.sessionId().get().equals(aSession));
    }

    @Test
    void aDeposedLeadersStalePublishIsRefusedByCheckAndSetAndItStepsDown() {
        ConsulSettings s = agent.settings().withLockDelayMillis(1000);
        ConsulConnection consul = closeLater(new ConsulConnection(s));
        // A's election talks to Consul over its own link, cut below: A can then neither renew nor
        // notice anything and, within its session TTL, still believes it leads (a paused or
        // partitioned leader). Its publisher's writes still reach Consul.
        ConsulConnection aLink = closeLater(new ConsulConnection(s));
        ConsulLeaderElection a = election(aLink, s, "a", new CopyOnWriteArrayList<>());
        a.start();
        await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
        ConsulLeaderElection b = election(consul, s, "b", new CopyOnWriteArrayList<>());
        b.start();
        RingPublisher aPublisher = new RingPublisher(consul, s, a);
        RingPublisher bPublisher = new RingPublisher(consul, s, b);

        Ring r1 = Planner.initial(List.of(node("n1"), node("n2"), node("n3")), 16, 3);
        assertThat(aPublisher.read()).isEqualTo(RingSnapshot.ABSENT);
        assertThat(aPublisher.publish(RingSnapshot.ABSENT, r1)).isInstanceOf(PublishResult.Published.class);
        RingSnapshot aLastRead = aPublisher.read();
        assertThat(aLastRead.ring()).contains(r1);
        assertThat(aPublisher.publish(RingSnapshot.ABSENT, Planner.initial(List.of(node("n9")), 16, 3)))
                .as("cas=0 only creates").isInstanceOf(PublishResult.Refused.class);
        await().atMost(Duration.ofSeconds(2)).until(a::isLeader);

        String aSession = a.sessionId().orElseThrow();
        aLink.close();
        // Consul expires A's session (here at once rather than after its TTL); B takes over after the lock delay.
        consul.quick().sessionDestroy(aSession, QueryParams.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).until(b::isLeader);
        Ring r2 = Planner.apply(r1, new RingChange.Register(node("n4").withState(NodeState.JOINING)));
        assertThat(bPublisher.publish(bPublisher.read(), r2)).isInstanceOf(PublishResult.Published.class);

        assertThat(a.isLeader()).as("A has not noticed yet").isTrue();
        Ring aPlan = Planner.apply(r1, new RingChange.Register(node("n5").withState(NodeState.JOINING)));
        PublishResult result = aPublisher.publish(aLastRead, aPlan);

        assertThat(result).isInstanceOfSatisfying(PublishResult.Refused.class, refused -> {
            assertThat(refused.stillLeader()).isFalse();
            assertThat(refused.current()).get().extracting(RingSnapshot::ring).isEqualTo(Optional.of(r2));
        });
        assertThat(a.isLeader()).isFalse();
        assertThat(aPublisher.read().ring()).contains(r2);
        assertThat(aPublisher.publish(aPublisher.read(), Planner.apply(r2,
                new RingChange.Register(node("n6").withState(NodeState.JOINING)))))
                .as("a node that does not lead does not even try").isInstanceOf(PublishResult.NotLeader.class);
        assertThat(b.isLeader()).isTrue();
    }

    private static Node node(String id) {
        return new Node(id, "127.0.0.1:" + (7100 + Math.floorMod(id.hashCode(), 100)), "r-" + id, NodeState.ACTIVE);
    }
}
