package io.ringkv.loadtest;

import java.util.SplittableRandom;

/**
 * Picks the index of the next key to touch. Implementations are immutable and shared by all
 * worker threads; the randomness comes from the caller's own generator, so a worker's sequence
 * depends only on its seed and on how many keys exist when it asks.
 */
public interface KeyChooser {
    /**
     * An index in {@code [0, limit)}; {@code limit >= items()} is how many keys exist now (the
     * loaded ones plus those inserted and acknowledged since).
     */
    long next(SplittableRandom random, long limit);

    /** An index in {@code [0, items())}. */
    default long next(SplittableRandom random) {
        return next(random, items());
    }

    /** The size of the key space at construction (the loaded records). */
    long items();

    static KeyChooser of(KeyDistribution distribution, long items) {
        return of(distribution, items, HotspotKeyChooser.DEFAULT_SET_FRACTION, HotspotKeyChooser.DEFAULT_OP_FRACTION);
    }

    static KeyChooser of(KeyDistribution distribution, long items, double hotSetFraction, double hotOpFraction) {
        return switch (distribution) {
            case UNIFORM -> new UniformKeyChooser(items);
            case ZIPFIAN -> new ScrambledZipfianGenerator(items);
            case HOTSPOT -> new HotspotKeyChooser(items, hotSetFraction, hotOpFraction);
            case LATEST -> new LatestKeyChooser(items);
        };
    }
}
