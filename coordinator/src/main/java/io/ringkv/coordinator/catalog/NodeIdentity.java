package io.ringkv.coordinator.catalog;

import java.time.Instant;

/**
 * The node a data dir belongs to, recorded the first time a node starts on it.
 *
 * @param clusterName null until something records it
 */
public record NodeIdentity(String nodeId, String rack, Instant createdAt, String clusterName) {
    public NodeIdentity {
        Checks.text(nodeId, "node id");
        Checks.text(rack, "rack");
        Checks.present(createdAt, "created at");
    }
}
