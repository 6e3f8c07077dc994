package io.ringkv.client;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The client's {@link KvChannel}s, one per node address, over the node's connection from the
 * {@link ChannelPool}, and the one thread that times their calls out: a sweep every timeout tick
 * costs less than a timer task per call.
 */
final class KvChannels implements AutoCloseable {
    private final ChannelPool connections;
    private final KvChannelSettings settings;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, KvChannel> channels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private volatile boolean closed;

    KvChannels(ChannelPool connections, KvChannelSettings settings, LongSupplier nanoClock) {
        this.connections = connections;
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ringkv-client-kv-channel-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        long tick = settings.timeoutTick().toNanos();
        sweeper.scheduleAtFixedRate(this::expire, tick, tick, TimeUnit.NANOSECONDS);
    }

    /** The channel to {@code address}, or null once closed. */
    KvChannel channel(String address) {
        KvChannel channel = channels.get(address);
        if (channel != null || closed) {
            return channel;
        }
        return channels.computeIfAbsent(address,
                a -> new KvChannel(a, connections.channel(a), settings, nanoClock));
    }

    private void expire() {
        long now = nanoClock.getAsLong();
        for (KvChannel channel : channels.values()) {
            channel.expire(now);
        }
    }

    /** Ends every stream (calls in flight fail) and stops the sweeper. */
    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
        for (KvChannel channel : channels.values()) {
            channel.close();
        }
    }
}
