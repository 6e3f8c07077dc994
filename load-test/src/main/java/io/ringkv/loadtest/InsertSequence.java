package io.ringkv.loadtest;

import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The indexes of inserted keys, shared by all workers (YCSB's AcknowledgedCounterGenerator): an
 * insert claims the next index; readers only see indexes below {@link #limit()}, the end of the
 * contiguous prefix of finished inserts, so nobody reads a key whose insert is still in flight.
 * Inserts that failed are remembered: such a key may or may not exist, and a read that finds
 * nothing there is not a validation error.
 */
final class InsertSequence {
    private final AtomicLong next;
    private final Set<Long> failed = ConcurrentHashMap.newKeySet();
    /** Finished inserts at or above {@code limit}, relative to it; guarded by this. */
    private BitSet finished = new BitSet();
    private long limitGuarded;
    private volatile long limit;

    InsertSequence(long records) {
        this(records, new long[0]);
    }

    /** {@code failedLoads}: keys below {@code records} whose load failed (they may be missing too). */
    InsertSequence(long records, long[] failedLoads) {
        for (long index : failedLoads) {
            failed.add(index);
        }
        this.next = new AtomicLong(records);
        this.limitGuarded = records;
        this.limit = records;
    }

    /** The index the next insert writes. */
    long claim() {
        long index = next.getAndIncrement();
        if (index >= Keys.MAX_RECORDS) {
            throw new IllegalStateException("no key index left to insert (" + Keys.MAX_RECORDS + " in all)");
        }
        return index;
    }

    /** Called exactly once for every claimed index, when its insert has succeeded or failed. */
    synchronized void finish(long index, boolean ok) {
        if (!ok) {
            failed.add(index);
        }
        finished.set(Math.toIntExact(index - limitGuarded));
        if (index == limitGuarded) {
            int advance = finished.nextClearBit(0);
            limitGuarded += advance;
            finished = finished.get(advance, Math.max(advance, finished.length()));
            limit = limitGuarded;
        }
    }

    /** Every index below this exists (or its insert failed). */
    long limit() {
        return limit;
    }

    /** How many inserts were claimed. */
    long claimed(long records) {
        return next.get() - records;
    }

    /** Whether the insert of {@code index} failed (the key may be missing). */
    boolean failed(long index) {
        return !failed.isEmpty() && failed.contains(index);
    }
}
