package io.ringkv.coordinator.handoff;

/**
 * The hinted handoff counters of one target, as a metrics layer, the admin API and the catalog read them.
 *
 * @param oldestCreatedMillis wall time the oldest pending hint was stored; -1 when none is pending
 * @param oldestAgeMillis     how old that hint is; 0 when none is pending
 * @param deliveryBytesPerSecond recent replay throughput to this target
 * @param droppedFull         hints not kept because a byte cap was reached
 * @param droppedWindow       hints not kept because the target was down longer than the hint window
 * @param droppedRejected     hints given up after the target refused them as invalid {@code hint_max_attempts} times
 * @param droppedTargetLeft   hints purged because their target is no longer in the ring
 * @param droppedEarlier      hints dropped in earlier runs of the node, for reasons not kept (the catalog keeps a total)
 */
public record HintStats(String target, long pending, long bytes, long oldestCreatedMillis, long oldestAgeMillis,
                        long deliveryBytesPerSecond, long delivered, long deliveredBytes, long droppedFull,
                        long droppedWindow, long droppedRejected, long droppedTargetLeft, long droppedEarlier) {
    /** Every hint that was not kept or not delivered, for whatever reason, earlier runs included. */
    public long dropped() {
        return droppedFull + droppedWindow + droppedRejected + droppedTargetLeft + droppedEarlier;
    }
}
