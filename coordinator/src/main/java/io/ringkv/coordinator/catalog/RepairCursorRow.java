package io.ringkv.coordinator.catalog;

import java.time.Instant;

/**
 * Where a repair session stands, beside its {@link RepairSessionRow}.
 *
 * @param remainingVnodes the vnodes not yet finished, as comma-separated ranges ({@code "0-17,40"}); empty when none
 */
public record RepairCursorRow(String sessionId, String remainingVnodes, int vnodesFailed, Instant updatedAt) {
    public RepairCursorRow {
        Checks.text(sessionId, "session id");
        Checks.present(remainingVnodes, "remaining vnodes");
        Checks.nonNegative(vnodesFailed, "vnodes failed");
        Checks.present(updatedAt, "updated at");
    }
}
