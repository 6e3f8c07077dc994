package io.ringkv.coordinator.time;

import java.time.Instant;
import java.time.InstantSource;

/** Wall and monotonic time, injected so tests can run on simulated time. */
public interface Clock {
    /** Milliseconds since the Unix epoch; may jump. */
    long wallMillis();

    /** A monotonic reading in nanoseconds, for durations only. */
    long monotonicNanos();

    default long monotonicMillis() {
        return monotonicNanos() / 1_000_000L;
    }

    /** This clock's wall time as an {@link InstantSource}. */
    default InstantSource asInstantSource() {
        return () -> Instant.ofEpochMilli(wallMillis());
    }

    /** The machine's clocks. */
    Clock SYSTEM = new Clock() {
        @Override
        public long wallMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public long monotonicNanos() {
            return System.nanoTime();
        }
    };
}
