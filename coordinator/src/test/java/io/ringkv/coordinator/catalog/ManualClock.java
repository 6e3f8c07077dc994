package io.ringkv.coordinator.catalog;

import io.ringkv.coordinator.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A wall clock the test moves by hand; safe to read from many threads. */
final class ManualClock implements Clock {
    static final Instant START = Instant.parse("2026-05-01T10:00:00Z");

    private final AtomicLong wallMillis = new AtomicLong(START.toEpochMilli());

    @Override
    public long wallMillis() {
        return wallMillis.get();
    }

    @Override
    public long monotonicNanos() {
        return (wallMillis.get() - START.toEpochMilli()) * 1_000_000L;
    }

    Instant now() {
        return Instant.ofEpochMilli(wallMillis.get());
    }

    void advanceMillis(long millis) {
        wallMillis.addAndGet(millis);
    }
}
