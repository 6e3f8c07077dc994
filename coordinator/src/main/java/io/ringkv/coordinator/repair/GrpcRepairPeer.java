package io.ringkv.coordinator.repair;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.PurgeTombstonesRequest;
import io.ringkv.api.v1.RepairDigestsPage;
import io.ringkv.api.v1.RepairDigestsRequest;
import io.ringkv.api.v1.RepairTreeRequest;
import io.ringkv.api.v1.RepairTreeResponse;
import io.ringkv.api.v1.ReplicaGrpc;
import io.ringkv.coordinator.concurrent.Failures;
import io.ringkv.coordinator.transport.GrpcTransport;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.record.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A peer's replica over gRPC. Trees, digests and purges use the Replica service's repair calls;
 * records go through the transport's reads and writes, which stream records over 1 MiB in chunks,
 * so no message nears gRPC's limits. Every call has the configured deadline; failures become
 * {@link PeerException}s naming the peer. The async calls do not block: many can be in flight.
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

    private ReplicaGrpc.ReplicaStub asyncStub() {
        return ReplicaGrpc.newStub(transport.channel(nodeId)).withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS);
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
        return await(hashesAsync(spec, level, indexes));
    }

    @Override
    public CompletableFuture<long[]> hashesAsync(TreeSpec spec, int level, int[] indexes) {
        RepairTreeRequest.Builder req = RepairTreeRequest.newBuilder().setSpec(RepairWire.spec(spec)).setLevel(level);
        for (int i : indexes) {
            req.addIndexes(i);
        }
        CompletableFuture<RepairTreeResponse> reply = new CompletableFuture<>();
        start(reply, () -> asyncStub().repairTree(req.build(),
                new Collector<RepairTreeResponse, RepairTreeResponse>(reply, null, (acc, m) -> m)));
        return guard(reply).thenApply(r -> {
            if (r.getHashesCount() != indexes.length) {
                throw new PeerException(nodeId, false, "answered " + r.getHashesCount() + " hashes for "
                        + indexes.length + " nodes");
            }
            return r.getHashesList().stream().mapToLong(Long::longValue).toArray();
        });
    }

    @Override
    public List<KeyDigest> digests(TreeSpec spec, int[] leaves) {
        return await(digestsAsync(spec, leaves));
    }

    @Override
    public CompletableFuture<List<KeyDigest>> digestsAsync(TreeSpec spec, int[] leaves) {
        RepairDigestsRequest.Builder req = RepairDigestsRequest.newBuilder().setSpec(RepairWire.spec(spec));
        for (int l : leaves) {
            req.addLeaves(l);
        }
        return pages(req.build());
    }

    @Override
    public List<KeyDigest> tombstones(TreeSpec spec, long writtenBeforeMillis) {
        return await(pages(RepairDigestsRequest.newBuilder().setSpec(RepairWire.spec(spec)).setTombstonesOnly(true)
                .setWrittenBeforeMillis(writtenBeforeMillis).build()));
    }

    private CompletableFuture<List<KeyDigest>> pages(RepairDigestsRequest req) {
        CompletableFuture<List<KeyDigest>> out = new CompletableFuture<>();
        start(out, () -> asyncStub().repairDigests(req, new Collector<RepairDigestsPage, List<KeyDigest>>(out,
                new ArrayList<>(), (acc, page) -> {
                    page.getEntriesList().forEach(d -> acc.add(RepairWire.digest(d)));
                    return acc;
                })));
        return guard(out);
    }

    @Override
    public Record read(String keyspace, byte[] storedKey) {
        return await(readAsync(keyspace, storedKey));
    }

    /** Through the transport, so a record over 1 MiB comes back as a stream of chunks. */
    @Override
    public CompletableFuture<Record> readAsync(String keyspace, byte[] storedKey) {
        CompletableFuture<ReadReply> reply = new CompletableFuture<>();
        start(reply, () -> transport.read(nodeId, new ReplicaRead(keyspace, StorageKeys.userKey(storedKey), false,
                ringEpoch.getAsLong()), timeoutMillis).whenComplete((r, e) -> complete(reply, r, e)));
        return guard(reply).thenApply(r -> r.found() ? r.record() : null);
    }

    @Override
    public void write(String keyspace, byte[] storedKey, Record record) {
        await(writeAsync(keyspace, storedKey, record));
    }

    /** Through the transport, so a record over 1 MiB goes as a stream of chunks. */
    @Override
    public CompletableFuture<Void> writeAsync(String keyspace, byte[] storedKey, Record record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        start(done, () -> transport.write(nodeId, new ReplicaWrite(keyspace, StorageKeys.userKey(storedKey), record,
                ringEpoch.getAsLong()), timeoutMillis).whenComplete((r, e) -> complete(done, r, e)));
        return guard(done);
    }

    @Override
    public int purge(String keyspace, List<KeyDigest> tombstones) {
        PurgeTombstonesRequest.Builder req = PurgeTombstonesRequest.newBuilder().setKeyspace(keyspace);
        tombstones.forEach(t -> req.addTombstones(RepairWire.digest(t)));
        return call(() -> stub().purgeTombstones(req.build()).getPurged());
    }

    /** Runs {@code call}, which starts an RPC completing {@code f}; a failure to start it fails {@code f}. */
    private void start(CompletableFuture<?> f, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
    }

    private static <T> void complete(CompletableFuture<T> f, T value, Throwable error) {
        if (error != null) {
            f.completeExceptionally(error);
        } else {
            f.complete(value);
        }
    }

    /**
     * {@code f} with every failure a {@link PeerException} naming this peer. The call's own deadline
     * ends it; the extra second only guards against a lost completion.
     */
    private <T> CompletableFuture<T> guard(CompletableFuture<T> f) {
        CompletableFuture<T> out = new CompletableFuture<>();
        f.orTimeout(timeoutMillis + 1_000, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e == null) {
                out.complete(v);
            } else {
                out.completeExceptionally(peerException(e));
            }
        });
        return out;
    }

    private PeerException peerException(Throwable e) {
        Throwable t = Failures.cause(e);
        if (t instanceof PeerException p) {
            return p;
        }
        if (t instanceof StatusRuntimeException sre) {
            Status s = sre.getStatus();
            return new PeerException(nodeId, s.getCode() == Status.Code.DEADLINE_EXCEEDED,
                    s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription()));
        }
        if (t instanceof TimeoutException) {
            return new PeerException(nodeId, true, "no answer within " + timeoutMillis + " ms");
        }
        return new PeerException(nodeId, false, String.valueOf(t));
    }

    private <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw peerException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException(nodeId, false, "interrupted");
        }
    }

    /** Completes a future with what an RPC's messages fold into, or with its failure. */
    private static final class Collector<M, A> implements StreamObserver<M> {
        private final CompletableFuture<A> result;
        private final BiFunction<A, M, A> fold;
        private A acc;

        Collector(CompletableFuture<A> result, A initial, BiFunction<A, M, A> fold) {
            this.result = result;
            this.acc = initial;
            this.fold = fold;
        }

        @Override
        public void onNext(M message) {
            acc = fold.apply(acc, message);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            result.complete(acc);
        }
    }
}
