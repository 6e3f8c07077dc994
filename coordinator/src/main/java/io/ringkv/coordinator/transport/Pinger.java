package io.ringkv.coordinator.transport;

import java.util.Collection;
import java.util.function.Supplier;

/**
 * Pings every peer each interval and tells the failure detector, so a peer that went down is
 * known before a request pays a timeout for it, and one that came back is used again without
 * waiting for client traffic. One virtual thread; each ping is bounded by {@code timeoutMillis}.
 */
public final class Pinger implements AutoCloseable {
    private final Transport transport;
    private final FailureDetector detector;
    private final Supplier<Collection<String>> peers;
    private final long intervalMillis;
    private final long timeoutMillis;
    private volatile Thread thread;

    public Pinger(Transport transport, FailureDetector detector, Supplier<Collection<String>> peers,
                  long intervalMillis, long timeoutMillis) {
        this.transport = transport;
        this.detector = detector;
        this.peers = peers;
        this.intervalMillis = intervalMillis;
        this.timeoutMillis = timeoutMillis;
    }

    public void start() {
        thread = Thread.ofVirtual().name("pinger").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (String peer : peers.get()) {
                    long sent = detector.clockMillis();
                    transport.ping(peer, timeoutMillis).whenComplete((ok, error) -> {
                        if (error == null) {
                            detector.onSuccess(peer);
                        } else {
                            detector.onFailure(peer, "ping: " + error, sent);
                        }
                    });
                }
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    @Override
    public void close() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
