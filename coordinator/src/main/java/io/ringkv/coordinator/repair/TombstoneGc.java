package io.ringkv.coordinator.repair;

import java.util.OptionalLong;

/**
 * The rule that keeps repair from resurrecting deleted data: a tombstone may be purged only once
 * it is older than {@code gc_grace} AND its vnode was fully repaired (every replica reached and
 * made identical) by a repair that started after the tombstone was written. Before that, some
 * replica may still hold the deleted value, and without the tombstone the next repair would copy
 * the value back. Pure.
 */
public final class TombstoneGc {
    /** Why a tombstone is or is not purged. */
    public enum Verdict {
        PURGE,
        /** Written less than gc_grace ago. */
        TOO_YOUNG,
        /** No full repair of its vnode started after it was written. */
        NOT_REPAIRED_SINCE
    }

    private TombstoneGc() {
    }

    /**
     * @param lastFullRepairStartMillis when the last full repair of the tombstone's vnode started; empty if never
     */
    public static Verdict verdict(long tombstoneWriteMillis, long nowMillis, long gcGraceMillis,
                                  OptionalLong lastFullRepairStartMillis) {
        if (nowMillis - tombstoneWriteMillis < gcGraceMillis) {
            return Verdict.TOO_YOUNG;
        }
        if (lastFullRepairStartMillis.isEmpty() || lastFullRepairStartMillis.getAsLong() <= tombstoneWriteMillis) {
            return Verdict.NOT_REPAIRED_SINCE;
        }
        return Verdict.PURGE;
    }

    /**
     * The write times below which every tombstone passes both tests: what to ask replicas for.
     * {@link Long#MIN_VALUE} when no tombstone can pass.
     */
    public static long purgeableBefore(long nowMillis, long gcGraceMillis, OptionalLong lastFullRepairStartMillis) {
        if (lastFullRepairStartMillis.isEmpty()) {
            return Long.MIN_VALUE;
        }
        return Math.min(nowMillis - gcGraceMillis + 1, lastFullRepairStartMillis.getAsLong());
    }
}
