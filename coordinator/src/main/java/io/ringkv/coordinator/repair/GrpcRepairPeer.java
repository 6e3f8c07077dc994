package io.ringkv.coordinator.repair;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringkv.api.v1.PurgeTombstonesRequest;
import io.ringkv.api.v1.RepairDigestsPage;
import io.ringkv.api.v1.RepairDigestsRequest;
import io.ringkv.api.v1.RepairTreeRequest;
import io.ringkv.api.v1.ReplicaGrpc;
import io.ringkv.coordinator.transport.GrpcTransport;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.record.Record;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A peer's replica over gRPC. Trees, digests and purges use the Replica service's repair calls;
 * records go through the transport's reads and writes, which stream records over 1 MiB in chunks,
 * so no message nears gRPC's limits. Every call has the configured deadline; failures become
 * {@link PeerException}s naming the peer.
 */
public final class GrpcRepairPeer implements RepairPeer {
    private final String nodeId;
    private final GrpcTransport transport;
    private final LongSupplier ringEpoch;
    private final long timeoutMillis;

    public GrpcRepairPeer(String nodeId, GrpcTransport transport, LongSupplier ringEpoch, long timeoutMillis) {
        this.nodeId = nodeId;
        this.transport = transport;
        this.ringEpoch = ringEpoch;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    private ReplicaGrpc.ReplicaBlockingStub stub() {
        return ReplicaGrpc.newBlockingStub(transport.channel(nodeId)).withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private <T> T call(Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            throw new PeerException(nodeId, s.getCode() == Status.Code.DEADLINE_EXCEEDED,
                    s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription()));
        }
    }

    @Override
    public long[] hashes(TreeSpec spec, int level, int[] indexes) {
        RepairTreeRequest.Builder req = RepairTreeRequest.newBuilder().setSpec(RepairWire.spec(spec)).setLevel(level);
        for (int i : indexes) {
            req.addIndexes(i);
        }
        List<Long> hashes = call(() -> stub().repairTree(req.build()).getHashesList());
        if (hashes.size() != indexes.length) {
            throw new PeerException(nodeId, false, "answered " + hashes.size() + " hashes for " + indexes.length + " nodes");
        }
        return hashes.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public List<KeyDigest> digests(TreeSpec spec, int[] leaves) {
        RepairDigestsRequest.Builder req = RepairDigestsRequest.newBuilder().setSpec(RepairWire.spec(spec));
        for (int l : leaves) {
            req.addLeaves(l);
        }
        return pages(req.build());
    }

    @Override
    public List<KeyDigest> tombstones(TreeSpec spec, long writtenBeforeMillis) {
        return pages(RepairDigestsRequest.newBuilder().setSpec(RepairWire.spec(spec)).setTombstonesOnly(true)
                .setWrittenBeforeMillis(writtenBeforeMillis).build());
    }

    private List<KeyDigest> pages(RepairDigestsRequest req) {
        return call(() -> {
            List<KeyDigest> out = new ArrayList<>();
            Iterator<RepairDigestsPage> it = stub().repairDigests(req);
            while (it.hasNext()) {
                it.next().getEntriesList().forEach(d -> out.add(RepairWire.digest(d)));
            }
            return out;
        });
    }

    @Override
    public Record read(String keyspace, byte[] storedKey) {
        ReadReply reply = await(transport.read(nodeId,
                new ReplicaRead(keyspace, StorageKeys.userKey(storedKey), false, ringEpoch.getAsLong()), timeoutMillis));
        return reply.found() ? reply.record() : null;
    }

    @Override
    public void write(String keyspace, byte[] storedKey, Record record) {
        await(transport.write(nodeId, new ReplicaWrite(keyspace, StorageKeys.userKey(storedKey), record,
                ringEpoch.getAsLong()), timeoutMillis));
    }

    @Override
    public int purge(String keyspace, List<KeyDigest> tombstones) {
        PurgeTombstonesRequest.Builder req = PurgeTombstonesRequest.newBuilder().setKeyspace(keyspace);
        tombstones.forEach(t -> req.addTombstones(RepairWire.digest(t)));
        return call(() -> stub().purgeTombstones(req.build()).getPurged());
    }

    private <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            // The transport's own deadline ends the call; the extra second only guards against a lost completion.
            return f.get(timeoutMillis + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PeerException p) {
                throw p;
            }
            throw new PeerException(nodeId, false, String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw new PeerException(nodeId, true, "no answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException(nodeId, false, "interrupted");
        }
    }
}
