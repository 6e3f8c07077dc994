package io.ringkv.coordinator.catalog;

import java.time.Instant;

/**
 * Hinted handoff counters for one target node, as last reported by the handoff logic.
 *
 * @param oldestHintAt the write time of the oldest pending hint; null when none is pending
 */
public record HintStatsRow(String targetNode, long hintsPending, long bytesPending, Instant oldestHintAt,
                           long deliveredTotal, long droppedTotal, Instant updatedAt) {
    public HintStatsRow {
        Checks.text(targetNode, "target node");
        Checks.nonNegative(hintsPending, "hints pending");
        Checks.nonNegative(bytesPending, "bytes pending");
        Checks.nonNegative(deliveredTotal, "delivered total");
        Checks.nonNegative(droppedTotal, "dropped total");
        Checks.present(updatedAt, "updated at");
    }
}
