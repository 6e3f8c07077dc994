package io.ringkv.coordinator.membership;

import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import java.util.Map;
import java.util.Objects;

/**
 * A registered node as the membership service last saw it: who it is, where its server listens,
 * its rack, and its health. Being a member says nothing about the ring: only the leader turns
 * members into ring nodes (see {@link RingFormation}).
 *
 * @param id the node id (the Consul service id)
 * @param host host or IP of the node's server
 * @param port port of the node's server, 1..65535
 * @param rack failure domain
 * @param health the worst of the member's checks
 * @param meta everything else the node registered (ports, backend, version); unmodifiable
 */
public record Member(String id, String host, int port, String rack, Health health, Map<String, String> meta) {

    /** A member's health: the worst status among its checks (a node check included). */
    public enum Health {
        PASSING, WARNING, CRITICAL;

        /** The worse of the two. */
        public Health worst(Health other) {
            return other.ordinal() > ordinal() ? other : this;
        }
    }

    public Member {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("member id must not be blank");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("member " + id + ": host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("member " + id + ": port must be 1..65535, got " + port);
        }
        if (rack == null || rack.isBlank()) {
            throw new IllegalArgumentException("member " + id + ": rack must not be blank");
        }
        Objects.requireNonNull(health, "health must not be null");
        meta = Map.copyOf(meta);
    }

    /** {@code host:port}, with an IPv6 host in brackets, as {@link Node#address()} expects. */
    public String address() {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    public boolean isPassing() {
        return health == Health.PASSING;
    }

    /** This member as a ring node in the given state. */
    public Node toNode(NodeState state) {
        return new Node(id, address(), rack, state);
    }
}
