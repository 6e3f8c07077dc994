package io.ringkv.loadtest.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to start a local cluster of node processes.
 *
 * @param nodes         how many {@code ringkv node} processes (1..{@value #MAX_NODES})
 * @param membership    static (a seed list) or consul (a dev agent the tester starts)
 * @param backend       the nodes' storage backend ({@code rocks} or {@code memory})
 * @param sync          the nodes' {@code --sync} ({@code always}, {@code batch}, {@code never})
 * @param nodeClasspath the classpath with {@code io.ringkv.coordinator.cli.Main} (coordinator's classes and jars)
 * @param jvmOptions    options of every node JVM (heap, GC)
 * @param dir           where data and logs go; null for a new temporary directory, deleted after a clean run
 * @param startTimeout  how long every node has to answer {@code /healthz} with a ring
 */
public record ClusterSpec(int nodes, Membership membership, String backend, String sync, String nodeClasspath,
                          List<String> jvmOptions, Path dir, Duration startTimeout) {
    public static final int MAX_NODES = 9;

    /** How nodes find each other. */
    public enum Membership { STATIC, CONSUL }

    public ClusterSpec {
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(startTimeout, "startTimeout");
        jvmOptions = List.copyOf(jvmOptions);
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("--start-cluster must be in [1, " + MAX_NODES + "], was " + nodes);
        }
        if (!backend.equals("rocks") && !backend.equals("memory")) {
            throw new IllegalArgumentException("--cluster-backend must be rocks or memory, was '" + backend + "'");
        }
        if (!List.of("always", "batch", "never").contains(sync)) {
            throw new IllegalArgumentException("--cluster-sync must be always, batch or never, was '" + sync + "'");
        }
        if (nodeClasspath == null || nodeClasspath.isBlank()) {
            throw new IllegalArgumentException("--start-cluster needs the node's classpath: --node-classpath or "
                    + "RINGKV_NODE_CLASSPATH (bin/ringkv bench sets it)");
        }
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("--cluster-start-timeout must be > 0");
        }
    }
}
