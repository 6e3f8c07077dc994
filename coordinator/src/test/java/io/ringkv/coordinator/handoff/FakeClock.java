package io.ringkv.coordinator.handoff;

import io.ringkv.coordinator.time.Clock;

/** A clock the test moves by hand. */
final class FakeClock implements Clock {
    static final long START_WALL_MILLIS = 1_780_000_000_000L;
    private long nanos;

    @Override
    public synchronized long wallMillis() {
        return START_WALL_MILLIS + nanos / 1_000_000L;
    }

    @Override
    public synchronized long monotonicNanos() {
        return nanos;
    }

    synchronized void advanceMillis(long millis) {
        nanos += millis * 1_000_000L;
    }

    synchronized void advanceNanos(long n) {
        nanos += n;
    }
}
