package io.ringkv.coordinator.version;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A physical clock the test moves by hand, backwards too. */
final class ManualInstantSource implements InstantSource {
    private final AtomicLong millis;

    ManualInstantSource(long millis) {
        this.millis = new AtomicLong(millis);
    }

    void set(long newMillis) {
        millis.set(newMillis);
    }

    void advance(long deltaMillis) {
        millis.addAndGet(deltaMillis);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }
}
