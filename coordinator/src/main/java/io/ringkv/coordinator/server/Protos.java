package io.ringkv.coordinator.server;

import io.grpc.Status;
import io.ringkv.api.v1.ConsistencyLevel;
import io.ringkv.api.v1.RingNode;
import io.ringkv.api.v1.RingView;
import io.ringkv.coordinator.concurrent.Failures;
import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.request.RequestFailure;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Ring;

/** Conversions between wire messages and the coordinator's values. */
final class Protos {
    private Protos() {
    }

    static Consistency consistency(ConsistencyLevel level, int count) {
        Consistency.Level l = switch (level) {
            case ONE -> Consistency.Level.ONE;
            case QUORUM -> Consistency.Level.QUORUM;
            case ALL -> Consistency.Level.ALL;
            default -> Consistency.Level.DEFAULT;
        };
        return new Consistency(l, count);
    }

    static RingView ringView(Ring ring) {
        return ringView(ring, id -> 0);
    }

    /** The ring with each node's bulk port as {@code bulkPortOf} knows it (0: unknown). */
    static RingView ringView(Ring ring, java.util.function.ToIntFunction<String> bulkPortOf) {
        RingView.Builder b = RingView.newBuilder().setEpoch(ring.epoch()).setVnodeCount(ring.vnodeCount())
                .setReplicasPerVnode(ring.replicasPerVnode());
        for (Node n : ring.nodes()) {
            b.addNodes(node(n).toBuilder().setBulkPort(bulkPortOf.applyAsInt(n.id())));
        }
        for (int v = 0; v < ring.vnodeCount(); v++) {
            for (int i = 0; i < ring.replicasPerVnode(); i++) {
                b.addAssignments(ring.replicaIndex(v, i));
            }
        }
        return b.build();
    }

    static RingNode node(Node n) {
        return RingNode.newBuilder().setId(n.id()).setAddress(n.address()).setRack(n.rack()).setState(state(n.state())).build();
    }

    static io.ringkv.api.v1.NodeState state(NodeState s) {
        return switch (s) {
            case JOINING -> io.ringkv.api.v1.NodeState.JOINING;
            case ACTIVE -> io.ringkv.api.v1.NodeState.ACTIVE;
            case LEAVING -> io.ringkv.api.v1.NodeState.LEAVING;
        };
    }

    static NodeState state(io.ringkv.api.v1.NodeState s) {
        return switch (s) {
            case JOINING -> NodeState.JOINING;
            case LEAVING -> NodeState.LEAVING;
            default -> NodeState.ACTIVE;
        };
    }

    /** The gRPC status of a failed request: code and the failure's one-line message. */
    static Status status(Throwable error) {
        Throwable e = Failures.cause(error);
        if (e instanceof RequestFailure f) {
            Status.Code code = switch (f.code()) {
                case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
                case UNAVAILABLE -> Status.Code.UNAVAILABLE;
                case DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
                case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
                case INTERNAL -> Status.Code.INTERNAL;
            };
            return Status.fromCode(code).withDescription(f.getMessage());
        }
        if (e instanceof io.grpc.StatusRuntimeException s) {
            return s.getStatus();
        }
        if (e instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        return Status.INTERNAL.withDescription(e.getClass().getSimpleName() + ": " + e.getMessage()).withCause(e);
    }
}
