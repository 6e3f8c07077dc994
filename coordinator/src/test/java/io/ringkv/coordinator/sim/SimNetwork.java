package io.ringkv.coordinator.sim;

import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.transport.Transport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A seeded network between simulated nodes: every message takes a random delay in
 * [{@code minDelayMicros}, {@code maxDelayMicros}], may be dropped with {@code dropRate}, never
 * crosses a partition, and never reaches a crashed node (which answers "unreachable" the way a
 * refused connection does). Lost requests and replies surface as timeouts.
 */
public final class SimNetwork {
    private final SimTime time;
    private final Random random;
    private final Map<String, LocalReplica> replicas = new HashMap<>();
    private final Set<String> crashed = new HashSet<>();
    private final Set<String> cut = new HashSet<>();
    private final Set<String> refusingWrites = new HashSet<>();
    private final Set<String> refusingFullReads = new HashSet<>();
    private final Map<String, Long> extraDelayMicros = new HashMap<>();
    private long minDelayMicros = 100;
    private long maxDelayMicros = 600;
    private double dropRate;
    private long messages;
    private long dropped;

    public SimNetwork(SimTime time, long seed) {
        this.time = time;
        this.random = new Random(seed);
    }

    void attach(String node, LocalReplica replica) {
        replicas.put(node, replica);
    }

    public void setDelays(long minMicros, long maxMicros) {
        this.minDelayMicros = minMicros;
        this.maxDelayMicros = maxMicros;
    }

    public void setDropRate(double rate) {
        this.dropRate = rate;
    }

    /** Every message to or from {@code node} takes this much longer. */
    public void slowDown(String node, long micros) {
        extraDelayMicros.put(node, micros);
    }

    public void crash(String node) {
        crashed.add(node);
    }

    public void restart(String node) {
        crashed.remove(node);
    }

    public boolean isCrashed(String node) {
        return crashed.contains(node);
    }

    /** While set, {@code node} answers every replica write with an error (it is reachable, but its writes fail). */
    public void refuseWrites(String node, boolean refuse) {
        if (refuse) {
            refusingWrites.add(node);
        } else {
            refusingWrites.remove(node);
        }
    }

    /**
     * While set, {@code node} answers digest reads but fails every full read (a replica whose large
     * record cannot be fetched in time, say).
     */
    public void refuseFullReads(String node, boolean refuse) {
        if (refuse) {
            refusingFullReads.add(node);
        } else {
            refusingFullReads.remove(node);
        }
    }

    /** Whether a call from {@code from} can reach {@code to} now: not crashed, no partition between them. */
    public boolean reachable(String from, String to) {
        return from.equals(to) || (!crashed.contains(to) && !cut.contains(link(from, to)));
    }

    /** Cuts every link between {@code a} and {@code b}, both ways. */
    public void partition(String a, String b) {
        cut.add(link(a, b));
    }

    public void heal() {
        cut.clear();
    }

    public long messages() {
        return messages;
    }

    public long dropped() {
        return dropped;
    }

    private static String link(String a, String b) {
        return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
    }

    private long delayNanos(String from, String to) {
        long micros = minDelayMicros + (maxDelayMicros > minDelayMicros
                ? (long) (random.nextDouble() * (maxDelayMicros - minDelayMicros)) : 0);
        micros += extraDelayMicros.getOrDefault(from, 0L) + extraDelayMicros.getOrDefault(to, 0L);
        return micros * 1_000L;
    }

    private boolean delivered(String from, String to) {
        messages++;
        if (cut.contains(link(from, to))) {
            return false;
        }
        if (dropRate > 0 && random.nextDouble() < dropRate) {
            dropped++;
            return false;
        }
        return true;
    }

    /** The transport of node {@code self}. */
    public Transport transportFor(String self) {
        return new Transport() {
            @Override
            public CompletableFuture<Void> write(String nodeId, ReplicaWrite write, long timeoutMillis) {
                return call(self, nodeId, timeoutMillis, r -> {
                    if (refusingWrites.contains(nodeId)) {
                        throw new IllegalStateException(nodeId + " refuses writes (simulated disk failure)");
                    }
                    r.apply(write);
                    return null;
                });
            }

            @Override
            public CompletableFuture<ReadReply> read(String nodeId, ReplicaRead read, long timeoutMillis) {
                return call(self, nodeId, timeoutMillis, r -> {
                    if (!read.digestOnly() && refusingFullReads.contains(nodeId)) {
                        throw new IllegalStateException(nodeId + " fails full reads (simulated)");
                    }
                    return r.read(read);
                });
            }

            @Override
            public CompletableFuture<Void> ping(String nodeId, long timeoutMillis) {
                return call(self, nodeId, timeoutMillis, r -> null);
            }
        };
    }

    private <T> CompletableFuture<T> call(String from, String to, long timeoutMillis, Function<LocalReplica, T> handler) {
        CompletableFuture<T> reply = new CompletableFuture<>();
        if (from.equals(to)) {
            // A node's call to itself never crosses the network (the gRPC transport short-circuits it too).
            try {
                reply.complete(handler.apply(replicas.get(to)));
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
            return reply;
        }
        time.schedule(timeoutMillis, () -> reply.completeExceptionally(new PeerException(to, true, "timed out")));
        if (!delivered(from, to)) {
            return reply;
        }
        time.scheduleNanos(delayNanos(from, to), () -> {
            if (crashed.contains(to)) {
                time.scheduleNanos(delayNanos(to, from),
                        () -> reply.completeExceptionally(new PeerException(to, false, "connection refused")));
                return;
            }
            T result;
            try {
                result = handler.apply(replicas.get(to));
            } catch (RuntimeException e) {
                time.scheduleNanos(delayNanos(to, from), () -> reply.completeExceptionally(e));
                return;
            }
            if (delivered(to, from)) {
                time.scheduleNanos(delayNanos(to, from), () -> reply.complete(result));
            }
        });
        return reply;
    }
}
