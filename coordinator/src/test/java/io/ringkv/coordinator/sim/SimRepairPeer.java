package io.ringkv.coordinator.sim;

import io.ringkv.coordinator.repair.KeyDigest;
import io.ringkv.coordinator.repair.LocalRepairPeer;
import io.ringkv.coordinator.repair.RepairPeer;
import io.ringkv.coordinator.repair.TreeSpec;
import io.ringkv.coordinator.transport.PeerException;
import io.ringkv.storage.record.Record;
import java.util.List;

/**
 * A replica's repair calls across the {@link SimNetwork}: every call first checks that the target
 * is up and not cut off from the caller, and fails as a refused connection otherwise. Repair calls
 * block, so they are answered at once, outside virtual time; what the simulation varies is which
 * replicas can be reached.
 */
final class SimRepairPeer implements RepairPeer {
    private final SimNetwork network;
    private final String from;
    private final LocalRepairPeer target;

    SimRepairPeer(SimNetwork network, String from, LocalRepairPeer target) {
        this.network = network;
        this.from = from;
        this.target = target;
    }

    private void reach() {
        if (!network.reachable(from, target.nodeId())) {
            throw new PeerException(target.nodeId(), false, "unreachable from " + from);
        }
    }

    @Override
    public String nodeId() {
        return target.nodeId();
    }

    @Override
    public long[] hashes(TreeSpec spec, int level, int[] indexes) {
        reach();
        return target.hashes(spec, level, indexes);
    }

    @Override
    public List<KeyDigest> digests(TreeSpec spec, int[] leaves) {
        reach();
        return target.digests(spec, leaves);
    }

    @Override
    public List<KeyDigest> tombstones(TreeSpec spec, long writtenBeforeMillis) {
        reach();
        return target.tombstones(spec, writtenBeforeMillis);
    }

    @Override
    public Record read(String keyspace, byte[] storedKey) {
        reach();
        return target.read(keyspace, storedKey);
    }

    @Override
    public void write(String keyspace, byte[] storedKey, Record record) {
        reach();
        target.write(keyspace, storedKey, record);
    }

    @Override
    public int purge(String keyspace, List<KeyDigest> tombstones) {
        reach();
        return target.purge(keyspace, tombstones);
    }
}
