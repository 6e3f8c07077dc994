package io.ringkv.coordinator.repair;

import io.ringkv.coordinator.version.Records;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Brings keys of two replicas to the merge of both sides' records, with at most {@code keysInFlight}
 * keys in flight: a key is in flight from its two reads to the end of its writes. For each key it
 * reads both sides now (not trusting the digests that named the key: a write may have landed since),
 * merges, charges the throttle with the merged record's encoded size once per side it writes, and
 * writes that side. The keys are independent, so the outcome is the same in any order and with any
 * window; a window of 1 is the one-key-at-a-time exchange.
 *
 * <p>Runs on the caller's thread: completions of the peers' futures are queued and handled there,
 * so merging and throttling (which may sleep) never run on a transport thread. On the first failure
 * no new key starts and no further write is sent; the keys in flight are waited for, then the
 * failure is thrown (the first replica's failure before the second's). Memory held is up to about
 * three records per key in flight. One instance serves one {@link #run} call.
 */
final class KeySync {
    private final String keyspace;
    private final RepairPeer a;
    private final RepairPeer b;
    private final TreeExchange.Throttle throttle;
    private final int keysInFlight;
    /** Completions of the peers' futures, handled by the thread in {@link #run}. */
    private final BlockingQueue<Runnable> completions = new LinkedBlockingQueue<>();
    private int inFlight;
    private long written;
    private long bytes;
    private RuntimeException failure;

    KeySync(String keyspace, RepairPeer a, RepairPeer b, TreeExchange.Throttle throttle, int keysInFlight) {
        if (keysInFlight < 1) {
            throw new IllegalArgumentException("keysInFlight must be positive, was " + keysInFlight);
        }
        this.keyspace = keyspace;
        this.a = a;
        this.b = b;
        this.throttle = throttle;
        this.keysInFlight = keysInFlight;
    }

    /** Syncs every key; returns {records written, bytes written}. */
    long[] run(List<byte[]> keys) {
        int next = 0;
        while (inFlight > 0 || (failure == null && next < keys.size())) {
            if (failure == null && next < keys.size() && inFlight < keysInFlight) {
                start(keys.get(next++));
            } else {
                take().run();
            }
        }
        if (failure != null) {
            throw failure;
        }
        return new long[] {written, bytes};
    }

    private Runnable take() {
        try {
            return completions.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("repair of " + keyspace + " between " + a.nodeId() + " and " + b.nodeId()
                    + " interrupted");
        }
    }

    private void start(byte[] key) {
        inFlight++;
        CompletableFuture<Record> ra = PeerCalls.call(() -> a.readAsync(keyspace, key));
        CompletableFuture<Record> rb = PeerCalls.call(() -> b.readAsync(keyspace, key));
        CompletableFuture.allOf(ra, rb).whenComplete((v, e) -> completions.add(() -> read(key, ra, rb)));
    }

    private void read(byte[] key, CompletableFuture<Record> fa, CompletableFuture<Record> fb) {
        RuntimeException error = PeerCalls.firstFailure(fa, fb);
        if (error != null || failure != null) {
            fail(error);
            inFlight--;
            return;
        }
        Record ra = fa.join();
        Record rb = fb.join();
        Record merged = ra == null ? rb : rb == null ? ra : Records.merge(ra, rb);
        boolean writeA = merged != null && lacks(ra, merged);
        boolean writeB = merged != null && lacks(rb, merged);
        if (!writeA && !writeB) {
            inFlight--;
            return;
        }
        long size = RecordCodec.encode(merged).length;
        CompletableFuture<Void> wa = CompletableFuture.completedFuture(null);
        CompletableFuture<Void> wb = CompletableFuture.completedFuture(null);
        if (writeA) {
            throttle.acquire(size);
            wa = PeerCalls.call(() -> a.writeAsync(keyspace, key, merged));
        }
        if (writeB) {
            throttle.acquire(size);
            wb = PeerCalls.call(() -> b.writeAsync(keyspace, key, merged));
        }
        int sides = (writeA ? 1 : 0) + (writeB ? 1 : 0);
        CompletableFuture<Void> fwa = wa;
        CompletableFuture<Void> fwb = wb;
        CompletableFuture.allOf(wa, wb).whenComplete((v, e) -> completions.add(() -> {
            RuntimeException werror = PeerCalls.firstFailure(fwa, fwb);
            if (werror != null) {
                fail(werror);
            } else {
                written += sides;
                bytes += sides * size;
            }
            inFlight--;
        }));
    }

    private static boolean lacks(Record held, Record merged) {
        return !Records.sameVersion(held, merged) || held.tombstone() != merged.tombstone();
    }

    private void fail(RuntimeException e) {
        if (failure == null && e != null) {
            failure = e;
        }
    }
}
