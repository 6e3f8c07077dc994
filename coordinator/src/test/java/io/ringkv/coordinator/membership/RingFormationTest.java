package io.ringkv.coordinator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.coordinator.membership.Member.Health;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Planner;
import io.ringkv.coordinator.ring.Ring;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RingFormationTest {

    private static final RingFormation.Settings SETTINGS = new RingFormation.Settings(3, 16, 3);

    private static Member member(String id, Health health) {
        return new Member(id, "10.0.0." + id.substring(1), 7000, "r" + id.substring(1), health, Map.of());
    }

    private static Member passing(String id) {
        return member(id, Health.PASSING);
    }

    @Test
    void waitsForMinNodesPassingMembers() {
        RingFormation.Decision d = RingFormation.next(Optional.empty(), Optional.empty(),
                List.of(passing("n1"), passing("n2"), member("n3", Health.CRITICAL), member("n4", Health.WARNING)),
                SETTINGS);
        assertThat(d.ring()).isEmpty();
        assertThat(d.reason()).contains("waiting for 3 passing members, 2 so far [n1, n2]");
    }

    @Test
    void formsTheFirstRingFromThePassingMembersOnceThereAreEnough() {
        RingFormation.Decision d = RingFormation.next(Optional.empty(), Optional.empty(),
                List.of(passing("n3"), passing("n1"), member("n4", Health.CRITICAL), passing("n2")), SETTINGS);
        Ring ring = d.ring().orElseThrow();
        assertThat(ring.epoch()).isEqualTo(1);
        assertThat(ring.nodes()).extracting(Node::id).containsExactly("n1", "n2", "n3");
        assertThat(ring.nodes()).allMatch(Node::isActive);
        assertThat(ring.vnodeCount()).isEqualTo(16);
        assertThat(ring.replicationFactor()).isEqualTo(3);
        assertThat(ring.node("n1")).get().extracting(Node::address, Node::rack).containsExactly("10.0.0.1:7000", "r1");
        assertThat(ring).isEqualTo(Planner.initial(List.of(passing("n1").toNode(NodeState.ACTIVE),
                passing("n2").toNode(NodeState.ACTIVE), passing("n3").toNode(NodeState.ACTIVE)), 16, 3));
    }

    @Test
    void registersEachLaterPassingMemberAsJoiningOneEpochAtATime() {
        Ring first = RingFormation.next(Optional.empty(), Optional.empty(),
                List.of(passing("n1"), passing("n2"), passing("n3")), SETTINGS).ring().orElseThrow();
        List<Member> members = List.of(passing("n1"), passing("n2"), passing("n3"), passing("n5"), passing("n4"),
                member("n6", Health.CRITICAL));

        RingFormation.Decision d1 = RingFormation.next(Optional.of(first), Optional.of(first), members, SETTINGS);
        Ring second = d1.ring().orElseThrow();
        assertThat(second.epoch()).isEqualTo(2);
        assertThat(second.node("n4")).get().extracting(Node::state).isEqualTo(NodeState.JOINING);
        assertThat(second.node("n5")).isEmpty();
        assertThat(second.vnodesOf("n4")).isEmpty();
        assertThat(second.assignments()).isDeepEqualTo(first.assignments());
        assertThat(d1.reason()).contains("registering n4");

        Ring third = RingFormation.next(Optional.of(second), Optional.of(second), members, SETTINGS).ring().orElseThrow();
        assertThat(third.epoch()).isEqualTo(3);
        assertThat(third.node("n5")).get().extracting(Node::state).isEqualTo(NodeState.JOINING);

        RingFormation.Decision done = RingFormation.next(Optional.of(third), Optional.of(third), members, SETTINGS);
        assertThat(done.ring()).as("n6 is not passing").isEmpty();
        assertThat(done.reason()).contains("epoch 3");
    }

    @Test
    void neverRemovesMembersThatAreDownOrGone() {
        Ring ring = RingFormation.next(Optional.empty(), Optional.empty(),
                List.of(passing("n1"), passing("n2"), passing("n3")), SETTINGS).ring().orElseThrow();
        assertThat(RingFormation.next(Optional.of(ring), Optional.of(ring),
                List.of(passing("n1"), member("n2", Health.CRITICAL)), SETTINGS).ring()).isEmpty();
        assertThat(RingFormation.next(Optional.of(ring), Optional.of(ring), List.of(), SETTINGS).ring()).isEmpty();
    }

    @Test
    void restoresTheLocalRingWhenConsulLostOrRegressedIt() {
        Ring first = RingFormation.next(Optional.empty(), Optional.empty(),
                List.of(passing("n1"), passing("n2"), passing("n3")), SETTINGS).ring().orElseThrow();
        Ring second = RingFormation.next(Optional.of(first), Optional.empty(),
                List.of(passing("n1"), passing("n2"), passing("n3"), passing("n4")), SETTINGS).ring().orElseThrow();

        RingFormation.Decision lost = RingFormation.next(Optional.empty(), Optional.of(second), List.of(), SETTINGS);
        assertThat(lost.ring()).contains(second);
        assertThat(lost.reason()).contains("restoring");

        RingFormation.Decision regressed = RingFormation.next(Optional.of(first), Optional.of(second), List.of(), SETTINGS);
        assertThat(regressed.ring()).contains(second);

        assertThat(RingFormation.next(Optional.of(second), Optional.of(first),
                List.of(passing("n1"), passing("n2"), passing("n3"), passing("n4")), SETTINGS).ring())
                .as("an older local ring changes nothing").isEmpty();
    }

    @Test
    void refusesToPlaceAnIdRegisteredTwice() {
        Member twin = new Member("n1", "10.0.0.9", 7000, "r9", Health.PASSING, Map.of());
        RingFormation.Decision d = RingFormation.next(Optional.empty(), Optional.empty(),
                List.of(passing("n1"), twin, passing("n2"), passing("n3")), SETTINGS);
        assertThat(d.ring()).isEmpty();
        assertThat(d.reason()).contains("n1 is registered twice");
    }

    @Test
    void initFormsTheFirstRingBelowMinNodes() {
        RingFormation.Decision d = RingFormation.init(Optional.empty(), Optional.empty(),
                List.of(passing("n2"), member("n3", Health.CRITICAL)), SETTINGS);
        Ring ring = d.ring().orElseThrow();
        assertThat(ring.epoch()).isEqualTo(1);
        assertThat(ring.nodes()).extracting(Node::id).containsExactly("n2");
        assertThat(ring.replicasPerVnode()).isEqualTo(1);
    }

    @Test
    void initDeclinesWhenARingExistsOrNobodyPasses() {
        Ring ring = RingFormation.init(Optional.empty(), Optional.empty(), List.of(passing("n1")), SETTINGS)
                .ring().orElseThrow();
        assertThat(RingFormation.init(Optional.of(ring), Optional.empty(), List.of(passing("n1")), SETTINGS).reason())
                .contains("already exists");
        assertThat(RingFormation.init(Optional.empty(), Optional.of(ring), List.of(passing("n1")), SETTINGS).ring())
                .isEmpty();
        assertThat(RingFormation.init(Optional.empty(), Optional.empty(), List.of(member("n1", Health.CRITICAL)),
                SETTINGS).reason()).contains("no passing members");
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new RingFormation.Settings(0, 16, 3)).hasMessageContaining("min_nodes");
        assertThatThrownBy(() -> new RingFormation.Settings(3, 12, 3)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new RingFormation.Settings(3, 16, 17)).hasMessageContaining("replication factor");
    }
}
