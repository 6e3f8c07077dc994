package io.ringkv.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The client's settings, validated once when the client is built so nothing downstream re-checks
 * them. Built by {@link RingkvClient.Builder}; limits are named with their units.
 */
record ClientConfig(
        List<String> seeds,
        String defaultKeyspace,
        Duration requestTimeout,
        int maxAttempts,
        int streamThresholdBytes,
        int streamChunkBytes,
        int maxInboundMessageBytes,
        Duration ringRefreshInterval,
        Duration unreachableNodeBackoff,
        Duration readAttemptTimeout,
        KvChannelSettings kvChannel,
        int bulkNice) {

    static final int KIB = 1024;
    static final int MIB = 1024 * KIB;

    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    static final int DEFAULT_MAX_ATTEMPTS = 3;
    static final int DEFAULT_STREAM_THRESHOLD_BYTES = MIB;
    static final int DEFAULT_STREAM_CHUNK_BYTES = 256 * KIB;
    /** The server's 16 MiB value limit plus 1 MiB for the rest of a unary response. */
    static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 17 * MIB;
    static final Duration DEFAULT_RING_REFRESH_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEFAULT_UNREACHABLE_NODE_BACKOFF = Duration.ofSeconds(2);
    /**
     * A healthy node answers a read in a few ms; one that has not answered in this long is most
     * likely stalled (a GC pause, SIGSTOP, a dead link), and the next replica is asked instead.
     */
    static final Duration DEFAULT_READ_ATTEMPT_TIMEOUT = Duration.ofMillis(500);

    static final int MAX_SEEDS = 1024;
    static final int MAX_ATTEMPTS_LIMIT = 10;
    static final Duration MAX_REQUEST_TIMEOUT = Duration.ofHours(1);
    /** gRPC servers refuse messages above 4 MiB unless told otherwise; a chunk must always pass. */
    static final int MAX_STREAM_CHUNK_BYTES = 4 * MIB;
    static final Duration MIN_RING_REFRESH_INTERVAL = Duration.ofMillis(100);
    static final int MAX_BULK_NICE = 19;

    ClientConfig {
        Objects.requireNonNull(seeds, "seeds");
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty() || seeds.size() > MAX_SEEDS) {
            throw new IllegalArgumentException("between 1 and " + MAX_SEEDS + " seeds are needed, got "
                    + seeds.size());
        }
        for (String seed : seeds) {
            checkAddress(seed);
        }
        Objects.requireNonNull(defaultKeyspace, "defaultKeyspace");
        checkPositive("requestTimeout", requestTimeout);
        if (requestTimeout.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
            throw new IllegalArgumentException("requestTimeout must be at most " + MAX_REQUEST_TIMEOUT
                    + ", was " + requestTimeout);
        }
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts must be in [1, " + MAX_ATTEMPTS_LIMIT + "], was "
                    + maxAttempts);
        }
        if (streamChunkBytes < 1 || streamChunkBytes > MAX_STREAM_CHUNK_BYTES) {
            throw new IllegalArgumentException("streamChunkBytes must be in [1, " + MAX_STREAM_CHUNK_BYTES
                    + "], was " + streamChunkBytes);
        }
        if (streamThresholdBytes < 1) {
            throw new IllegalArgumentException("streamThresholdBytes must be positive, was " + streamThresholdBytes);
        }
        if (maxInboundMessageBytes <= streamThresholdBytes) {
            // Gets ask for values up to the threshold inline; the response must fit in one message.
            throw new IllegalArgumentException("maxInboundMessageBytes (" + maxInboundMessageBytes
                    + ") must exceed streamThresholdBytes (" + streamThresholdBytes + ")");
        }
        Objects.requireNonNull(ringRefreshInterval, "ringRefreshInterval");
        if (ringRefreshInterval.isNegative()
                || (!ringRefreshInterval.isZero() && ringRefreshInterval.compareTo(MIN_RING_REFRESH_INTERVAL) < 0)) {
            throw new IllegalArgumentException("ringRefreshInterval must be 0 (off) or at least "
                    + MIN_RING_REFRESH_INTERVAL + ", was " + ringRefreshInterval);
        }
        Objects.requireNonNull(unreachableNodeBackoff, "unreachableNodeBackoff");
        if (unreachableNodeBackoff.isNegative()) {
            throw new IllegalArgumentException("unreachableNodeBackoff must not be negative, was "
                    + unreachableNodeBackoff);
        }
        Objects.requireNonNull(readAttemptTimeout, "readAttemptTimeout");
        if (readAttemptTimeout.isNegative()) {
            throw new IllegalArgumentException("readAttemptTimeout must be 0 (one attempt may use the whole"
                    + " requestTimeout) or positive, was " + readAttemptTimeout);
        }
        Objects.requireNonNull(kvChannel, "kvChannel");
        if (bulkNice < 0 || bulkNice > MAX_BULK_NICE) {
            throw new IllegalArgumentException("bulkNice must be in [0, " + MAX_BULK_NICE + "], was " + bulkNice);
        }
    }

    /** Accepts host:port (IPv6 hosts in brackets) with a port in [1, 65535]. */
    static void checkAddress(String address) {
        Objects.requireNonNull(address, "address");
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("address must be host:port, was '" + address + "'");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address must be host:port, was '" + address + "'", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in [1, 65535] in '" + address + "'");
        }
        if (address.substring(0, colon).isBlank()) {
            throw new IllegalArgumentException("address must be host:port, was '" + address + "'");
        }
    }

    private static void checkPositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
