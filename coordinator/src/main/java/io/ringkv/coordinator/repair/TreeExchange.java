package io.ringkv.coordinator.repair;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Makes two replicas of one vnode hold the same records: compares their trees top-down, level by
 * level, descending only into differing nodes; then compares the key digests of the differing
 * leaves and, for each key that differs, writes the merge of both records (by the keyspace's
 * rules: the newer LWW version, or the causal sync of both sets) to each side that lacks it, up to
 * {@code keysInFlight} keys at a time ({@link KeySync}). Both sides are asked for their hashes and
 * digests at once. Afterwards both sides hold the same records, but for writes that raced the
 * exchange.
 *
 * <p>Pure logic over two {@link RepairPeer}s; failures of a peer propagate as its exception.
 */
public final class TreeExchange {
    /** Leaves whose digests one call asks for, so one answer stays small. */
    public static final int LEAVES_PER_CALL = 64;
    /** Tree nodes whose hashes one call asks for (128 KiB of hashes). */
    public static final int HASHES_PER_CALL = 16_384;

    /** Called with the encoded size of each record before it is written; the session's rate limit. */
    @FunctionalInterface
    public interface Throttle {
        void acquire(long bytes);

        Throttle NONE = bytes -> {
        };
    }

    /** Keys reconciled at once when none is given: the default of {@code repair_keys_in_flight}. */
    public static final int DEFAULT_KEYS_IN_FLIGHT = 64;

    private final Throttle throttle;
    private final int keysInFlight;

    public TreeExchange(Throttle throttle) {
        this(throttle, DEFAULT_KEYS_IN_FLIGHT);
    }

    /** @param keysInFlight differing keys reconciled at once ({@code repair_keys_in_flight}); 1: one at a time */
    public TreeExchange(Throttle throttle, int keysInFlight) {
        if (keysInFlight < 1) {
            throw new IllegalArgumentException("keysInFlight must be positive, was " + keysInFlight);
        }
        this.throttle = throttle;
        this.keysInFlight = keysInFlight;
    }

    /** The leaves where the two replicas' trees differ, found top-down. */
    public static int[] differingLeaves(TreeSpec spec, RepairPeer a, RepairPeer b) {
        int[] diff = {0};
        for (int level = 0; level <= spec.depth() && diff.length > 0; level++) {
            int[] candidates = level == 0 ? diff : MerkleTree.children(diff);
            // Both sides at once: each call waits for its own replica's scan (level 0) or lookup.
            CompletableFuture<long[]> fa = hashes(a, spec, level, candidates);
            CompletableFuture<long[]> fb = hashes(b, spec, level, candidates);
            PeerCalls.awaitBoth(fa, fb);
            long[] ha = fa.join();
            long[] hb = fb.join();
            int n = 0;
            int[] next = new int[candidates.length];
            for (int i = 0; i < candidates.length; i++) {
                if (ha[i] != hb[i]) {
                    next[n++] = candidates[i];
                }
            }
            diff = Arrays.copyOf(next, n);
        }
        return diff;
    }

    /** The hashes in calls of at most {@link #HASHES_PER_CALL}, one after the other. */
    private static CompletableFuture<long[]> hashes(RepairPeer peer, TreeSpec spec, int level, int[] indexes) {
        long[] out = new long[indexes.length];
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (int from = 0; from < Math.max(1, indexes.length); from += HASHES_PER_CALL) {
            int f = from;
            int to = Math.min(indexes.length, from + HASHES_PER_CALL);
            int[] part = Arrays.copyOfRange(indexes, f, to);
            done = done.thenCompose(v -> PeerCalls.call(() -> peer.hashesAsync(spec, level, part)))
                    .thenAccept(h -> System.arraycopy(h, 0, out, f, to - f));
        }
        return done.thenApply(v -> out);
    }

    /** Exchanges until {@code a} and {@code b} agree on the vnode; returns what it did. */
    public ExchangeResult exchange(TreeSpec spec, RepairPeer a, RepairPeer b) {
        int[] leaves = differingLeaves(spec, a, b);
        long compared = 0;
        long streamed = 0;
        long bytes = 0;
        for (int from = 0; from < leaves.length; from += LEAVES_PER_CALL) {
            int[] batch = Arrays.copyOfRange(leaves, from, Math.min(leaves.length, from + LEAVES_PER_CALL));
            CompletableFuture<List<KeyDigest>> fa = PeerCalls.call(() -> a.digestsAsync(spec, batch));
            CompletableFuture<List<KeyDigest>> fb = PeerCalls.call(() -> b.digestsAsync(spec, batch));
            PeerCalls.awaitBoth(fa, fb);
            List<KeyDigest> da = fa.join();
            List<KeyDigest> db = fb.join();
            List<byte[]> differing = new ArrayList<>();
            int i = 0;
            int j = 0;
            while (i < da.size() || j < db.size()) {
                KeyDigest x = i < da.size() ? da.get(i) : null;
                KeyDigest y = j < db.size() ? db.get(j) : null;
                int order = x == null ? 1 : y == null ? -1 : Arrays.compareUnsigned(x.storedKey(), y.storedKey());
                compared++;
                if (order == 0) {
                    i++;
                    j++;
                    if (!x.sameRecord(y)) {
                        differing.add(x.storedKey());
                    }
                } else if (order < 0) {
                    i++;
                    differing.add(x.storedKey());
                } else {
                    j++;
                    differing.add(y.storedKey());
                }
            }
            long[] sent = new KeySync(spec.keyspace(), a, b, throttle, keysInFlight).run(differing);
            streamed += sent[0];
            bytes += sent[1];
        }
        return new ExchangeResult(leaves.length, compared, streamed, bytes);
    }
}
