package io.ringkv.coordinator.server;

import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.GetNodeInfoRequest;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.ListNodesRequest;
import io.ringkv.api.v1.ListNodesResponse;
import io.ringkv.api.v1.NodeInfo;
import io.ringkv.api.v1.RingView;
import io.ringkv.coordinator.membership.RingHolder;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.GrpcTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The operator's {@code ringkv.v1.Admin} service: the ring, this node, and every node as seen
 * from here (each asked for its own info, briefly; a node that does not answer is unhealthy).
 */
final class AdminGrpcService extends AdminGrpc.AdminImplBase {
    private static final long PEER_INFO_TIMEOUT_MILLIS = 500;

    private final Node self;
    private final RingHolder ring;
    private final GrpcTransport transport;
    private final FailureDetector failureDetector;
    private final String backend;
    private final String version;

    AdminGrpcService(Node self, RingHolder ring, GrpcTransport transport, FailureDetector failureDetector,
                     String backend, String version) {
        this.self = self;
        this.ring = ring;
        this.transport = transport;
        this.failureDetector = failureDetector;
        this.backend = backend;
        this.version = version;
    }

    NodeInfo selfInfo() {
        return NodeInfo.newBuilder().setId(self.id()).setAddress(self.address()).setRack(self.rack())
                .setState(Protos.state(ring.ring().flatMap(r -> r.node(self.id())).map(Node::state).orElse(self.state())))
                .setHealthy(true).setLeader(false).setRingEpoch(ring.epoch()).setBackend(backend).setVersion(version)
                .build();
    }

    @Override
    public void getRing(GetRingRequest req, StreamObserver<RingView> out) {
        if (ring.ring().isEmpty()) {
            out.onError(io.grpc.Status.UNAVAILABLE.withDescription("the cluster has not formed yet").asRuntimeException());
            return;
        }
        out.onNext(Protos.ringView(ring.require()));
        out.onCompleted();
    }

    @Override
    public void getNodeInfo(GetNodeInfoRequest req, StreamObserver<NodeInfo> out) {
        out.onNext(selfInfo());
        out.onCompleted();
    }

    @Override
    public void listNodes(ListNodesRequest req, StreamObserver<ListNodesResponse> out) {
        // Asks every peer and waits: off the event loop.
        Thread.startVirtualThread(() -> listNodesBlocking(out));
    }

    private void listNodesBlocking(StreamObserver<ListNodesResponse> out) {
        List<Node> nodes = ring.ring().map(r -> r.nodes()).orElse(List.of(self));
        List<CompletableFuture<NodeInfo>> infos = new ArrayList<>();
        for (Node n : nodes) {
            if (n.id().equals(self.id())) {
                infos.add(CompletableFuture.completedFuture(selfInfo()));
                continue;
            }
            NodeInfo unknown = NodeInfo.newBuilder().setId(n.id()).setAddress(n.address()).setRack(n.rack())
                    .setState(Protos.state(n.state())).setHealthy(false).build();
            infos.add(CompletableFuture.supplyAsync(() -> {
                try {
                    NodeInfo info = AdminGrpc.newBlockingStub(transport.channel(n.id()))
                            .withDeadlineAfter(PEER_INFO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                            .getNodeInfo(GetNodeInfoRequest.getDefaultInstance());
                    failureDetector.onSuccess(n.id());
                    return info.toBuilder().setState(Protos.state(n.state())).build();
                } catch (RuntimeException e) {
                    return unknown;
                }
            }, command -> Thread.startVirtualThread(command)));
        }
        ListNodesResponse.Builder b = ListNodesResponse.newBuilder();
        for (CompletableFuture<NodeInfo> f : infos) {
            b.addNodes(f.join());
        }
        out.onNext(b.build());
        out.onCompleted();
    }
}
