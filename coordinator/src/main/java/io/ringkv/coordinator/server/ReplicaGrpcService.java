package io.ringkv.coordinator.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
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
import io.ringkv.coordinator.priority.LargeValueExecutor;
import io.ringkv.coordinator.repair.KeyDigest;
import io.ringkv.coordinator.repair.LocalRepairPeer;
import io.ringkv.coordinator.repair.RepairWire;
import io.ringkv.coordinator.repair.TreeSpec;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.transport.GrpcTransport;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.observability.Spans;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.record.RecordCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

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
    private final Executor largeValues;
    private volatile java.util.function.IntSupplier bulkPort = () -> 0;
    private final java.util.concurrent.atomic.LongAdder expiredCalls = new java.util.concurrent.atomic.LongAdder();

    /** @param largeValues runs the reads and writes of records stored in chunks (the node's large-value threads) */
    ReplicaGrpcService(LocalReplica replica, RingHolder ring, String selfId, int maxRecordBytes, LocalRepairPeer repair,
                       Executor largeValues) {
        this.largeValues = largeValues;
        this.replica = replica;
        this.ring = ring;
        this.selfId = selfId;
        this.maxRecordBytes = maxRecordBytes;
        this.repair = repair;
    }

    @Override
    public void write(ReplicaWriteRequest req, StreamObserver<ReplicaWriteResponse> out) {
        ReplicaWrite write;
        CompletableFuture<Void> durable;
        try {
            write = decode(req, req.getRecord());
            // Applied on the event loop; the reply goes when the group commit's fsync completes.
            durable = replica.tryApplyAsync(write);
        } catch (RuntimeException e) {
            out.onError(Protos.status(e).asRuntimeException());
            return;
        }
        if (durable != null) {
            durable.whenComplete((ok, e) -> reply(e, out));
            return;
        }
        if (replica.isLarge(write)) {
            offload(out, () -> applyLarge(write, out));
            return;
        }
        // A hint waits on I/O, and a key's lock held by another writer is waited for: off the event
        // loop, with the trace context (Spans.wrap is the task itself when untraced).
        Thread.startVirtualThread(Spans.wrap(() -> apply(write, out)));
    }

    /**
     * Applies a large record (not a hint) on a large-value thread, which does not wait for its
     * fsync; the reply goes from the group commit's thread, or from the event loop the reply is
     * written on (the observer hands it over), never starting a thread.
     */
    private void applyLarge(ReplicaWrite write, StreamObserver<ReplicaWriteResponse> out) {
        replica.applyAsync(write).whenComplete((ok, e) -> reply(e, out));
    }

    /**
     * Runs the work of a large record on the large-value threads, which yield the CPU to small
     * requests; a failure is the call's error, a full queue RESOURCE_EXHAUSTED, and the threads'
     * refusal while the node stops UNAVAILABLE. Work whose caller stopped waiting for it while it
     * waited is not done: a unary or streaming call cancelled (its caller timed out or went away), or
     * a replica-channel call past its caller's timeout, which is answered DEADLINE_EXCEEDED.
     */
    private void offload(StreamObserver<?> out, Runnable work) {
        try {
            largeValues.execute(Spans.wrap(() -> {
                if (out instanceof ServerCallStreamObserver<?> call && call.isCancelled()) {
                    return;
                }
                if (out instanceof CallerDeadline deadline && deadline.passed()) {
                    expiredCalls.increment();
                    out.onError(Status.DEADLINE_EXCEEDED.withDescription("node " + selfId + ": not served, it waited for"
                            + " a large-value thread past its caller's timeout of " + deadline.timeoutMillis() + " ms")
                            .asRuntimeException());
                    return;
                }
                try {
                    work.run();
                } catch (RuntimeException e) {
                    out.onError(Protos.status(e).asRuntimeException());
                }
            }));
        } catch (LargeValueExecutor.Full e) {
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription("node " + selfId + ": " + e.getMessage())
                    .asRuntimeException());
        } catch (RejectedExecutionException e) {
            out.onError(Status.UNAVAILABLE.withDescription("node " + selfId + " is stopping").asRuntimeException());
        }
    }

    private ReplicaWrite decode(ReplicaWriteRequest req, ByteString record) {
        byte[] encoded = record.toByteArray();
        return new ReplicaWrite(req.getKeyspace(), req.getKey(), RecordCodec.decode(encoded), encoded,
                req.getRingEpoch(), req.getHintFor().isEmpty() ? null : req.getHintFor());
    }

    private void decodeThenApply(ReplicaWriteRequest header, ByteString record, StreamObserver<ReplicaWriteResponse> out) {
        ReplicaWrite write;
        try {
            write = decode(header, record);
        } catch (RuntimeException e) {
            out.onError(Protos.status(e).asRuntimeException());
            return;
        }
        apply(write, out);
    }

    private void apply(ReplicaWrite write, StreamObserver<ReplicaWriteResponse> out) {
        RuntimeException error = null;
        try {
            replica.apply(write);
        } catch (RuntimeException e) {
            error = e;
        }
        reply(error, out);
    }

    private void reply(Throwable error, StreamObserver<ReplicaWriteResponse> out) {
        if (error != null) {
            out.onError(Protos.status(error).asRuntimeException());
            return;
        }
        out.onNext(ReplicaWriteResponse.newBuilder().setRingEpoch(ring.epoch()).build());
        out.onCompleted();
    }

    @Override
    public StreamObserver<ReplicaWriteChunk> writeStream(StreamObserver<ReplicaWriteResponse> out) {
        return new ChunkedUpload<ReplicaWriteChunk, ReplicaWriteRequest>("WriteStream",
                m -> m.hasHeader() ? m.getHeader() : null, ReplicaWriteChunk::getChunk, h -> null, maxRecordBytes, out,
                (header, record) -> {
                    if (header.getHintFor().isEmpty()) {
                        // Decoding and checksumming megabytes: on the large-value threads.
                        offload(out, () -> applyLarge(decode(header, record), out));
                    } else {
                        // The hint store may wait on I/O; and a large-value thread starts no thread, since a
                        // thread inherits its creator's CPU priority: decided here, on the event loop.
                        Thread.startVirtualThread(Spans.wrap(() -> decodeThenApply(header, record, out)));
                    }
                });
    }

    /** Replica-channel calls not served because their caller's timeout ran out while they waited for a large-value thread (the metric ringkv.replica.calls.expired). */
    long expiredCalls() {
        return expiredCalls.sum();
    }

    @Override
    public void read(ReplicaReadRequest req, StreamObserver<ReplicaReadResponse> out) {
        try {
            if (req.getDigestOnly()) {
                out.onNext(summary(req));
            } else {
                ChunkingEngine.InlineValue found = replica.tryGetEncoded(req.getKeyspace(), req.getKey());
                if (found != null && found.chunked()) {
                    // Megabytes to read and check: off the event loop, which small reads share.
                    offload(out, () -> readLarge(req, out));
                    return;
                }
                out.onNext(header(req, found == null ? null : found.value(), true));
            }
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Protos.status(e).asRuntimeException());
        }
    }

    private void readLarge(ReplicaReadRequest req, StreamObserver<ReplicaReadResponse> out) {
        try {
            long cap = req.getMaxInlineBytes();
            if (cap > 0) {
                // A record over the cap is left out of the reply anyway: its two ends tell its
                // digest, version and size without reading the megabytes between them.
                ReplicaReadResponse summary = summary(req);
                if (!summary.getFound() || summary.getRecordSize() > cap) {
                    out.onNext(summary);
                    out.onCompleted();
                    return;
                }
            }
            out.onNext(header(req, replica.getEncoded(req.getKeyspace(), req.getKey()), true));
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Protos.status(e).asRuntimeException());
        }
    }

    /** The reply to a digest read: the record's digest, version and size, read from its ends only. */
    private ReplicaReadResponse summary(ReplicaReadRequest req) {
        LocalReplica.Summary summary = replica.summary(req.getKeyspace(), req.getKey());
        if (summary == null) {
            return ReplicaReadResponse.newBuilder().setFound(false).setRingEpoch(ring.epoch()).build();
        }
        return ReplicaReadResponse.newBuilder().setFound(true).setRingEpoch(ring.epoch())
                .setDigest(summary.digest()).setRecordSize(summary.size())
                .setVersion(UnsafeByteOperations.unsafeWrap(summary.version())).build();
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
        // Only large records are read this way: on the large-value threads.
        offload(out, () -> streamRecord(req, out));
    }

    private void streamRecord(ReplicaReadRequest req, StreamObserver<ReplicaReadChunk> out) {
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

    /** Ping replies name this port as the node's bulk lane (see {@link io.ringkv.coordinator.transport.BulkLane}). */
    void advertiseBulkPort(java.util.function.IntSupplier port) {
        this.bulkPort = port;
    }

    @Override
    public void ping(PingRequest req, StreamObserver<PingResponse> out) {
        out.onNext(PingResponse.newBuilder().setNodeId(selfId).setRingEpoch(ring.epoch())
                .setBulkPort(bulkPort.getAsInt()).build());
        out.onCompleted();
    }
}
