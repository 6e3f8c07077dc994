package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ValueSizesTest {
    private static final long SEED = 99L;

    @Test
    void fixedRangeAndMix() {
        ValueSizes fixed = ValueSizes.parse("1KiB");
        assertThat(fixed.isFixed()).isTrue();
        assertThat(fixed.min()).isEqualTo(1024);
        assertThat(fixed.spec()).isEqualTo("1KiB");

        ValueSizes range = ValueSizes.parse("100-1k");
        assertThat(range.min()).isEqualTo(100);
        assertThat(range.max()).isEqualTo(1024);
        assertThat(range.spec()).isEqualTo("100B-1KiB");

        ValueSizes mix = ValueSizes.parse("95%:100-1KiB, 5%:1MiB-5MiB");
        assertThat(mix.classes()).hasSize(2);
        assertThat(mix.spec()).isEqualTo("95%:100B-1KiB,5%:1MiB-5MiB");
        assertThat(mix.max()).isEqualTo(5 << 20);
        assertThat(mix.classOf(500)).isZero();
        assertThat(mix.classOf(3 << 20)).isEqualTo(1);
        assertThat(mix.classOf(2000)).isZero(); // between the classes: the nearest
        assertThat(mix.classOf(0)).isZero();
    }

    @Test
    void aMixDrawsEachClassWithItsWeightAndUniformlyInside() {
        System.out.println("ValueSizesTest seed " + SEED);
        ValueSizes mix = ValueSizes.parse("95%:100-1KiB,5%:1MiB-5MiB");
        SplittableRandom random = new SplittableRandom(SEED);
        int samples = 200_000;
        int large = 0;
        long smallSum = 0;
        for (int i = 0; i < samples; i++) {
            int size = mix.next(random);
            assertThat(size).satisfiesAnyOf(s -> assertThat(s).isBetween(100, 1024),
                    s -> assertThat(s).isBetween(1 << 20, 5 << 20));
            if (size >= 1 << 20) {
                large++;
            } else {
                smallSum += size;
            }
        }
        double sigma = Math.sqrt(0.05 * 0.95 / samples);
        assertThat((double) large / samples).isCloseTo(0.05, within(5 * sigma));
        assertThat((double) smallSum / (samples - large)).isCloseTo(562.0, within(5.0));
    }

    @Test
    void badSpecsGetOneLineReasons() {
        assertThatThrownBy(() -> ValueSizes.parse("90%:1KiB,5%:1MiB")).hasMessageContaining("add up to 100%");
        assertThatThrownBy(() -> ValueSizes.parse("1KiB,1MiB")).hasMessageContaining("PERCENT%:SIZE");
        assertThatThrownBy(() -> ValueSizes.parse("2KiB-1KiB")).hasMessageContaining("ends below its start");
        assertThatThrownBy(() -> ValueSizes.parse("big")).hasMessageContaining("not a size: 'big'");
        assertThatThrownBy(() -> ValueSizes.parse("0.5")).hasMessageContaining("whole number");
        assertThatThrownBy(() -> ValueSizes.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ValueSizes.parse("x%:1KiB")).hasMessageContaining("not a percentage");
    }
}
