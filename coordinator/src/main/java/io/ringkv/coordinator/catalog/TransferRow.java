package io.ringkv.coordinator.catalog;

import java.time.Instant;

/** One vnode transfer of rebalancing and its progress. */
public record TransferRow(String transferId, int vnode, String fromNode, String toNode, long ringEpoch, String state,
                          long keys, long bytes, Instant startedAt, Instant updatedAt) {
    public TransferRow {
        Checks.text(transferId, "transfer id");
        Checks.nonNegative(vnode, "vnode");
        Checks.text(fromNode, "from node");
        Checks.text(toNode, "to node");
        Checks.nonNegative(ringEpoch, "ring epoch");
        Checks.text(state, "state");
        Checks.nonNegative(keys, "keys");
        Checks.nonNegative(bytes, "bytes");
        Checks.present(startedAt, "started at");
        Checks.present(updatedAt, "updated at");
    }
}
