package io.ringkv.coordinator.transport;

/** Asks a replica for its record of {@code key}, or only its digest and version. */
public record ReplicaRead(String keyspace, String key, boolean digestOnly, long ringEpoch) {
}
