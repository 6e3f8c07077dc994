package io.ringkv.coordinator.request;

import io.ringkv.coordinator.keyspace.Consistency;

/** A client's read of one key; {@code timeoutMillis} is what is left of its deadline. */
public record GetCommand(String keyspace, String key, Consistency consistency, long timeoutMillis) {
}
