package io.ringkv.loadtest;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * An operation mix: the probability of each {@link OpType} and the default key distribution.
 * The YCSB core workloads A-F are presets (load-test/README.md says exactly what each means
 * here); {@code custom} is any other mix.
 *
 * @param name         {@code a}..{@code f} or {@code custom}
 * @param proportions  per {@link OpType} (by ordinal), adding up to 1
 * @param distribution the key distribution the preset implies (a flag may override it)
 */
public record Workload(String name, double[] proportions, KeyDistribution distribution) {
    public Workload {
        proportions = proportions.clone();
        if (proportions.length != OpType.ALL.length) {
            throw new IllegalArgumentException("one proportion per operation type is needed");
        }
        double sum = 0;
        for (int i = 0; i < proportions.length; i++) {
            double p = proportions[i];
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("--" + OpType.ALL[i].label().replace('_', '-')
                        + "-proportion must be in [0, 1], was " + p);
            }
            sum += p;
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the operation proportions must add up to 1, they add up to %.6g (%s)", sum, describe(proportions)));
        }
    }

    /** The preset of a YCSB core workload letter (case-insensitive). */
    public static Workload preset(String letter) {
        return switch (letter.trim().toLowerCase(Locale.ROOT)) {
            case "a" -> of("a", KeyDistribution.ZIPFIAN, OpType.READ, 0.5, OpType.UPDATE, 0.5);
            case "b" -> of("b", KeyDistribution.ZIPFIAN, OpType.READ, 0.95, OpType.UPDATE, 0.05);
            case "c" -> of("c", KeyDistribution.ZIPFIAN, OpType.READ, 1.0);
            case "d" -> of("d", KeyDistribution.LATEST, OpType.READ, 0.95, OpType.INSERT, 0.05);
            case "e" -> of("e", KeyDistribution.ZIPFIAN, OpType.MULTI_READ, 0.95, OpType.INSERT, 0.05);
            case "f" -> of("f", KeyDistribution.ZIPFIAN, OpType.READ, 0.5, OpType.READ_MODIFY_WRITE, 0.5);
            default -> throw new IllegalArgumentException("--workload must be one of a, b, c, d, e, f, was '" + letter + "'");
        };
    }

    /** A custom mix. */
    public static Workload custom(double[] proportions, KeyDistribution distribution) {
        return new Workload("custom", proportions, distribution);
    }

    private static Workload of(String name, KeyDistribution distribution, Object... opAndProportion) {
        double[] p = new double[OpType.ALL.length];
        for (int i = 0; i < opAndProportion.length; i += 2) {
            p[((OpType) opAndProportion[i]).ordinal()] = (Double) opAndProportion[i + 1];
        }
        return new Workload(name, p, distribution);
    }

    public double proportion(OpType op) {
        return proportions[op.ordinal()];
    }

    @Override
    public double[] proportions() {
        return proportions.clone();
    }

    /** The next operation, drawn with the mix's probabilities. */
    public OpType pick(SplittableRandom random) {
        double u = random.nextDouble();
        double cumulative = 0;
        OpType last = OpType.READ;
        for (OpType op : OpType.ALL) {
            double p = proportions[op.ordinal()];
            if (p == 0) {
                continue;
            }
            last = op;
            cumulative += p;
            if (u < cumulative) {
                return op;
            }
        }
        return last; // u just below 1 and rounding in the sum
    }

    /** E.g. {@code read 95%, update 5%}. */
    public String describe() {
        return describe(proportions);
    }

    private static String describe(double[] proportions) {
        StringBuilder s = new StringBuilder();
        for (OpType op : OpType.ALL) {
            double p = proportions[op.ordinal()];
            if (p > 0) {
                s.append(s.isEmpty() ? "" : ", ").append(op.label()).append(' ')
                        .append(String.format(Locale.ROOT, "%.4g%%", p * 100));
            }
        }
        return s.isEmpty() ? "nothing" : s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Workload w && name.equals(w.name) && Arrays.equals(proportions, w.proportions)
                && distribution == w.distribution;
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(proportions) + distribution.hashCode();
    }

    @Override
    public String toString() {
        return "Workload[" + name + ": " + describe() + ", " + distribution.label() + "]";
    }
}
