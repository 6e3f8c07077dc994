package io.ringkv.loadtest;

import java.util.SplittableRandom;

/** Every existing index with the same probability. */
public final class UniformKeyChooser implements KeyChooser {
    private final long items;

    public UniformKeyChooser(long items) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be >= 1, was " + items);
        }
        this.items = items;
    }

    @Override
    public long next(SplittableRandom random, long limit) {
        return random.nextLong(limit);
    }

    @Override
    public long items() {
        return items;
    }
}
