package io.ringkv.coordinator.catalog;

import java.time.Instant;

/**
 * One anti-entropy session and its progress.
 *
 * @param keyspace   null when the session covers every keyspace
 * @param finishedAt null while the session runs
 */
public record RepairSessionRow(String sessionId, String scope, String keyspace, int vnodesTotal, int vnodesDone,
                               long keysCompared, long keysStreamed, long bytesStreamed, Instant startedAt,
                               Instant updatedAt, Instant finishedAt, String state) {
    public RepairSessionRow {
        Checks.text(sessionId, "session id");
        Checks.text(scope, "scope");
        Checks.nonNegative(vnodesDone, "vnodes done");
        if (vnodesDone > vnodesTotal) {
            throw new IllegalArgumentException("vnodes done (" + vnodesDone + ") must not exceed vnodes total ("
                    + vnodesTotal + ")");
        }
        Checks.nonNegative(keysCompared, "keys compared");
        Checks.nonNegative(keysStreamed, "keys streamed");
        Checks.nonNegative(bytesStreamed, "bytes streamed");
        Checks.present(startedAt, "started at");
        Checks.present(updatedAt, "updated at");
        Checks.text(state, "state");
    }
}
