package io.ringkv.coordinator.transport;

import io.ringkv.storage.record.Record;

/**
 * A replica's answer to a read: its record ({@code null} when it has none, or when only a digest
 * was asked for), the record's digest (0 when absent), and its version bytes (empty when absent).
 */
public record ReadReply(Record record, long digest, byte[] version, boolean found) {
    public static final ReadReply ABSENT = new ReadReply(null, 0, new byte[0], false);
}
