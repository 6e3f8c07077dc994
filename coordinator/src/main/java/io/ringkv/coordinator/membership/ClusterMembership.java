package io.ringkv.coordinator.membership;

import java.util.List;
import java.util.Optional;

/**
 * The membership a node runs, static (a seed list) or Consul (registration, leader election and
 * the leader's ring duties), behind one face for the server and the admin API. Starting and
 * stopping it starts and stops its parts in the right order.
 */
public final class ClusterMembership implements AutoCloseable {
    /** Where members and rings come from. */
    public enum Mode { STATIC, CONSUL }

    private final Mode mode;
    private final StaticMembership seeds;
    private final ConsulConnection connection;
    private final ConsulMembership consul;
    private final ConsulLeaderElection election;
    private final LeaderDuties duties;

    private ClusterMembership(Mode mode, StaticMembership seeds, ConsulConnection connection, ConsulMembership consul,
                              ConsulLeaderElection election, LeaderDuties duties) {
        this.mode = mode;
        this.seeds = seeds;
        this.connection = connection;
        this.consul = consul;
        this.election = election;
        this.duties = duties;
    }

    public static ClusterMembership ofStatic(StaticMembership seeds) {
        return new ClusterMembership(Mode.STATIC, seeds, null, null, null, null);
    }

    /** Consul membership for this node; nothing talks to Consul before {@link #start()}. */
    public static ClusterMembership ofConsul(ConsulSettings settings, Registration self, RingHolder holder,
                                             RingFormation.Settings formation) {
        ConsulConnection connection = new ConsulConnection(settings);
        ConsulMembership membership = new ConsulMembership(connection, settings, self, holder);
        // The leader's session is tied to this node's TTL check, so a crashed leader loses the lock
        // one check TTL after its last pass instead of up to two session TTLs.
        ConsulLeaderElection election = new ConsulLeaderElection(connection, settings, self.nodeId(),
                List.of(membership.checkId()));
        RingPublisher publisher = new RingPublisher(connection, settings, election);
        LeaderDuties duties = new LeaderDuties(election, membership, publisher, holder, formation, settings);
        return new ClusterMembership(Mode.CONSUL, null, connection, membership, election, duties);
    }

    public void start() {
        if (mode == Mode.STATIC) {
            seeds.start();
        } else {
            consul.start();
            election.start();
            duties.start();
        }
    }

    public Mode mode() {
        return mode;
    }

    /** Whether this node holds the cluster's leader lock (static clusters have no leader). */
    public boolean isLeader() {
        return mode == Mode.CONSUL && election.isLeader();
    }

    public Optional<String> leaderId() {
        return mode == Mode.CONSUL ? election.leaderId() : Optional.empty();
    }

    /** False while Consul cannot be reached (the node keeps serving with the ring it has). */
    public boolean reachable() {
        return mode == Mode.STATIC || consul.reachable();
    }

    /** One line for status output: what membership is waiting for or last decided. */
    public String status() {
        if (mode == Mode.STATIC) {
            String waiting = seeds.waitingFor();
            return waiting.isEmpty() ? "static: all seeds answered" : "static: waiting for " + waiting;
        }
        return "consul" + (consul.reachable() ? "" : " (unreachable)") + ": " + duties.status();
    }

    /** Registered members (Consul), with health; empty for static membership. */
    public List<Member> members() {
        return mode == Mode.CONSUL ? consul.members() : List.of();
    }

    /** The operator's {@code init}: form the first ring now, from the members present. */
    public PublishResult init() {
        if (mode == Mode.STATIC) {
            return new PublishResult.Declined("static membership forms its ring from its seed list; init is for Consul");
        }
        return duties.init();
    }

    @Override
    public void close() {
        if (mode == Mode.STATIC) {
            seeds.close();
            return;
        }
        // Resign first so the next leader takes over at once (an explicit release has no lock delay).
        duties.close();
        election.close();
        consul.close();
        connection.close();
    }
}
