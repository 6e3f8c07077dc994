package io.ringkv.coordinator.repair;

import io.ringkv.coordinator.keyspace.Keyspace;
import io.ringkv.coordinator.keyspace.Keyspaces;
import io.ringkv.coordinator.replica.LocalReplica;
import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.coordinator.version.LwwVersion;
import io.ringkv.storage.Entry;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.memory.MemoryEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import io.ringkv.storage.record.VersionKind;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Replicas over memory engines, in one JVM, each with its {@link LocalRepairPeer}. */
final class Replicas {
    final Keyspaces keyspaces;
    final Map<String, LocalReplica> replicas = new LinkedHashMap<>();
    final Map<String, LocalRepairPeer> peers = new LinkedHashMap<>();

    Replicas(Keyspaces keyspaces, String... ids) {
        this.keyspaces = keyspaces;
        for (String id : ids) {
            LocalReplica r = new LocalReplica(new ChunkingEngine(new MemoryEngine(), ChunkingConfig.DEFAULTS,
                    StorageLimits.DEFAULTS), keyspaces, StorageLimits.DEFAULTS);
            replicas.put(id, r);
            peers.put(id, new LocalRepairPeer(id, r, keyspaces));
        }
    }

    RepairPeer peer(String id) {
        return peers.get(id);
    }

    static Record lww(long hlc, String node, String value, long writeTime) {
        byte[] v = new LwwVersion(hlc, node).encode();
        return value == null ? Record.tombstone(VersionKind.LWW, v, writeTime)
                : Record.value(VersionKind.LWW, v, writeTime, value.getBytes(StandardCharsets.UTF_8));
    }

    void write(String node, String keyspace, String key, Record r) {
        replicas.get(node).apply(new ReplicaWrite(keyspace, key, r, 0));
    }

    /** Every record of a keyspace the replica holds, by hex stored key: comparable across replicas. */
    Map<String, Record> contents(String node, String keyspace) {
        Keyspace ks = keyspaces.resolve(keyspace);
        Map<String, Record> out = new TreeMap<>();
        try (EntryIterator it = replicas.get(node).engine().scan(ks.namespace(), new byte[0], null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                out.put(HexFormat.of().formatHex(e.key()), RecordCodec.decode(e.value()));
            }
        }
        return out;
    }

    static int vnodeOf(String key, int vnodeCount) {
        return StorageKeys.vnodeOf(io.ringkv.storage.Tokens.of(key), vnodeCount);
    }

    /** Asserts that every replica of every vnode of the simulated cluster holds the same records. */
    static void assertSameRecords(io.ringkv.coordinator.sim.SimCluster c, int vnodes) {
        for (int v = 0; v < vnodes; v++) {
            List<String> replicas = c.ring().replicas(v).stream().map(io.ringkv.coordinator.ring.Node::id).toList();
            Map<String, Record> first = vnodeContents(c.replica(replicas.getFirst()), v, vnodes);
            for (String r : replicas) {
                org.assertj.core.api.Assertions.assertThat(vnodeContents(c.replica(r), v, vnodes))
                        .as("vnode %d on %s and %s; %s", v, replicas.getFirst(), r, c).isEqualTo(first);
            }
        }
    }

    static Map<String, Record> vnodeContents(LocalReplica replica, int vnode, int vnodes) {
        Map<String, Record> out = new TreeMap<>();
        try (EntryIterator it = replica.engine().scan(io.ringkv.storage.Namespace.DATA, StorageKeys.vnodeStart(vnode, vnodes),
                StorageKeys.vnodeEnd(vnode, vnodes))) {
            while (it.hasNext()) {
                Entry e = it.next();
                out.put(HexFormat.of().formatHex(e.key()), RecordCodec.decode(e.value()));
            }
        }
        return out;
    }

    List<String> ids() {
        return List.copyOf(replicas.keySet());
    }
}
