package io.ringkv.loadtest;

import java.util.SplittableRandom;

/**
 * Picks the index of the next key to touch, in {@code [0, items)}. Implementations are immutable
 * and shared by all worker threads; the randomness comes from the caller's own generator, so a
 * worker's sequence depends only on its seed.
 */
public interface KeyChooser {
    long next(SplittableRandom random);

    /** The size of the key space. */
    long items();

    static KeyChooser of(KeyDistribution distribution, long items) {
        return switch (distribution) {
            case UNIFORM -> new UniformKeyChooser(items);
            case ZIPFIAN -> new ScrambledZipfianGenerator(items);
        };
    }
}
