package io.ringkv.coordinator.transport;

import io.ringkv.storage.record.Record;

/** Asks a replica to merge {@code record} into its copy of {@code key}. */
public record ReplicaWrite(String keyspace, String key, Record record, long ringEpoch) {
}
