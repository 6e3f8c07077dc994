package io.ringkv.loadtest;

import java.util.SplittableRandom;

/**
 * YCSB's HotspotIntegerGenerator: with probability {@code opFraction} an operation picks uniformly
 * from the hot set, the lowest {@code setFraction} of the loaded indexes; otherwise uniformly from
 * the rest of the existing indexes (inserted keys are cold).
 */
public final class HotspotKeyChooser implements KeyChooser {
    /** YCSB's default hotspotdatafraction. */
    public static final double DEFAULT_SET_FRACTION = 0.2;
    /** YCSB's default hotspotopnfraction. */
    public static final double DEFAULT_OP_FRACTION = 0.8;

    private final long items;
    private final long hotItems;
    private final double opFraction;

    public HotspotKeyChooser(long items, double setFraction, double opFraction) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be >= 1, was " + items);
        }
        if (!(setFraction > 0 && setFraction <= 1)) {
            throw new IllegalArgumentException("--hotspot-set-fraction must be in (0, 1], was " + setFraction);
        }
        if (!(opFraction >= 0 && opFraction <= 1)) {
            throw new IllegalArgumentException("--hotspot-op-fraction must be in [0, 1], was " + opFraction);
        }
        this.items = items;
        this.hotItems = Math.max(1, Math.min(items, Math.round(items * setFraction)));
        this.opFraction = opFraction;
    }

    @Override
    public long next(SplittableRandom random, long limit) {
        boolean hot = random.nextDouble() < opFraction;
        if (hot || limit <= hotItems) {
            return random.nextLong(hotItems);
        }
        return hotItems + random.nextLong(limit - hotItems);
    }

    @Override
    public long items() {
        return items;
    }

    /** How many of the lowest indexes are hot. */
    public long hotItems() {
        return hotItems;
    }
}
