package io.ringkv.coordinator.transport;

import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;

/**
 * Asks a replica to merge {@code record} into its copy of {@code key}. {@code encoded} is the
 * record's stored encoding, computed once per write and shared by every replica it goes to (the
 * wire and the local engine take it as is).
 */
public record ReplicaWrite(String keyspace, String key, Record record, byte[] encoded, long ringEpoch) {
    public ReplicaWrite(String keyspace, String key, Record record, long ringEpoch) {
        this(keyspace, key, record, RecordCodec.encode(record), ringEpoch);
    }
}
