package io.ringkv.client;

import io.ringkv.api.v1.ConsistencyLevel;

/** How many replicas must answer a request; {@link #DEFAULT} leaves it to the keyspace. */
public enum Consistency {
    /** The keyspace's configured R or W. */
    DEFAULT,
    ONE,
    /** A majority of the key's N replicas. */
    QUORUM,
    ALL;

    ConsistencyLevel toProto() {
        return switch (this) {
            case DEFAULT -> ConsistencyLevel.CONSISTENCY_LEVEL_UNSPECIFIED;
            case ONE -> ConsistencyLevel.ONE;
            case QUORUM -> ConsistencyLevel.QUORUM;
            case ALL -> ConsistencyLevel.ALL;
        };
    }
}
