package io.ringkv.coordinator.catalog;

import java.time.Instant;

/**
 * A ring epoch this node applied, as first applied.
 *
 * @param source where the ring came from, e.g. {@code static} or {@code consul}
 */
public record RingEpochRow(long epoch, Instant appliedAt, String source, int nodeCount, int vnodeCount) {
    public RingEpochRow {
        Checks.nonNegative(epoch, "ring epoch");
        Checks.present(appliedAt, "applied at");
        Checks.text(source, "source");
        Checks.nonNegative(nodeCount, "node count");
        Checks.nonNegative(vnodeCount, "vnode count");
    }
}
