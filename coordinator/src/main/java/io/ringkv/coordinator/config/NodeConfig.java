package io.ringkv.coordinator.config;

import io.ringkv.coordinator.handoff.HintSettings;
import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.repair.RepairSettings;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.SyncMode;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one node is started with, validated. See {@link ConfigLoader} for the key names;
 * the defaults make a node that works on a laptop.
 *
 * @param chunksDir  where large values' chunks live: a RocksDB of their own, {@code <data_dir>/chunks} unless
 *                   set (another volume keeps their megabytes off the disk of the small writes' log)
 * @param seeds      the members of a static cluster (this node's own address may be among them)
 * @param vnodes     Q, the fixed number of vnodes of the cluster (a power of two)
 * @param replicas   replicas placed per vnode: at least the largest N of any keyspace
 * @param membership {@code static} (seeds) or {@code consul}
 * @param consul     the Consul agent's HTTP address (used with {@code consul} membership)
 * @param cluster    the cluster's name: its Consul keys live under {@code ringkv/<cluster>/}
 * @param minNodes   with Consul, the leader forms the first ring once this many nodes pass
 * @param hints      hinted handoff caps, window and replay pacing
 * @param replicaChannel whether and for what replica calls share one multiplexed stream per peer
 * @param largeValues the threads, and their CPU priority, that read and write records stored in chunks
 * @param syncDelayMillis with {@code sync: batch}, how long a group commit gathers writers before its fsync
 * @param engineOptions the storage engine's own options ({@code rocks.block_cache_bytes}, ...)
 */
public record NodeConfig(String id, HostPort listen, HostPort advertise, String rack, Path dataDir, Path chunksDir,
                         String backend,
                         SyncMode sync, List<HostPort> seeds, int vnodes, int replicas, Keyspaces keyspaces,
                         StorageLimits limits, long requestTimeoutMillis, double readRepairChance,
                         long replicaTimeoutMillis, long pingIntervalMillis, String membership, HostPort consul,
                         String cluster, int minNodes, HintSettings hints,
                         io.ringkv.observability.TelemetrySettings telemetry, RepairSettings repair,
                         io.ringkv.coordinator.transport.ReplicaChannelSettings replicaChannel,
                         long syncDelayMillis, java.util.Map<String, String> engineOptions,
                         io.ringkv.coordinator.priority.LargeValueSettings largeValues) {
    public NodeConfig {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new IllegalArgumentException("node id '" + id + "' must be 1-63 letters, digits, '_', '.', '-'");
        }
        if (rack == null || rack.isBlank()) {
            throw new IllegalArgumentException("rack must not be empty");
        }
        if (Integer.bitCount(vnodes) != 1 || vnodes > 65536) {
            throw new IllegalArgumentException("vnodes must be a power of two up to 65536, was " + vnodes);
        }
        if (replicas < keyspaces.maxReplicationFactor() || replicas > 16) {
            throw new IllegalArgumentException("replicas per vnode (" + replicas + ") must be in ["
                    + keyspaces.maxReplicationFactor() + ", 16]: at least the largest keyspace N");
        }
        if (requestTimeoutMillis < 1 || replicaTimeoutMillis < 1 || pingIntervalMillis < 10) {
            throw new IllegalArgumentException("timeouts must be positive and the ping interval at least 10 ms");
        }
        if (!membership.equals("static") && !membership.equals("consul")) {
            throw new IllegalArgumentException("membership must be static or consul, was '" + membership + "'");
        }
        if (cluster == null || !cluster.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            throw new IllegalArgumentException("cluster name '" + cluster + "' must be 1-63 of a-z, 0-9, '_', '-'");
        }
        if (minNodes < 1 || minNodes > 1000) {
            throw new IllegalArgumentException("min_nodes must be in [1, 1000], was " + minNodes);
        }
        java.util.Objects.requireNonNull(chunksDir, "chunksDir");
        Path node = dataDir.toAbsolutePath().normalize();
        Path chunks = chunksDir.toAbsolutePath().normalize();
        if (chunks.equals(node) || chunks.equals(node.resolve("data")) || chunks.equals(node.resolve("catalog"))) {
            throw new IllegalArgumentException("chunks_dir " + chunksDir + " must not be data_dir " + dataDir
                    + " or its data or catalog directory");
        }
        java.util.Objects.requireNonNull(repair, "repair");
        java.util.Objects.requireNonNull(largeValues, "largeValues");
        if (syncDelayMillis < 0 || syncDelayMillis > 10_000) {
            throw new IllegalArgumentException("sync_delay_millis must be in [0, 10000], was " + syncDelayMillis);
        }
        seeds = List.copyOf(seeds);
        engineOptions = java.util.Map.copyOf(engineOptions);
    }

    public List<Keyspace> keyspaceList() {
        return keyspaces.all();
    }
}
