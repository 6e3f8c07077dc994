package io.ringkv.client;

import io.grpc.ClientInterceptor;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Plaintext gRPC channels per node address, created on first use and shut down by {@link #close}:
 * one for requests of small values and, apart, one for large values. A channel multiplexes its
 * requests over one HTTP/2 connection and reconnects by itself; the second keeps the megabytes of
 * large values out of the small requests' connection, where each small reply would wait behind
 * them in the socket and in the event loop that decodes them.
 */
final class ChannelPool implements AutoCloseable {
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ManagedChannel> bulkChannels = new ConcurrentHashMap<>();
    private final int maxInboundMessageBytes;
    private final long closeTimeoutMillis;
    private final List<ClientInterceptor> interceptors;
    private final int bulkNice;
    private boolean closed; // guarded by this
    // The bulk channels' own event loop and executor: megabytes are framed, copied and parsed there,
    // not on the threads that carry small requests. Created with the first bulk channel.
    private EventLoopGroup bulkLoop; // guarded by this
    private ExecutorService bulkExecutor; // guarded by this

    ChannelPool(int maxInboundMessageBytes, long closeTimeoutMillis) {
        this(maxInboundMessageBytes, closeTimeoutMillis, List.of(), 0);
    }

    /**
     * @param interceptors on every channel (the tracing one, when the client has an OpenTelemetry)
     * @param bulkNice     the nice value of the bulk channels' threads (0: normal priority)
     */
    ChannelPool(int maxInboundMessageBytes, long closeTimeoutMillis, List<ClientInterceptor> interceptors, int bulkNice) {
        this.maxInboundMessageBytes = maxInboundMessageBytes;
        this.closeTimeoutMillis = closeTimeoutMillis;
        this.interceptors = List.copyOf(interceptors);
        this.bulkNice = bulkNice;
    }

    /** The channel to {@code address}. @throws IllegalStateException once the pool is closed */
    ManagedChannel channel(String address) {
        return channel(channels, address);
    }

    /** The channel to {@code address} for requests that carry large values. @throws IllegalStateException once closed */
    ManagedChannel bulkChannel(String address) {
        return bulkChannel(address, address);
    }

    /**
     * The channel for requests that carry large values to the node at {@code address}, connected to
     * {@code target}: the node's bulk port, or {@code address} itself when it has none. A node that
     * restarts on another bulk port gets a new channel, and the old one is shut down.
     *
     * @throws IllegalStateException once closed
     */
    ManagedChannel bulkChannel(String address, String target) {
        ManagedChannel channel = bulkChannels.get(address);
        if (channel != null && channel.authority().equals(target)) {
            return channel;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            ManagedChannel current = bulkChannels.get(address);
            if (current != null && current.authority().equals(target)) {
                return current;
            }
            if (bulkLoop == null) {
                ThreadFactory threads = task -> {
                    Thread t = new Thread(task, "ringkv-client-bulk");
                    t.setDaemon(true);
                    return t;
                };
                if (bulkNice > 0) {
                    threads = io.ringkv.priority.ThreadNice.factory(threads, bulkNice);
                }
                bulkLoop = new NioEventLoopGroup(1, threads);
                bulkExecutor = Executors.newFixedThreadPool(1, threads);
            }
            ManagedChannel created = NettyChannelBuilder.forTarget(target)
                    .usePlaintext()
                    .maxInboundMessageSize(maxInboundMessageBytes)
                    .intercept(interceptors)
                    .eventLoopGroup(bulkLoop)
                    .channelType(NioSocketChannel.class)
                    .executor(bulkExecutor)
                    .build();
            bulkChannels.put(address, created);
            if (current != null) {
                current.shutdown();
            }
            return created;
        }
    }

    /**
     * Whether the large values' channel to {@code address}, connected to {@code target}, is failing
     * to connect (its node may have moved its bulk port). A channel to another target does not
     * count: the next {@link #bulkChannel(String, String)} replaces it.
     */
    boolean bulkChannelFailing(String address, String target) {
        ManagedChannel bulk = bulkChannels.get(address);
        return bulk != null && bulk.authority().equals(target)
                && bulk.getState(false) == ConnectivityState.TRANSIENT_FAILURE;
    }

    private ManagedChannel channel(ConcurrentHashMap<String, ManagedChannel> pool, String address) {
        ManagedChannel channel = pool.get(address);
        if (channel != null) {
            return channel;
        }
        synchronized (this) {
            // Creation and close share the lock, so no channel can be created after close missed it.
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            return pool.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a)
                    .usePlaintext()
                    .maxInboundMessageSize(maxInboundMessageBytes)
                    .intercept(interceptors)
                    .build());
        }
    }

    /**
     * When the large values' channel to {@code address} is still waiting out its reconnect backoff
     * while the small values' one is connected, makes it reconnect now and returns true. The two
     * connections to a node fail together but come back apart: one idle through the node's outage
     * keeps failing every call at once with the outage's error for up to its backoff (seconds, and
     * growing with each failed attempt) while the node answers on the other.
     */
    boolean reconnectBulkIfNodeIsUp(String address) {
        ManagedChannel bulk = bulkChannels.get(address);
        ManagedChannel small = channels.get(address);
        if (bulk == null || small == null || bulk.getState(false) != ConnectivityState.TRANSIENT_FAILURE
                || small.getState(false) != ConnectivityState.READY) {
            return false;
        }
        bulk.resetConnectBackoff();
        return true;
    }

    /** The channels created so far, small values' then large values' (for tests and diagnostics). */
    List<ManagedChannel> channels() {
        List<ManagedChannel> all = new java.util.ArrayList<>(channels.values());
        all.addAll(bulkChannels.values());
        return List.copyOf(all);
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
            toClose = channels();
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
        synchronized (this) {
            if (bulkLoop != null) {
                bulkLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                bulkExecutor.shutdown();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
