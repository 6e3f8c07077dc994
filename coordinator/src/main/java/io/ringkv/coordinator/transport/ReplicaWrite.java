package io.ringkv.coordinator.transport;

import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;

/**
 * Asks a replica to merge {@code record} into its copy of {@code key}. {@code encoded} is the
 * record's stored encoding, computed once per write and shared by every replica it goes to (the
 * wire and the local engine take it as is). {@code hintFor}, when not null, names the primary a
 * sloppy-quorum fallback keeps the write for: the receiver stores it as a hint for that node
 * instead of applying it.
 */
public record ReplicaWrite(String keyspace, String key, Record record, byte[] encoded, long ringEpoch, String hintFor) {
    public ReplicaWrite(String keyspace, String key, Record record, byte[] encoded, long ringEpoch) {
        this(keyspace, key, record, encoded, ringEpoch, null);
    }

    public ReplicaWrite(String keyspace, String key, Record record, long ringEpoch) {
        this(keyspace, key, record, RecordCodec.encode(record), ringEpoch, null);
    }

    /** The same write, to be kept by a fallback as a hint for {@code primary} (null: a plain write). */
    public ReplicaWrite withHintFor(String primary) {
        return new ReplicaWrite(keyspace, key, record, encoded, ringEpoch, primary);
    }

    /** True when the receiver is to keep this write as a hint for {@link #hintFor()}. */
    public boolean isHint() {
        return hintFor != null;
    }
}
