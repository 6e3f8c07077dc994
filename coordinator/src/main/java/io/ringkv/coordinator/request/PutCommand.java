package io.ringkv.coordinator.request;

import io.ringkv.coordinator.keyspace.Consistency;

/**
 * A client's write of one key: a value, or a tombstone when {@code delete}; {@code context} is
 * the causal context from an earlier read (empty for a blind write).
 */
public record PutCommand(String keyspace, String key, byte[] value, boolean delete, Consistency consistency,
                         byte[] context, long timeoutMillis) {
    private static final byte[] NONE = new byte[0];

    public static PutCommand put(String keyspace, String key, byte[] value, Consistency consistency, long timeoutMillis) {
        return new PutCommand(keyspace, key, value, false, consistency, NONE, timeoutMillis);
    }

    public static PutCommand delete(String keyspace, String key, Consistency consistency, long timeoutMillis) {
        return new PutCommand(keyspace, key, NONE, true, consistency, NONE, timeoutMillis);
    }

    public PutCommand withContext(byte[] ctx) {
        return new PutCommand(keyspace, key, value, delete, consistency, ctx == null ? NONE : ctx, timeoutMillis);
    }
}
