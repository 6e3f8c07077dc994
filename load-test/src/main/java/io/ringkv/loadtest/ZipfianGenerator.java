package io.ringkv.loadtest;

import java.util.SplittableRandom;

/**
 * Zipfian ranks in {@code [0, items)}: rank {@code i} is drawn with probability proportional to
 * {@code 1 / (i + 1)^theta}, so rank 0 is the most popular. This is YCSB's ZipfianGenerator
 * (Gray et al., "Quickly Generating Billion-Record Synthetic Databases", SIGMOD 1994): exact for
 * ranks 0 and 1, a closed-form approximation of the inverse CDF above them. Popular ranks are
 * adjacent; {@link ScrambledZipfianGenerator} scatters them over the key space.
 */
public final class ZipfianGenerator implements KeyChooser {
    /** YCSB's default skew. */
    public static final double THETA = 0.99;
    /** Up to this many terms zeta is summed exactly; beyond, the tail uses Euler-Maclaurin. */
    private static final long EXACT_ZETA_TERMS = 1_000_000;

    private final long items;
    private final double theta;
    private final double zetan;
    private final double alpha;
    private final double eta;
    private final double halfPowTheta;

    public ZipfianGenerator(long items) {
        this(items, THETA);
    }

    public ZipfianGenerator(long items, double theta) {
        this(items, theta, zeta(items, theta));
    }

    /** With a precomputed {@code zetan = zeta(items, theta)}, as YCSB does for its huge key space. */
    ZipfianGenerator(long items, double theta, double zetan) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be >= 1, was " + items);
        }
        if (!(theta > 0 && theta < 1)) {
            throw new IllegalArgumentException("theta must be in (0, 1), was " + theta);
        }
        this.items = items;
        this.theta = theta;
        this.zetan = zetan;
        this.alpha = 1.0 / (1.0 - theta);
        double zeta2theta = zeta(2, theta);
        this.eta = (1 - Math.pow(2.0 / items, 1 - theta)) / (1 - zeta2theta / zetan);
        this.halfPowTheta = Math.pow(0.5, theta);
    }

    /** A rank in {@code [0, items)}; {@code limit} only folds it when fewer keys exist. */
    @Override
    public long next(SplittableRandom random, long limit) {
        long rank = next(random);
        return rank < limit ? rank : rank % limit;
    }

    @Override
    public long next(SplittableRandom random) {
        double u = random.nextDouble();
        double uz = u * zetan;
        if (uz < 1.0) {
            return 0;
        }
        if (uz < 1.0 + halfPowTheta || items < 3) {
            return Math.min(1, items - 1);
        }
        long rank = (long) (items * Math.pow(eta * u - eta + 1, alpha));
        return Math.min(rank, items - 1);
    }

    @Override
    public long items() {
        return items;
    }

    public double theta() {
        return theta;
    }

    /** The generalized harmonic number {@code sum_{i=1..n} 1 / i^theta}. */
    public static double zeta(long n, double theta) {
        long exact = Math.min(n, EXACT_ZETA_TERMS);
        double sum = 0;
        for (long i = exact; i >= 1; i--) { // smallest terms first, for accuracy
            sum += 1.0 / Math.pow(i, theta);
        }
        if (n > exact) {
            // sum_{i=m+1..n} f(i) ~ integral_m^n f + (f(n) - f(m)) / 2 + (f'(n) - f'(m)) / 12,
            // with f(x) = x^-theta; the error is far below a double's precision at m = 10^6.
            double m = exact;
            double x = n;
            double integral = (Math.pow(x, 1 - theta) - Math.pow(m, 1 - theta)) / (1 - theta);
            double ends = (Math.pow(x, -theta) - Math.pow(m, -theta)) / 2;
            double slopes = (-theta * Math.pow(x, -theta - 1) + theta * Math.pow(m, -theta - 1)) / 12;
            sum += integral + ends + slopes;
        }
        return sum;
    }
}
