package io.ringkv.client;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One plaintext gRPC channel per node address, created on first use and shut down by
 * {@link #close}. A channel multiplexes every request to its node over one HTTP/2 connection and
 * reconnects by itself, so there is no reason to hold more than one per node.
 */
final class ChannelPool implements AutoCloseable {
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final int maxInboundMessageBytes;
    private final long closeTimeoutMillis;
    private final List<ClientInterceptor> interceptors;
    private boolean closed; // guarded by this

    ChannelPool(int maxInboundMessageBytes, long closeTimeoutMillis) {
        this(maxInboundMessageBytes, closeTimeoutMillis, List.of());
    }

    /** @param interceptors on every channel (the tracing one, when the client has an OpenTelemetry) */
    ChannelPool(int maxInboundMessageBytes, long closeTimeoutMillis, List<ClientInterceptor> interceptors) {
        this.maxInboundMessageBytes = maxInboundMessageBytes;
        this.closeTimeoutMillis = closeTimeoutMillis;
        this.interceptors = List.copyOf(interceptors);
    }

    /** The channel to {@code address}. @throws IllegalStateException once the pool is closed */
    ManagedChannel channel(String address) {
        ManagedChannel channel = channels.get(address);
        if (channel != null) {
            return channel;
        }
        synchronized (this) {
            // Creation and close share the lock, so no channel can be created after close missed it.
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a)
                    .usePlaintext()
                    .maxInboundMessageSize(maxInboundMessageBytes)
                    .intercept(interceptors)
                    .build());
        }
    }

    /** The channels created so far (for tests and diagnostics). */
    List<ManagedChannel> channels() {
        return List.copyOf(channels.values());
    }

    /**
     * Shuts every channel down, lets in-flight calls finish for up to the close timeout, then
     * cancels whatever is left.
     */
    @Override
    public void close() {
        List<ManagedChannel> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = List.copyOf(channels.values());
        }
        for (ManagedChannel channel : toClose) {
            channel.shutdown();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(closeTimeoutMillis);
        boolean interrupted = false;
        for (ManagedChannel channel : toClose) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !channel.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                interrupted = true;
                channel.shutdownNow();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
