package io.ringkv.coordinator.server;

import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.GetNodeInfoRequest;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.ListNodesRequest;
import io.ringkv.api.v1.ListNodesResponse;
import io.ringkv.api.v1.NodeInfo;
import io.ringkv.api.v1.RingView;
import io.ringkv.api.v1.InitRingRequest;
import io.ringkv.api.v1.InitRingResponse;
import io.ringkv.api.v1.HintTarget;
import io.ringkv.api.v1.ListHintsRequest;
import io.ringkv.api.v1.ListHintsResponse;
import io.ringkv.coordinator.handoff.HintStats;
import io.ringkv.coordinator.handoff.HintedHandoff;
import io.ringkv.api.v1.ListRepairsRequest;
import io.ringkv.api.v1.ListRepairsResponse;
import io.ringkv.api.v1.RepairSessionInfo;
import io.ringkv.api.v1.StartRepairRequest;
import io.ringkv.api.v1.VnodeDigestsRequest;
import io.ringkv.api.v1.VnodeDigestsResponse;
import io.ringkv.coordinator.membership.ClusterMembership;
import io.ringkv.coordinator.repair.RepairService;
import io.ringkv.coordinator.membership.Member;
import io.ringkv.coordinator.membership.PublishResult;
import io.ringkv.coordinator.membership.RingHolder;
import io.ringkv.coordinator.ring.NodeState;
import io.ringkv.coordinator.ring.Node;
import io.ringkv.coordinator.transport.FailureDetector;
import io.ringkv.coordinator.transport.GrpcTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The operator's {@code ringkv.v1.Admin} service: the ring, this node, every node as seen
 * from here (each asked for its own info, briefly; a node that does not answer is unhealthy),
 * and the hints this node keeps.
 */
final class AdminGrpcService extends AdminGrpc.AdminImplBase {
    // Generous: the first call to a peer also opens its connection, which on a busy machine takes a while.
    private static final long PEER_INFO_TIMEOUT_MILLIS = 2_000;

    private final Node self;
    private final RingHolder ring;
    private final GrpcTransport transport;
    private final FailureDetector failureDetector;
    private final String backend;
    private final String version;
    private final ClusterMembership membership;
    private final HintedHandoff handoff;
    private final RepairAdmin repairs;

    AdminGrpcService(Node self, RingHolder ring, GrpcTransport transport, FailureDetector failureDetector,
                     String backend, String version, ClusterMembership membership, HintedHandoff handoff,
                     RepairService repairs) {
        this.handoff = handoff;
        this.repairs = new RepairAdmin(repairs, self.id());
        this.self = self;
        this.ring = ring;
        this.transport = transport;
        this.failureDetector = failureDetector;
        this.backend = backend;
        this.version = version;
        this.membership = membership;
    }

    NodeInfo selfInfo() {
        return NodeInfo.newBuilder().setId(self.id()).setAddress(self.address()).setRack(self.rack())
                .setState(Protos.state(ring.ring().flatMap(r -> r.node(self.id())).map(Node::state).orElse(self.state())))
                .setHealthy(true).setLeader(membership.isLeader()).setRingEpoch(ring.epoch()).setBackend(backend)
                .setVersion(version).setMembership(membership.mode().name().toLowerCase(java.util.Locale.ROOT))
                .setMembershipReachable(membership.reachable()).setMembershipStatus(membership.status())
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
        List<Node> nodes = new ArrayList<>(ring.ring().map(r -> r.nodes()).orElse(List.of(self)));
        // Registered members the ring does not name yet are listed as joining.
        for (Member m : membership.members()) {
            if (nodes.stream().noneMatch(n -> n.id().equals(m.id()))) {
                nodes.add(new Node(m.id(), m.host() + ":" + m.port(), m.rack(), NodeState.JOINING));
            }
        }
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
                    NodeInfo info = AdminGrpc.newBlockingStub(transport.channelTo(n.address()))
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

    @Override
    public void listHints(ListHintsRequest req, StreamObserver<ListHintsResponse> out) {
        // Reads the hint store (a short scan per target): off the event loop.
        Thread.startVirtualThread(() -> {
            try {
                ListHintsResponse.Builder b = ListHintsResponse.newBuilder().setNodeId(self.id());
                for (HintStats s : handoff.snapshot()) {
                    b.addTargets(hintTarget(s, failureDetector.isAvailable(s.target())));
                }
                out.onNext(b.build());
                out.onCompleted();
            } catch (RuntimeException e) {
                out.onError(Protos.status(e).asRuntimeException());
            }
        });
    }

    /** One target's hint counters as ListHints reports them. */
    static HintTarget hintTarget(HintStats s, boolean up) {
        return HintTarget.newBuilder().setTarget(s.target()).setCount(s.pending()).setBytes(s.bytes())
                .setOldestAgeMillis(s.oldestAgeMillis()).setDeliveryBytesPerSecond(s.deliveryBytesPerSecond())
                .setDeliveredTotal(s.delivered()).setDroppedTotal(s.dropped())
                .setDroppedFull(s.droppedFull()).setDroppedWindow(s.droppedWindow())
                .setDroppedRejected(s.droppedRejected()).setDroppedTargetLeft(s.droppedTargetLeft())
                .setTargetUp(up).build();
    }

    @Override
    public void initRing(InitRingRequest req, StreamObserver<InitRingResponse> out) {
        com.linecorp.armeria.server.ServiceRequestContext ctx = com.linecorp.armeria.server.ServiceRequestContext.currentOrNull();
        boolean forwarded = ctx != null && ctx.request().headers().contains("ringkv-forwarded");
        Thread.startVirtualThread(() -> {
            PublishResult result = membership.init();
            if (result instanceof PublishResult.NotLeader) {
                // Hand it to the leader, once: a node that is not leader there either answers as it finds.
                String leader = membership.leaderId().orElse(null);
                String address = leader == null ? null : membership.members().stream().filter(m -> m.id().equals(leader))
                        .map(m -> m.host() + ":" + m.port()).findFirst().orElse(null);
                if (address != null && !leader.equals(self.id()) && !forwarded) {
                    io.grpc.Metadata headers = new io.grpc.Metadata();
                    headers.put(KvGrpcService.FORWARDED, self.id());
                    try {
                        out.onNext(AdminGrpc.newBlockingStub(transport.channelTo(address))
                                .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
                                .withDeadlineAfter(10, TimeUnit.SECONDS).initRing(req));
                        out.onCompleted();
                    } catch (RuntimeException e) {
                        out.onError(Protos.status(e).asRuntimeException());
                    }
                    return;
                }
            }
            out.onNext(describe(result));
            out.onCompleted();
        });
    }

    @Override
    public void startRepair(StartRepairRequest req, StreamObserver<RepairSessionInfo> out) {
        repairs.startRepair(req, out);
    }

    @Override
    public void listRepairs(ListRepairsRequest req, StreamObserver<ListRepairsResponse> out) {
        repairs.listRepairs(req, out);
    }

    @Override
    public void vnodeDigests(VnodeDigestsRequest req, StreamObserver<VnodeDigestsResponse> out) {
        repairs.vnodeDigests(req, out);
    }

    private InitRingResponse describe(PublishResult result) {
        InitRingResponse.Builder b = InitRingResponse.newBuilder().setRingEpoch(ring.epoch());
        switch (result) {
            case PublishResult.Published p -> b.setOutcome("published").setDetail("ring epoch " + p.ring().epoch()
                    + " with " + p.ring().activeNodes().size() + " nodes").setRingEpoch(p.ring().epoch());
            case PublishResult.Declined d -> b.setOutcome("declined").setDetail(d.reason());
            case PublishResult.NotLeader n -> b.setOutcome("not leader").setDetail("no leader known yet; try again");
            case PublishResult.Unavailable u -> b.setOutcome("unavailable").setDetail(u.reason());
            case PublishResult.Refused r -> b.setOutcome("refused")
                    .setDetail("another leader changed the ring meanwhile (check-and-set refused)");
        }
        return b.build();
    }
}
