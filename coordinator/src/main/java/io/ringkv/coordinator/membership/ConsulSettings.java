package io.ringkv.coordinator.membership;

/**
 * How a node uses Consul, read once at the edge and validated here.
 *
 * @param host host of the local Consul agent's HTTP API
 * @param port port of the agent's HTTP API
 * @param cluster cluster name: keys live under {@code ringkv/<cluster>/} and members carry the tag
 *     {@code cluster:<cluster>}
 * @param serviceName Consul service every node registers (default {@code ringkv})
 * @param checkTtlMillis TTL of the node's health check; it is passed every third of it
 * @param sessionTtlMillis TTL of the leader's session, 10 s .. 24 h (Consul's bounds); renewed every
 *     third of it. Consul may take up to twice the TTL to expire a lost session.
 * @param lockDelayMillis after a session holding the leader lock is invalidated (not released),
 *     Consul refuses the lock to everyone for this long, 0 .. 60 s
 * @param watchWaitSeconds longest a blocking query waits for a change, 1 .. 600 (whole seconds:
 *     that is what consul-api sends)
 * @param requestTimeoutMillis connect and read timeout of ordinary (non-blocking) requests
 * @param backoffMinMillis first retry delay after a failed request
 * @param backoffMaxMillis largest retry delay
 */
public record ConsulSettings(String host, int port, String cluster, String serviceName, long checkTtlMillis,
                             long sessionTtlMillis, long lockDelayMillis, int watchWaitSeconds,
                             long requestTimeoutMillis, long backoffMinMillis, long backoffMaxMillis) {

    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";

    public ConsulSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("consul host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("consul port must be 1..65535, got " + port);
        }
        if (cluster == null || !cluster.matches(NAME)) {
            throw new IllegalArgumentException("cluster name '" + cluster
                    + "' must be 1-63 letters, digits, '_', '.', '-'");
        }
        if (serviceName == null || !serviceName.matches("[A-Za-z0-9][A-Za-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("service name '" + serviceName + "' must be 1-63 letters, digits, '-'");
        }
        if (checkTtlMillis < 1000) {
            throw new IllegalArgumentException("check TTL must be at least 1000 ms, got " + checkTtlMillis);
        }
        if (sessionTtlMillis < 10_000 || sessionTtlMillis > 86_400_000) {
            throw new IllegalArgumentException("session TTL must be 10 s .. 24 h (Consul refuses others), got "
                    + sessionTtlMillis + " ms");
        }
        if (lockDelayMillis < 0 || lockDelayMillis > 60_000) {
            throw new IllegalArgumentException("lock delay must be 0 .. 60000 ms, got " + lockDelayMillis);
        }
        if (watchWaitSeconds < 1 || watchWaitSeconds > 600) {
            throw new IllegalArgumentException("watch wait must be 1 .. 600 s, got " + watchWaitSeconds);
        }
        if (requestTimeoutMillis < 100) {
            throw new IllegalArgumentException("request timeout must be at least 100 ms, got " + requestTimeoutMillis);
        }
        if (backoffMinMillis < 1 || backoffMaxMillis < backoffMinMillis) {
            throw new IllegalArgumentException("backoff needs 1 <= min <= max, got " + backoffMinMillis + " .. "
                    + backoffMaxMillis + " ms");
        }
    }

    /**
     * The defaults: service {@code ringkv}, check TTL 10 s, session TTL 10 s, lock delay 5 s, blocking
     * queries of 30 s, 5 s request timeout, retries backing off from 100 ms to 5 s.
     */
    public static ConsulSettings defaults(String host, int port, String cluster) {
        return new ConsulSettings(host, port, cluster, "ringkv", 10_000, 10_000, 5_000, 30, 5_000, 100, 5_000);
    }

    public ConsulSettings withCheckTtlMillis(long millis) {
        return new ConsulSettings(host, port, cluster, serviceName, millis, sessionTtlMillis, lockDelayMillis,
                watchWaitSeconds, requestTimeoutMillis, backoffMinMillis, backoffMaxMillis);
    }

    public ConsulSettings withLockDelayMillis(long millis) {
        return new ConsulSettings(host, port, cluster, serviceName, checkTtlMillis, sessionTtlMillis, millis,
                watchWaitSeconds, requestTimeoutMillis, backoffMinMillis, backoffMaxMillis);
    }

    public ConsulSettings withWatchWaitSeconds(int seconds) {
        return new ConsulSettings(host, port, cluster, serviceName, checkTtlMillis, sessionTtlMillis, lockDelayMillis,
                seconds, requestTimeoutMillis, backoffMinMillis, backoffMaxMillis);
    }

    public ConsulSettings withBackoffMillis(long minMillis, long maxMillis) {
        return new ConsulSettings(host, port, cluster, serviceName, checkTtlMillis, sessionTtlMillis, lockDelayMillis,
                watchWaitSeconds, requestTimeoutMillis, minMillis, maxMillis);
    }

    /** The key holding the current ring. */
    public String ringKey() {
        return "ringkv/" + cluster + "/ring";
    }

    /** The key the leader holds locked. */
    public String leaderKey() {
        return "ringkv/" + cluster + "/leader";
    }

    /** The tag every member of this cluster registers with; member queries filter on it. */
    public String clusterTag() {
        return "cluster:" + cluster;
    }

    /** A duration as Consul reads it: whole seconds as {@code "10s"}, anything else in milliseconds. */
    static String goDuration(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    Backoff newBackoff() {
        return new Backoff(backoffMinMillis, backoffMaxMillis);
    }
}
