package io.ringkv.coordinator.cli;

import io.ringkv.client.Consistency;
import io.ringkv.client.RingkvClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options every client command takes: where the cluster is, which keyspace, how long to wait. */
final class ClientOptions {
    @Option(names = "--endpoint", defaultValue = "${RINGKV_ENDPOINT:-127.0.0.1:7001}",
            description = "host:port of any node (default ${DEFAULT-VALUE}: the local dev cluster)")
    String endpoint;

    @Option(names = "--keyspace", defaultValue = "default", description = "keyspace (default ${DEFAULT-VALUE})")
    String keyspace;

    @Option(names = "--timeout-ms", defaultValue = "5000", description = "request deadline in ms (default ${DEFAULT-VALUE})")
    long timeoutMillis;

    RingkvClient connect() {
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("--timeout-ms must be positive");
        }
        return RingkvClient.builder().seeds(endpoint).defaultKeyspace(keyspace)
                .requestTimeout(Duration.ofMillis(timeoutMillis)).build();
    }

    /** A consistency level by name, or null when {@code text} is a number (see {@link #count}). */
    static Consistency level(String text) {
        if (text == null) {
            return Consistency.DEFAULT;
        }
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "one" -> Consistency.ONE;
            case "quorum" -> Consistency.QUORUM;
            case "all" -> Consistency.ALL;
            case "default" -> Consistency.DEFAULT;
            default -> {
                count(text);
                yield Consistency.DEFAULT;
            }
        };
    }

    /** An explicit replica count, or 0 for a named level. */
    static int count(String text) {
        if (text == null || text.trim().matches("(?i)one|quorum|all|default")) {
            return 0;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad consistency '" + text + "': one, quorum, all or a positive number");
        }
    }
}
