package io.ringkv.loadtest;

import java.util.SplittableRandom;

/**
 * YCSB's ScrambledZipfianGenerator (its "zipfian" request distribution): a zipfian rank over
 * YCSB's fixed space of 10^10 items (theta 0.99, YCSB's precomputed zeta), hashed with 64-bit
 * FNV-1a and reduced modulo the real key count. The skew stays, but the popular keys land all
 * over the key space instead of at its start, and the distribution does not depend on how many
 * keys there are (so zeta is never recomputed, whatever {@code items} is).
 */
public final class ScrambledZipfianGenerator implements KeyChooser {
    /** YCSB's ScrambledZipfianGenerator.ITEM_COUNT. */
    static final long YCSB_ITEM_COUNT = 10_000_000_000L;
    /** YCSB's ScrambledZipfianGenerator.ZETAN: zeta(10^10, 0.99). */
    static final double YCSB_ZETAN = 26.46902820178302;

    private static final long FNV_OFFSET_BASIS_64 = 0xCBF29CE484222325L;
    private static final long FNV_PRIME_64 = 1099511628211L;

    private final long items;
    private final ZipfianGenerator ranks;

    public ScrambledZipfianGenerator(long items) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be >= 1, was " + items);
        }
        this.items = items;
        // YCSB: new ZipfianGenerator(0, ITEM_COUNT, 0.99, ZETAN), i.e. ITEM_COUNT + 1 items.
        this.ranks = new ZipfianGenerator(YCSB_ITEM_COUNT + 1, ZipfianGenerator.THETA, YCSB_ZETAN);
    }

    /**
     * An index among the loaded keys (never an inserted one: reducing modulo a growing count
     * would move every hot key at each insert; YCSB likewise draws from a fixed key space).
     */
    @Override
    public long next(SplittableRandom random, long limit) {
        return Math.floorMod(fnv64(ranks.next(random)), Math.min(items, limit));
    }

    @Override
    public long items() {
        return items;
    }

    /** YCSB's Utils.fnvhash64: FNV-1a over the 8 little-endian bytes, then the absolute value. */
    static long fnv64(long value) {
        long hash = FNV_OFFSET_BASIS_64;
        long v = value;
        for (int i = 0; i < 8; i++) {
            long octet = v & 0xff;
            v >>= 8;
            hash ^= octet;
            hash *= FNV_PRIME_64;
        }
        return Math.abs(hash);
    }
}
