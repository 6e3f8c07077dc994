package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkloadTest {
    private static final long SEED = 4242L;

    @Test
    void picksOperationsWithTheMixsProportions() {
        System.out.println("WorkloadTest seed " + SEED);
        double[] p = {0.4, 0.3, 0.1, 0.15, 0.05};
        Workload w = Workload.custom(p, KeyDistribution.UNIFORM);
        SplittableRandom random = new SplittableRandom(SEED);
        int samples = 200_000;
        long[] counts = new long[OpType.ALL.length];
        for (int i = 0; i < samples; i++) {
            counts[w.pick(random).ordinal()]++;
        }
        double chi2 = 0;
        for (int i = 0; i < p.length; i++) {
            double expected = p[i] * samples;
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        System.out.println("operation mix chi-square (4 dof): " + chi2);
        assertThat(chi2).isLessThan(18.47); // p = 0.001
    }

    @Test
    void neverPicksAnOperationWithoutShare() {
        Workload c = Workload.preset("c");
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 10_000; i++) {
            assertThat(c.pick(random)).isEqualTo(OpType.READ);
        }
        Workload e = Workload.preset("e");
        for (int i = 0; i < 10_000; i++) {
            assertThat(e.pick(random)).isIn(OpType.MULTI_READ, OpType.INSERT);
        }
    }

    @Test
    void proportionsMustAddUpToOne() {
        assertThatThrownBy(() -> Workload.custom(new double[] {0.5, 0.4, 0, 0, 0}, KeyDistribution.ZIPFIAN))
                .hasMessageStartingWith("the operation proportions must add up to 1");
        assertThatThrownBy(() -> Workload.custom(new double[] {1.5, -0.5, 0, 0, 0}, KeyDistribution.ZIPFIAN))
                .hasMessageContaining("must be in [0, 1]");
        assertThatThrownBy(() -> Workload.preset("z")).hasMessageContaining("a, b, c, d, e, f");
    }
}
