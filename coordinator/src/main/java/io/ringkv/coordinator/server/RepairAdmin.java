package io.ringkv.coordinator.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.ListRepairsRequest;
import io.ringkv.api.v1.ListRepairsResponse;
import io.ringkv.api.v1.RepairSessionInfo;
import io.ringkv.api.v1.StartRepairRequest;
import io.ringkv.api.v1.VnodeDigest;
import io.ringkv.api.v1.VnodeDigestsRequest;
import io.ringkv.api.v1.VnodeDigestsResponse;
import io.ringkv.coordinator.catalog.RepairSessionRow;
import io.ringkv.coordinator.repair.RepairScope;
import io.ringkv.coordinator.repair.RepairService;
import io.ringkv.coordinator.repair.RepairSession;
import io.ringkv.observability.Spans;
import java.time.Instant;

/** The Admin service's repair calls: StartRepair, ListRepairs, VnodeDigests, over a {@link RepairService}. */
final class RepairAdmin {
    private final RepairService repairs;
    private final String selfId;

    RepairAdmin(RepairService repairs, String selfId) {
        this.repairs = repairs;
        this.selfId = selfId;
    }

    void startRepair(StartRepairRequest req, StreamObserver<RepairSessionInfo> out) {
        // Recording the session writes the catalog: off the event loop, in the call's trace (the session links to it).
        Thread.startVirtualThread(Spans.wrap(() -> {
            try {
                RepairScope scope = new RepairScope(req.getKeyspace(), req.hasVnode() ? req.getVnode() : null,
                        req.getNode(), false);
                RepairSession s = repairs.start(scope);
                out.onNext(info(new RepairService.SessionView(s.row(), s.vnodesFailed(), 0)));
                out.onCompleted();
            } catch (IllegalStateException e) {
                out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            } catch (RuntimeException e) {
                out.onError(Protos.status(e).asRuntimeException());
            }
        }));
    }

    void listRepairs(ListRepairsRequest req, StreamObserver<ListRepairsResponse> out) {
        Thread.startVirtualThread(() -> {
            try {
                int limit = req.getLimit() == 0 ? RepairService.DEFAULT_LIST_LIMIT : Math.min(req.getLimit(), 10_000);
                ListRepairsResponse.Builder b = ListRepairsResponse.newBuilder();
                repairs.list(limit, req.getSessionId()).forEach(v -> b.addSessions(info(v)));
                out.onNext(b.build());
                out.onCompleted();
            } catch (RuntimeException e) {
                out.onError(Protos.status(e).asRuntimeException());
            }
        });
    }

    void vnodeDigests(VnodeDigestsRequest req, StreamObserver<VnodeDigestsResponse> out) {
        Thread.startVirtualThread(() -> {
            try {
                VnodeDigestsResponse.Builder b = VnodeDigestsResponse.newBuilder().setNodeId(selfId);
                for (RepairService.VnodeRoot r : repairs.vnodeDigests(req.getKeyspace())) {
                    b.addVnodes(VnodeDigest.newBuilder().setVnode(r.vnode()).setRoot(r.root()).setKeys(r.keys()));
                }
                out.onNext(b.build());
                out.onCompleted();
            } catch (IllegalStateException e) {
                out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            } catch (RuntimeException e) {
                out.onError(Protos.status(e).asRuntimeException());
            }
        });
    }

    static RepairSessionInfo info(RepairService.SessionView v) {
        RepairSessionRow r = v.row();
        return RepairSessionInfo.newBuilder().setSessionId(r.sessionId()).setScope(r.scope())
                .setKeyspace(r.keyspace() == null ? "" : r.keyspace()).setVnodesDone(r.vnodesDone())
                .setVnodesTotal(r.vnodesTotal()).setVnodesFailed(v.vnodesFailed()).setKeysCompared(r.keysCompared())
                .setKeysStreamed(r.keysStreamed()).setBytesStreamed(r.bytesStreamed())
                .setStartedAtMillis(millis(r.startedAt())).setUpdatedAtMillis(millis(r.updatedAt()))
                .setFinishedAtMillis(millis(r.finishedAt())).setEtaMillis(v.etaMillis()).setState(r.state()).build();
    }

    private static long millis(Instant i) {
        return i == null ? 0 : i.toEpochMilli();
    }
}
