package io.ringkv.coordinator.version;

import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hybrid logical clock (Kulkarni et al., 2014) handing out packed {@link HlcTimestamp}s that
 * stay close to physical time yet never repeat or go backwards, even when the physical clock
 * does. Thread-safe and lock-free.
 *
 * <p>Because the logical counter is the low 16 bits of the packed long, "logical + 1" and
 * "logical overflows, so physical + 1 and logical 0" are the same operation: add one.
 */
public final class HybridLogicalClock {
    private static final long MAX_PACKED = -1L; // all ones: physical 2^48 - 1, logical 2^16 - 1

    private final InstantSource source;
    private final long maxDriftMillis;
    /** The largest packed timestamp issued or observed so far. */
    private final AtomicLong latest = new AtomicLong();

    /**
     * @param source         physical time; may jump backwards
     * @param maxDriftMillis how far ahead of {@code source} an observed reading may be, at least 0
     */
    public HybridLogicalClock(InstantSource source, long maxDriftMillis) {
        this.source = Objects.requireNonNull(source, "source");
        if (maxDriftMillis < 0) {
            throw new IllegalArgumentException("maxDriftMillis " + maxDriftMillis + " is negative");
        }
        this.maxDriftMillis = maxDriftMillis;
    }

    /** Returns a packed timestamp strictly greater than every one returned or observed before. */
    public long now() {
        long wall = physicalNow() << 16;
        while (true) {
            long current = latest.get();
            if (current == MAX_PACKED) {
                throw new IllegalStateException("hybrid logical clock exhausted its 64 bits");
            }
            long next = Long.compareUnsigned(wall, current + 1) > 0 ? wall : current + 1;
            if (latest.compareAndSet(current, next)) {
                return next;
            }
        }
    }

    /**
     * Merges a reading received from a peer so later {@link #now()} calls exceed it.
     *
     * @throws ClockDriftException if the reading is more than {@code maxDriftMillis} ahead of the
     *                             local physical clock; the clock is then left unchanged
     */
    public void observe(long remotePacked) {
        long remotePhysical = remotePacked >>> 16;
        long localPhysical = physicalNow();
        if (remotePhysical > localPhysical && remotePhysical - localPhysical > maxDriftMillis) {
            throw new ClockDriftException(remotePhysical, localPhysical, maxDriftMillis);
        }
        latest.accumulateAndGet(remotePacked, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
    }

    /** The largest packed timestamp issued or observed so far, without advancing the clock. */
    public long latest() {
        return latest.get();
    }

    private long physicalNow() {
        long millis = source.millis();
        if (millis > HlcTimestamp.MAX_PHYSICAL_MILLIS) {
            throw new IllegalStateException("physical time " + millis + " ms does not fit in 48 bits");
        }
        // Before the epoch only with a broken clock; the logical counter carries us past it.
        return Math.max(0, millis);
    }
}
