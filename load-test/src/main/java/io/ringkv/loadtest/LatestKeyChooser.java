package io.ringkv.loadtest;

import java.util.SplittableRandom;

/**
 * YCSB's SkewedLatestGenerator (workload D's "latest"): a zipfian rank (theta 0.99) counted back
 * from the newest existing index, so the key inserted last is the most popular, the one before it
 * next, and so on. The ranks' zeta is computed once for the loaded record count (YCSB recomputes
 * it as keys are inserted; over a run that inserts a few percent more keys the difference is
 * below a percent of the hottest keys' mass).
 */
public final class LatestKeyChooser implements KeyChooser {
    private final ZipfianGenerator ranks;

    public LatestKeyChooser(long items) {
        this.ranks = new ZipfianGenerator(items);
    }

    @Override
    public long next(SplittableRandom random, long limit) {
        // ranks.next() < items <= limit, so the index is never negative.
        return limit - 1 - ranks.next(random);
    }

    @Override
    public long items() {
        return ranks.items();
    }
}
