package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyChooserTest {
    private static final long SEED = 20261204L;

    private static long[] histogram(KeyChooser chooser, int items, int samples, long seed) {
        System.out.println("KeyChooserTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        long[] counts = new long[items];
        for (int i = 0; i < samples; i++) {
            long k = chooser.next(random);
            assertThat(k).isBetween(0L, items - 1L);
            counts[(int) k]++;
        }
        return counts;
    }

    @Test
    void zetaMatchesYcsbsPrecomputedConstantForItsHugeKeySpace() {
        // YCSB's ZETAN is zeta(10^10, 0.99); ours sums 10^6 terms and adds the Euler-Maclaurin tail.
        assertThat(ZipfianGenerator.zeta(ScrambledZipfianGenerator.YCSB_ITEM_COUNT, 0.99))
                .isCloseTo(ScrambledZipfianGenerator.YCSB_ZETAN, within(1e-6));
        // Below the exact limit it is the plain sum.
        assertThat(ZipfianGenerator.zeta(2, 0.99)).isCloseTo(1 + Math.pow(0.5, 0.99), within(1e-15));
    }

    @Test
    void zipfianFrequenciesFallAsOneOverRankToTheTheta() {
        int items = 1000;
        int samples = 2_000_000;
        ZipfianGenerator zipf = new ZipfianGenerator(items);
        long[] counts = histogram(zipf, items, samples, SEED);
        double zetan = ZipfianGenerator.zeta(items, 0.99);

        // Ranks 0 and 1 are exact in Gray's method: within 5 standard errors of 1/zetan and 2^-theta/zetan.
        for (int rank = 0; rank <= 1; rank++) {
            double p = Math.pow(rank + 1, -0.99) / zetan;
            double sigma = Math.sqrt(p * (1 - p) / samples);
            assertThat((double) counts[rank] / samples).as("rank %d", rank).isCloseTo(p, within(5 * sigma));
        }
        // Item 0 is the most frequent of all.
        assertThat(Arrays.stream(counts).max().orElseThrow()).isEqualTo(counts[0]);

        // Above rank 1 the inverse CDF is approximate; the law still holds: in log-log space the
        // frequency of ranks 1..300 falls on a line of slope -theta.
        int lo = 1;
        int hi = 300;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        int n = 0;
        for (int rank = lo; rank <= hi; rank++) {
            assertThat(counts[rank]).as("rank %d sampled", rank).isPositive();
            double x = Math.log(rank + 1);
            double y = Math.log(counts[rank]);
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            n++;
        }
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        System.out.println("zipfian log-log slope over ranks " + lo + ".." + hi + ": " + slope);
        assertThat(slope).isCloseTo(-0.99, within(0.05));

        // Summed over octaves [2^k, 2^(k+1)) the mass per item falls, each octave about 2^-theta of the last.
        double previous = Double.MAX_VALUE;
        for (int k = 1; (1 << (k + 1)) <= items; k++) {
            long sum = 0;
            for (int rank = 1 << k; rank < 1 << (k + 1); rank++) {
                sum += counts[rank];
            }
            double perItem = (double) sum / (1 << k);
            assertThat(perItem).as("octave %d", k).isLessThan(previous);
            if (previous != Double.MAX_VALUE) {
                assertThat(perItem / previous).as("octave %d ratio", k).isCloseTo(Math.pow(2, -0.99), within(0.08));
            }
            previous = perItem;
        }
    }

    @Test
    void scrambledZipfianIsSkewedButSpreadsItsHotKeysOverTheKeySpace() {
        int items = 1000;
        int samples = 1_000_000;
        long[] counts = histogram(new ScrambledZipfianGenerator(items), items, samples, SEED);

        // The hottest key is where YCSB puts rank 0, with rank 0's probability 1/zeta(10^10).
        int hottest = 0;
        for (int k = 1; k < items; k++) {
            if (counts[k] > counts[hottest]) {
                hottest = k;
            }
        }
        assertThat((long) hottest).isEqualTo(ScrambledZipfianGenerator.fnv64(0) % items);
        assertThat((double) counts[hottest] / samples).isGreaterThan(1 / ScrambledZipfianGenerator.YCSB_ZETAN);

        // Skewed: the hottest 1% of keys draw far more than 1% of requests.
        long[] sorted = counts.clone();
        Arrays.sort(sorted);
        long top = 0;
        for (int i = 0; i < items / 100; i++) {
            top += sorted[items - 1 - i];
        }
        assertThat((double) top / samples).isGreaterThan(0.10);

        // Spread: the 10 hottest keys are not bunched together (plain zipfian would put them at 0..9).
        Integer[] byHeat = new Integer[items];
        for (int i = 0; i < items; i++) {
            byHeat[i] = i;
        }
        Arrays.sort(byHeat, (a, b) -> Long.compare(counts[b], counts[a]));
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        int inFirstTenth = 0;
        for (int i = 0; i < 10; i++) {
            min = Math.min(min, byHeat[i]);
            max = Math.max(max, byHeat[i]);
            if (byHeat[i] < items / 10) {
                inFirstTenth++;
            }
        }
        System.out.println("scrambled zipfian hottest keys: " + Arrays.toString(Arrays.copyOf(byHeat, 10)));
        assertThat(max - min).isGreaterThan(items / 2);
        assertThat(inFirstTenth).isLessThanOrEqualTo(4);
        // And every key is reachable in a large enough sample.
        assertThat(Arrays.stream(counts).filter(c -> c == 0).count()).isLessThan(items / 20);
    }

    @Test
    void uniformPassesChiSquare() {
        int items = 100;
        int samples = 200_000;
        // Critical values of chi-square with 99 degrees of freedom at p = 0.001 in each tail.
        double upper = 148.23;
        double lower = 66.51;
        for (long seed = SEED; seed < SEED + 3; seed++) {
            long[] counts = histogram(new UniformKeyChooser(items), items, samples, seed);
            double expected = (double) samples / items;
            double chi2 = 0;
            for (long c : counts) {
                chi2 += (c - expected) * (c - expected) / expected;
            }
            System.out.println("uniform chi-square (99 dof), seed " + seed + ": " + chi2);
            assertThat(chi2).isBetween(lower, upper);
        }
    }

    @Test
    void generatorsStayInRangeForTinyAndHugeKeySpaces() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (long items : new long[] {1, 2, 3, 7, 5_000_000_000L}) {
            KeyChooser[] choosers = {new ZipfianGenerator(items), new ScrambledZipfianGenerator(items),
                new UniformKeyChooser(items)};
            for (KeyChooser chooser : choosers) {
                for (int i = 0; i < 10_000; i++) {
                    assertThat(chooser.next(random)).isBetween(0L, items - 1);
                }
            }
        }
    }

    @Test
    void sameSeedSameSequence() {
        KeyChooser chooser = KeyChooser.of(KeyDistribution.ZIPFIAN, 100_000);
        SplittableRandom a = new SplittableRandom(SEED);
        SplittableRandom b = new SplittableRandom(SEED);
        for (int i = 0; i < 1000; i++) {
            assertThat(chooser.next(a)).isEqualTo(chooser.next(b));
        }
    }

    @Test
    void hotspotSendsItsOperationFractionToItsSetFractionUniformly() {
        int items = 1000;
        int samples = 500_000;
        HotspotKeyChooser hot = new HotspotKeyChooser(items, 0.2, 0.8);
        assertThat(hot.hotItems()).isEqualTo(200);
        long[] counts = histogram(hot, items, samples, SEED);
        long inHot = Arrays.stream(counts, 0, 200).sum();
        double p = 0.8;
        double sigma = Math.sqrt(p * (1 - p) / samples);
        System.out.println("hotspot: fraction of operations on the hot 20%: " + (double) inHot / samples);
        assertThat((double) inHot / samples).isCloseTo(p, within(5 * sigma));
        // Uniform inside each set: chi-square of the hot set (199 dof; 0.001 tails 139.0 .. 270.9).
        double expected = inHot / 200.0;
        double chi2 = 0;
        for (int i = 0; i < 200; i++) {
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        System.out.println("hotspot: chi-square of the hot set (199 dof): " + chi2);
        assertThat(chi2).isBetween(139.0, 270.9);
        // Each cold key gets 0.2 / 800 of the operations, each hot key 0.8 / 200: 16 times less.
        double coldPerKey = (double) Arrays.stream(counts, 200, items).sum() / 800;
        assertThat(expected / coldPerKey).isCloseTo(16.0, within(1.0));
    }

    @Test
    void hotspotReachesInsertedKeysOnlyAsColdKeys() {
        HotspotKeyChooser hot = new HotspotKeyChooser(100, 0.1, 1.0);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 10_000; i++) {
            assertThat(hot.next(random, 150)).isBetween(0L, 9L);
        }
        HotspotKeyChooser cold = new HotspotKeyChooser(100, 0.1, 0.0);
        long beyondLoaded = 0;
        for (int i = 0; i < 10_000; i++) {
            long k = cold.next(random, 150);
            assertThat(k).isBetween(10L, 149L);
            beyondLoaded += k >= 100 ? 1 : 0;
        }
        assertThat(beyondLoaded).isBetween(3_000L, 4_300L); // 50 of 140 cold keys: 35.7%
    }

    @Test
    void latestFavoursTheNewestKeysLikeZipfianRanksFromTheEnd() {
        int items = 1000;
        int samples = 1_000_000;
        LatestKeyChooser latest = new LatestKeyChooser(items);
        long[] counts = histogram(latest, items, samples, SEED);
        double zetan = ZipfianGenerator.zeta(items, 0.99);
        for (int back = 0; back <= 1; back++) {
            double p = Math.pow(back + 1, -0.99) / zetan;
            double sigma = Math.sqrt(p * (1 - p) / samples);
            assertThat((double) counts[items - 1 - back] / samples).as("%d back from the newest", back)
                    .isCloseTo(p, within(5 * sigma));
        }
        // The newest tenth of the keys takes most of the operations; the oldest tenth few.
        long newest = Arrays.stream(counts, 900, 1000).sum();
        long oldest = Arrays.stream(counts, 0, 100).sum();
        System.out.println("latest: newest 10% " + (double) newest / samples + ", oldest 10% " + (double) oldest / samples);
        assertThat((double) newest / samples).isGreaterThan(0.6);
        assertThat((double) oldest / samples).isLessThan(0.03);
        // As keys are inserted the hot spot moves with the newest key.
        SplittableRandom random = new SplittableRandom(SEED);
        long atNewest = 0;
        for (int i = 0; i < 100_000; i++) {
            long k = latest.next(random, 5000);
            assertThat(k).isBetween(0L, 4999L);
            atNewest += k == 4999 ? 1 : 0;
        }
        assertThat(atNewest / 100_000.0).isCloseTo(1 / zetan, within(0.01));
    }

    @Test
    void zipfianHottestKeysTakeYcsbsShares() {
        // Scrambled zipfian over 100,000 keys: the hottest key gets rank 0's share, 1/zeta(10^10, 0.99) = 3.78%,
        // and the ten hottest keys together the first ten ranks' share.
        int items = 100_000;
        int samples = 2_000_000;
        long[] counts = histogram(new ScrambledZipfianGenerator(items), items, samples, SEED);
        long[] sorted = counts.clone();
        Arrays.sort(sorted);
        double top1 = (double) sorted[items - 1] / samples;
        double top10 = 0;
        for (int i = 1; i <= 10; i++) {
            top10 += (double) sorted[items - i] / samples;
        }
        double expectedTop1 = 1 / ScrambledZipfianGenerator.YCSB_ZETAN;
        double expectedTop10 = 0;
        for (int r = 1; r <= 10; r++) {
            expectedTop10 += Math.pow(r, -0.99) / ScrambledZipfianGenerator.YCSB_ZETAN;
        }
        System.out.println("zipfian 0.99: hottest key " + top1 + " (expected " + expectedTop1 + "), ten hottest " + top10
                + " (expected " + expectedTop10 + ")");
        assertThat(top1).isCloseTo(expectedTop1, within(0.002));
        assertThat(top10).isCloseTo(expectedTop10, within(0.01));
    }
}
