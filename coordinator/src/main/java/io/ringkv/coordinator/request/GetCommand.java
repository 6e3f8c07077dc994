package io.ringkv.coordinator.request;

import io.ringkv.coordinator.keyspace.Consistency;
import io.ringkv.coordinator.transport.ReadReply;

/**
 * A client's read of one key; {@code timeoutMillis} is what is left of its deadline.
 *
 * @param localRead this node's own full read of the key, already made (null: the read makes it);
 *                  used only when this node is one of the key's replicas
 */
public record GetCommand(String keyspace, String key, Consistency consistency, long timeoutMillis, ReadReply localRead) {
    public GetCommand(String keyspace, String key, Consistency consistency, long timeoutMillis) {
        this(keyspace, key, consistency, timeoutMillis, null);
    }
}
