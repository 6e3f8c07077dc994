package io.ringkv.loadtest;

import java.util.SplittableRandom;

/** Every index in {@code [0, items)} with the same probability. */
public final class UniformKeyChooser implements KeyChooser {
    private final long items;

    public UniformKeyChooser(long items) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be >= 1, was " + items);
        }
        this.items = items;
    }

    @Override
    public long next(SplittableRandom random) {
        return random.nextLong(items);
    }

    @Override
    public long items() {
        return items;
    }
}
