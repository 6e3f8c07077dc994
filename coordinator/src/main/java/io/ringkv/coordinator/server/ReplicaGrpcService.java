package io.ringkv.coordinator.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.PingRequest;
import io.ringkv.api.v1.PingResponse;
import io.ringkv.api.v1.ReplicaGrpc;
import io.ringkv.api.v1.ReplicaReadChunk;
import io.ringkv.api.v1.ReplicaReadRequest;
import io.ringkv.api.v1.ReplicaReadResponse;
import io.ringkv.api.v1.ReplicaWriteChunk;
import io.ringkv.api.v1.ReplicaWriteRequest;
import io.ringkv.api.v1.ReplicaWriteResponse;
import io.ringkv.api.v1.PurgeTombstonesRequest;
import io.ringkv.api.v1.PurgeTombstonesResponse;
import io.ringkv.api.v1.RepairDigestsPage;
import io.ringkv.api.v1.RepairDigestsRequest;
import io.ringkv.api.v1.RepairTreeRequest;
import io.ringkv.api.v1.RepairTreeResponse;
import io.ringkv.coordinator.membership.RingHolder;
import io.ringkv.coordinator.repair.KeyDigest;
import io.ringkv.coordinator.repair.LocalRepairPeer;
import io.ringkv.coordinator.repair.RepairWire;
import io.ringkv.coordinator.repair.TreeSpec;
import java.util.List;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.transport.GrpcTransport;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.observability.Spans;
import io.ringkv.storage.record.RecordCodec;

/**
 * The internal {@code ringkv.v1.Replica} service: applies and reads this node's replica. Records
 * go over the wire in their stored encoding, so a read sends the stored bytes as they are.
 */
final class ReplicaGrpcService extends ReplicaGrpc.ReplicaImplBase {
    private final LocalReplica replica;
    private final RingHolder ring;
    private final String selfId;
    private final int maxRecordBytes;
    private final LocalRepairPeer repair;

    ReplicaGrpcService(LocalReplica replica, RingHolder ring, String selfId, int maxRecordBytes, LocalRepairPeer repair) {
        this.replica = replica;
        this.ring = ring;
        this.selfId = selfId;
        this.maxRecordBytes = maxRecordBytes;
        this.repair = repair;
    }

    @Override
    public void write(ReplicaWriteRequest req, StreamObserver<ReplicaWriteResponse> out) {
        // Applying may wait for an fsync (group commit): off the event loop.
        // The trace context goes along (Spans.wrap is the task itself when untraced).
        Thread.startVirtualThread(Spans.wrap(() -> apply(req, req.getRecord(), out)));
    }

    private void apply(ReplicaWriteRequest req, ByteString record, StreamObserver<ReplicaWriteResponse> out) {
        try {
            byte[] encoded = record.toByteArray();
            replica.apply(new ReplicaWrite(req.getKeyspace(), req.getKey(), RecordCodec.decode(encoded), encoded,
                    req.getRingEpoch(), req.getHintFor().isEmpty() ? null : req.getHintFor()));
            out.onNext(ReplicaWriteResponse.newBuilder().setRingEpoch(ring.epoch()).build());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Protos.status(e).asRuntimeException());
        }
    }

    @Override
    public StreamObserver<ReplicaWriteChunk> writeStream(StreamObserver<ReplicaWriteResponse> out) {
        return new ChunkedUpload<ReplicaWriteChunk, ReplicaWriteRequest>("WriteStream",
                m -> m.hasHeader() ? m.getHeader() : null, ReplicaWriteChunk::getChunk, h -> null, maxRecordBytes, out,
                // Applying may wait for an fsync (group commit): off the event loop.
                (header, record) -> Thread.startVirtualThread(Spans.wrap(() -> apply(header, record, out))));
    }

    @Override
    public void read(ReplicaReadRequest req, StreamObserver<ReplicaReadResponse> out) {
        try {
            out.onNext(header(req, replica.getEncoded(req.getKeyspace(), req.getKey()), true));
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Protos.status(e).asRuntimeException());
        }
    }

    /** The reply to a read; the record is left out for digest reads and, when {@code inline} allows it, kept under the cap. */
    private ReplicaReadResponse header(ReplicaReadRequest req, byte[] encoded, boolean inline) {
        if (encoded == null) {
            return ReplicaReadResponse.newBuilder().setFound(false).setRingEpoch(ring.epoch()).build();
        }
        ReplicaReadResponse.Builder b = ReplicaReadResponse.newBuilder().setFound(true).setRingEpoch(ring.epoch())
                .setDigest(LocalReplica.digestOf(encoded)).setRecordSize(encoded.length)
                .setVersion(UnsafeByteOperations.unsafeWrap(RecordCodec.version(encoded)));
        long cap = req.getMaxInlineBytes();
        if (inline && !req.getDigestOnly() && (cap == 0 || encoded.length <= cap)) {
            b.setRecord(UnsafeByteOperations.unsafeWrap(encoded));
        }
        return b.build();
    }

    @Override
    public void readStream(ReplicaReadRequest req, StreamObserver<ReplicaReadChunk> out) {
        try {
            byte[] encoded = replica.getEncoded(req.getKeyspace(), req.getKey());
            out.onNext(ReplicaReadChunk.newBuilder().setHeader(header(req, encoded, false)).build());
            if (encoded != null) {
                for (int off = 0; off < encoded.length; off += GrpcTransport.CHUNK_BYTES) {
                    int len = Math.min(GrpcTransport.CHUNK_BYTES, encoded.length - off);
                    out.onNext(ReplicaReadChunk.newBuilder().setChunk(UnsafeByteOperations.unsafeWrap(encoded, off, len)).build());
                }
            }
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Protos.status(e).asRuntimeException());
        }
    }

    // Repair calls scan the engine: off the event loop.

    @Override
    public void repairTree(RepairTreeRequest req, StreamObserver<RepairTreeResponse> out) {
        Thread.startVirtualThread(() -> {
            try {
                long[] hashes = repair.hashes(RepairWire.spec(req.getSpec()), req.getLevel(),
                        req.getIndexesList().stream().mapToInt(Integer::intValue).toArray());
                RepairTreeResponse.Builder b = RepairTreeResponse.newBuilder();
                for (long h : hashes) {
                    b.addHashes(h);
                }
                out.onNext(b.build());
                out.onCompleted();
            } catch (RuntimeException e) {
                out.onError(Protos.status(e).asRuntimeException());
            }
        });
    }

    @Override
    public void repairDigests(RepairDigestsRequest req, StreamObserver<RepairDigestsPage> out) {
        Thread.startVirtualThread(() -> {
            try {
                TreeSpec spec = RepairWire.spec(req.getSpec());
                List<KeyDigest> digests = req.getTombstonesOnly() ? repair.tombstones(spec, req.getWrittenBeforeMillis())
                        : repair.digests(spec, req.getLeavesList().stream().mapToInt(Integer::intValue).toArray());
                for (int from = 0; from < digests.size() || from == 0; from += RepairWire.DIGESTS_PER_PAGE) {
                    RepairDigestsPage.Builder page = RepairDigestsPage.newBuilder();
                    for (KeyDigest d : digests.subList(from, Math.min(digests.size(), from + RepairWire.DIGESTS_PER_PAGE))) {
                        page.addEntries(RepairWire.digest(d));
                    }
                    out.onNext(page.build());
                }
                out.onCompleted();
            } catch (RuntimeException e) {
                out.onError(Protos.status(e).asRuntimeException());
            }
        });
    }

    @Override
    public void purgeTombstones(PurgeTombstonesRequest req, StreamObserver<PurgeTombstonesResponse> out) {
        Thread.startVirtualThread(() -> {
            try {
                int purged = repair.purge(req.getKeyspace(), req.getTombstonesList().stream().map(RepairWire::digest).toList());
                out.onNext(PurgeTombstonesResponse.newBuilder().setPurged(purged).build());
                out.onCompleted();
            } catch (RuntimeException e) {
                out.onError(Protos.status(e).asRuntimeException());
            }
        });
    }

    @Override
    public void ping(PingRequest req, StreamObserver<PingResponse> out) {
        out.onNext(PingResponse.newBuilder().setNodeId(selfId).setRingEpoch(ring.epoch()).build());
        out.onCompleted();
    }
}
