package io.ringkv.coordinator.handoff;

import io.ringkv.coordinator.time.Clock;
import io.ringkv.coordinator.transport.ReadReply;
import io.ringkv.coordinator.transport.ReplicaRead;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.transport.Transport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * A transport decorator for replay tests: passes every call to the real transport underneath (the
 * sim network, or gRPC) and records, per write, what was sent when and how many writes were
 * unacknowledged at that moment. Thread-safe.
 */
final class RecordingTransport implements Transport {
    /** One write as sent: its key, the writes in flight counting it, the replay window then, and the clock. */
    record Sent(String key, int inFlight, int window, long atNanos, long bytes) { }

    private final Transport inner;
    private final Clock clock;
    private final List<Sent> sent = new ArrayList<>();
    private final Map<String, Integer> sendsByKey = new HashMap<>();
    private volatile IntSupplier window = () -> -1;
    private volatile java.util.function.Consumer<ReplicaWrite> onReply = w -> { };
    private int inFlight;
    private int maxInFlight;

    RecordingTransport(Transport inner, Clock clock) {
        this.inner = inner;
        this.clock = clock;
    }

    /** Where the window recorded with each send comes from (the replayer's, once it exists). */
    void windowFrom(IntSupplier window) {
        this.window = window;
    }

    /** Runs when a reply (success or failure) reaches this node, before the replayer sees it. */
    void onReply(java.util.function.Consumer<ReplicaWrite> check) {
        this.onReply = check;
    }

    @Override
    public CompletableFuture<Void> write(String nodeId, ReplicaWrite write, long timeoutMillis) {
        synchronized (this) {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            sent.add(new Sent(write.key(), inFlight, window.getAsInt(), clock.monotonicNanos(), write.encoded().length));
            sendsByKey.merge(write.key(), 1, Integer::sum);
        }
        return inner.write(nodeId, write, timeoutMillis).whenComplete((ok, error) -> {
            synchronized (this) {
                inFlight--;
            }
            onReply.accept(write);
        });
    }

    @Override
    public CompletableFuture<ReadReply> read(String nodeId, ReplicaRead read, long timeoutMillis) {
        return inner.read(nodeId, read, timeoutMillis);
    }

    @Override
    public CompletableFuture<Void> ping(String nodeId, long timeoutMillis) {
        return inner.ping(nodeId, timeoutMillis);
    }

    synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    synchronized List<String> sentKeys() {
        return sent.stream().map(Sent::key).toList();
    }

    synchronized int sends(String key) {
        return sendsByKey.getOrDefault(key, 0);
    }

    synchronized int maxInFlight() {
        return maxInFlight;
    }

    synchronized int inFlight() {
        return inFlight;
    }

    /** Forgets what was recorded so far (writes in flight stay counted). */
    synchronized void reset() {
        sent.clear();
        sendsByKey.clear();
        maxInFlight = inFlight;
    }
}
