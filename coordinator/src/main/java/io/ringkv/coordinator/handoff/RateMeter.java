package io.ringkv.coordinator.handoff;

import io.ringkv.coordinator.time.Clock;
import java.util.ArrayDeque;

/** Bytes per second over the last {@code windowMillis}, from the injected clock. Thread-safe. */
final class RateMeter {
    private record Sample(long atMillis, long bytes) { }

    private final Clock clock;
    private final long windowMillis;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private long sum;

    RateMeter(Clock clock, long windowMillis) {
        this.clock = clock;
        this.windowMillis = windowMillis;
    }

    synchronized void record(long bytes) {
        long now = clock.monotonicMillis();
        samples.addLast(new Sample(now, bytes));
        sum += bytes;
        expire(now);
    }

    synchronized long bytesPerSecond() {
        expire(clock.monotonicMillis());
        return sum * 1000 / windowMillis;
    }

    private void expire(long now) {
        while (!samples.isEmpty() && samples.peekFirst().atMillis() <= now - windowMillis) {
            sum -= samples.pollFirst().bytes();
        }
        // Bounded: at most one sample per delivery in the window, and a node delivers a bounded rate.
        while (samples.size() > 100_000) {
            sum -= samples.pollFirst().bytes();
        }
    }
}
