package io.ringkv.coordinator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ecwid.consul.v1.health.model.Check;
import com.ecwid.consul.v1.health.model.HealthService;
import io.ringkv.coordinator.membership.Member.Health;
import io.ringkv.coordinator.ring.NodeState;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Member values and how a Consul health entry becomes one. */
class MemberTest {

    private static HealthService entry(String id, String serviceAddress, Integer port, Map<String, String> meta,
                                       Check.CheckStatus... statuses) {
        HealthService.Service service = new HealthService.Service();
        service.setId(id);
        service.setService("ringkv");
        service.setAddress(serviceAddress);
        service.setPort(port);
        service.setMeta(meta);
        HealthService.Node node = new HealthService.Node();
        node.setNode("host-a");
        node.setAddress("192.168.1.5");
        HealthService instance = new HealthService();
        instance.setService(service);
        instance.setNode(node);
        instance.setChecks(Arrays.stream(statuses).map(s -> {
            Check c = new Check();
            c.setStatus(s);
            return c;
        }).toList());
        return instance;
    }

    @Test
    void aHealthEntryBecomesAMemberWithTheWorstCheckAsItsHealth() {
        Member m = ConsulMembership.toMember(entry("n1", "10.0.0.1", 7000, Map.of("rack", "r1", "backend", "rocks"),
                Check.CheckStatus.PASSING, Check.CheckStatus.WARNING)).orElseThrow();
        assertThat(m.id()).isEqualTo("n1");
        assertThat(m.address()).isEqualTo("10.0.0.1:7000");
        assertThat(m.rack()).isEqualTo("r1");
        assertThat(m.health()).isEqualTo(Health.WARNING);
        assertThat(m.meta()).containsEntry("backend", "rocks");

        assertThat(ConsulMembership.toMember(entry("n1", "h", 1, Map.of("rack", "r"), Check.CheckStatus.PASSING,
                Check.CheckStatus.CRITICAL, Check.CheckStatus.WARNING)).orElseThrow().health()).isEqualTo(Health.CRITICAL);
        assertThat(ConsulMembership.toMember(entry("n1", "h", 1, Map.of("rack", "r"), Check.CheckStatus.UNKNOWN))
                .orElseThrow().health()).isEqualTo(Health.CRITICAL);
        assertThat(ConsulMembership.toMember(entry("n1", "h", 1, Map.of("rack", "r"), Check.CheckStatus.PASSING,
                Check.CheckStatus.PASSING)).orElseThrow().isPassing()).isTrue();
    }

    @Test
    void aServiceWithoutAnAddressUsesItsNodesAddress() {
        assertThat(ConsulMembership.toMember(entry("n1", "", 7000, Map.of("rack", "r1"))).orElseThrow().address())
                .isEqualTo("192.168.1.5:7000");
    }

    @Test
    void anUnusableRegistrationIsSkipped() {
        assertThat(ConsulMembership.toMember(entry("n1", "h", null, Map.of("rack", "r1")))).isEmpty();
        assertThat(ConsulMembership.toMember(entry("n1", "h", 7000, Map.of()))).as("no rack").isEmpty();
        assertThat(ConsulMembership.toMember(new HealthService())).isEmpty();
    }

    @Test
    void ipv6HostsAreBracketedInTheNodeAddress() {
        Member m = new Member("n1", "::1", 7000, "r1", Health.PASSING, Map.of());
        assertThat(m.address()).isEqualTo("[::1]:7000");
        assertThat(m.toNode(NodeState.JOINING).address()).isEqualTo("[::1]:7000");
    }

    @Test
    void theNextBlockingIndexFollowsConsulsRules() {
        assertThat(Loops.nextIndex(0, 42L)).isEqualTo(42);
        assertThat(Loops.nextIndex(42, 12L)).as("went backwards: reset to it").isEqualTo(12);
        assertThat(Loops.nextIndex(42, 0L)).as("never 0 again").isEqualTo(1);
        assertThat(Loops.nextIndex(42, null)).isEqualTo(42);
    }

    @Test
    void registrationsAreValidated() {
        assertThat(new Registration("n1", "h", 1, "r1", Map.of("backend", "rocks")).registeredMeta("c"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("backend", "rocks", "rack", "r1", "cluster", "c"));
        assertThatThrownBy(() -> new Registration("n 1", "h", 1, "r", Map.of())).hasMessageContaining("node id");
        assertThatThrownBy(() -> new Registration("n1", "h", 0, "r", Map.of())).hasMessageContaining("port");
        assertThatThrownBy(() -> new Registration("n1", "h", 1, "r", Map.of("rack", "x"))).hasMessageContaining("rack");
        assertThatThrownBy(() -> new Registration("n1", "h", 1, "r", Map.of("a.b", "x"))).hasMessageContaining("a.b");
    }

    @Test
    void settingsAreValidated() {
        ConsulSettings s = ConsulSettings.defaults("127.0.0.1", 8500, "prod");
        assertThat(s.ringKey()).isEqualTo("ringkv/prod/ring");
        assertThat(s.leaderKey()).isEqualTo("ringkv/prod/leader");
        assertThat(s.clusterTag()).isEqualTo("cluster:prod");
        assertThatThrownBy(() -> ConsulSettings.defaults("h", 1, "a/b")).hasMessageContaining("cluster name");
        assertThatThrownBy(() -> new ConsulSettings("h", 1, "c", "ringkv", 10_000, 5_000, 0, 30, 5_000, 100, 5_000))
                .hasMessageContaining("session TTL");
        assertThatThrownBy(() -> s.withWatchWaitSeconds(0)).hasMessageContaining("watch wait");
        assertThatThrownBy(() -> s.withLockDelayMillis(61_000)).hasMessageContaining("lock delay");
        assertThat(List.of(s.withCheckTtlMillis(2000).checkTtlMillis())).containsExactly(2000L);
    }
}
