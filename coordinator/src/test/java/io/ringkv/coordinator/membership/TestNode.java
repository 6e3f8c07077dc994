package io.ringkv.coordinator.membership;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One node's membership stack against a test agent, wired the way a node wires it: a connection,
 * a ring holder, Consul membership, election, publisher and leader duties. Records every epoch the
 * holder installs. The node id is {@code <cluster>-<name>} so tests sharing an agent do not collide.
 */
final class TestNode implements AutoCloseable {
    final String id;
    final ConsulSettings settings;
    final ConsulConnection consul;
    final RingHolder holder = new RingHolder();
    final List<Long> epochs = new CopyOnWriteArrayList<>();
    final ConsulMembership membership;
    final ConsulLeaderElection election;
    final RingPublisher publisher;
    final LeaderDuties duties;

    TestNode(ConsulSettings settings, String name, int port, RingFormation.Settings formation) {
        this.id = settings.cluster() + "-" + name;
        this.settings = settings;
        this.consul = new ConsulConnection(settings);
        holder.onChange(ring -> epochs.add(ring.epoch()));
        this.membership = new ConsulMembership(consul, settings,
                new Registration(id, "127.0.0.1", port, "rack-" + name, Map.of("backend", "memory")), holder);
        this.election = new ConsulLeaderElection(consul, settings, id);
        this.publisher = new RingPublisher(consul, settings, election);
        this.duties = new LeaderDuties(election, membership, publisher, holder, formation, settings);
    }

    TestNode start() {
        membership.start();
        election.start();
        duties.start();
        return this;
    }

    boolean sees(String memberId, Member.Health health) {
        return membership.members().stream().anyMatch(m -> m.id().equals(memberId) && m.health() == health);
    }

    @Override
    public void close() {
        duties.close();
        election.close();
        membership.close();
        consul.close();
    }
}
