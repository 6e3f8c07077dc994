package io.ringkv.coordinator.membership;

import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Planner;
import io.ringkv.coordinator.ring.Ring;
import io.ringkv.coordinator.ring.RingChange;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The leader's decisions about the ring, as pure functions of what it sees: the ring stored in
 * Consul, the ring this node serves, and the registered members. One decision is one ring change
 * (epoch + 1), so every published epoch is one step from the one before; the caller publishes it
 * with check-and-set and asks again.
 *
 * <ul>
 *   <li>No ring yet: once {@code minNodes} members are passing, the first ring (epoch 1) places
 *       all of them ACTIVE.</li>
 *   <li>A ring exists: a passing member the ring does not list is added as JOINING
 *       ({@link RingChange.Register}: it takes no vnodes until an operator joins it), lowest id
 *       first.</li>
 *   <li>Members are never removed: a member that is critical or gone is a transient failure.</li>
 *   <li>If this node serves a newer ring than Consul holds (Consul lost its data), that ring is
 *       published again as it is.</li>
 * </ul>
 */
public final class RingFormation {

    /**
     * @param minNodes passing members needed before the first ring is formed automatically
     * @param vnodeCount Q for the first ring
     * @param replicationFactor N for the first ring
     */
    public record Settings(int minNodes, int vnodeCount, int replicationFactor) {
        public Settings {
            if (minNodes < 1) {
                throw new IllegalArgumentException("min_nodes must be at least 1, got " + minNodes);
            }
            if (vnodeCount < 1 || vnodeCount > Ring.MAX_VNODE_COUNT || Integer.bitCount(vnodeCount) != 1) {
                throw new IllegalArgumentException("vnode count must be a power of two in 1.." + Ring.MAX_VNODE_COUNT
                        + ", got " + vnodeCount);
            }
            if (replicationFactor < 1 || replicationFactor > Ring.MAX_REPLICATION_FACTOR) {
                throw new IllegalArgumentException("replication factor must be in 1.." + Ring.MAX_REPLICATION_FACTOR
                        + ", got " + replicationFactor);
            }
        }
    }

    /** A ring to publish, or nothing; either way a sentence for logs and status output. */
    public record Decision(Optional<Ring> ring, String reason) {
        public Decision {
            Objects.requireNonNull(ring, "ring must not be null (use Optional.empty())");
            Objects.requireNonNull(reason, "reason must not be null");
        }

        static Decision publish(Ring ring, String reason) {
            return new Decision(Optional.of(ring), reason);
        }

        static Decision none(String reason) {
            return new Decision(Optional.empty(), reason);
        }
    }

    private RingFormation() {
    }

    /**
     * The leader's next step.
     *
     * @param stored the ring in Consul, if any
     * @param local the ring this node serves, if any
     * @param members every registered member with its health; only passing ones are placed
     */
    public static Decision next(Optional<Ring> stored, Optional<Ring> local, List<Member> members, Settings settings) {
        Optional<Decision> restore = restore(stored, local);
        if (restore.isPresent()) {
            return restore.get();
        }
        List<Member> passing = passing(members);
        Optional<String> duplicate = duplicate(passing);
        if (duplicate.isPresent()) {
            return Decision.none(duplicate.get());
        }
        if (stored.isEmpty()) {
            if (passing.size() < settings.minNodes()) {
                return Decision.none("no ring yet: waiting for " + settings.minNodes() + " passing members, "
                        + passing.size() + " so far " + ids(passing));
            }
            return Decision.publish(first(passing, settings),
                    "forming the first ring from " + passing.size() + " passing members " + ids(passing));
        }
        Ring ring = stored.get();
        for (Member m : passing) {
            if (ring.node(m.id()).isEmpty()) {
                Ring next = Planner.apply(ring, new RingChange.Register(m.toNode(NodeState.JOINING)));
                return Decision.publish(next, "registering " + m.id() + " (" + m.address() + ", rack " + m.rack()
                        + ") as JOINING in epoch " + next.epoch());
            }
        }
        return Decision.none("ring epoch " + ring.epoch() + " lists every passing member");
    }

    /**
     * The operator's {@code init}: the first ring from the members passing now, even fewer than
     * {@code minNodes}. Declines when a ring exists (in Consul or on this node) or nobody is passing.
     */
    public static Decision init(Optional<Ring> stored, Optional<Ring> local, List<Member> members, Settings settings) {
        if (stored.isPresent()) {
            return Decision.none("init declined: a ring already exists (epoch " + stored.get().epoch() + ")");
        }
        if (local.isPresent()) {
            return Decision.none("init declined: this node serves epoch " + local.get().epoch()
                    + " which Consul lost; the leader restores it");
        }
        List<Member> passing = passing(members);
        if (passing.isEmpty()) {
            return Decision.none("init declined: no passing members");
        }
        Optional<String> duplicate = duplicate(passing);
        if (duplicate.isPresent()) {
            return Decision.none("init declined: " + duplicate.get());
        }
        return Decision.publish(first(passing, settings), "init: forming the first ring from " + passing.size()
                + " passing members " + ids(passing) + " (min_nodes is " + settings.minNodes() + ")");
    }

    private static Optional<Decision> restore(Optional<Ring> stored, Optional<Ring> local) {
        if (local.isEmpty()) {
            return Optional.empty();
        }
        long localEpoch = local.get().epoch();
        if (stored.isEmpty()) {
            return Optional.of(Decision.publish(local.get(),
                    "Consul holds no ring but this node serves epoch " + localEpoch + ": restoring it"));
        }
        if (stored.get().epoch() < localEpoch) {
            return Optional.of(Decision.publish(local.get(), "Consul holds epoch " + stored.get().epoch()
                    + ", older than this node's " + localEpoch + ": restoring " + localEpoch));
        }
        return Optional.empty();
    }

    private static Ring first(List<Member> passing, Settings settings) {
        List<Node> nodes = passing.stream().map(m -> m.toNode(NodeState.ACTIVE)).toList();
        return Planner.initial(nodes, settings.vnodeCount(), settings.replicationFactor());
    }

    /** Passing members, by id. */
    private static List<Member> passing(List<Member> members) {
        return members.stream().filter(Member::isPassing).sorted(Comparator.comparing(Member::id)).toList();
    }

    /** Two passing registrations with one id (two nodes configured alike): nothing is placed until it is fixed. */
    private static Optional<String> duplicate(List<Member> passing) {
        Map<String, Member> seen = new HashMap<>();
        for (Member m : passing) {
            Member other = seen.putIfAbsent(m.id(), m);
            if (other != null) {
                return Optional.of("node id " + m.id() + " is registered twice (" + other.address() + " and "
                        + m.address() + "): fix the configuration");
            }
        }
        return Optional.empty();
    }

    private static String ids(List<Member> members) {
        return members.stream().map(Member::id).collect(Collectors.joining(", ", "[", "]"));
    }
}
