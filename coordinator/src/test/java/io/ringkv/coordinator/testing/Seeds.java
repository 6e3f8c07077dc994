package io.ringkv.coordinator.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Property checks for plain JUnit 5: run a property over {@code tries} generated cases, case
 * {@code i} drawn from its own {@code SplittableRandom(base + i)}. A failure names the case's seed
 * and the case itself; rerunning the test with {@code -Dringkv.test.seed=<that seed>} makes it the
 * first case generated. Without the property the base seed is fixed per test method (a hash of its
 * class and name), so every run checks the same cases; {@code -Dringkv.test.seed=random} draws a
 * fresh base seed instead.
 */
public final class Seeds {

    /** The system property that overrides the base seed: a long, or {@code random}. */
    public static final String SEED_PROPERTY = "ringkv.test.seed";

    /** More than five rejected cases per checked one fails the property: it must not pass on almost nothing. */
    private static final int MAX_REJECTED_PER_CHECKED = 5;

    private Seeds() {
    }

    /**
     * Generates {@code tries} cases and checks the property on each, stopping at the first that
     * fails. A case the generator or property rejects with {@link #assume} counts as a try but not
     * as a check.
     */
    public static <T> void check(int tries, Function<Gen, ? extends T> generator, Consumer<? super T> property) {
        long base = baseSeed();
        int checked = 0;
        int rejected = 0;
        for (int i = 0; i < tries; i++) {
            long seed = base + i;
            Object example = "(not generated)";
            try {
                T generated = generator.apply(new Gen(seed));
                example = generated;
                property.accept(generated);
                checked++;
            } catch (Rejected r) {
                rejected++;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(String.format(
                        "property failed at case %d of %d, seed %d (rerun with -D%s=%d)%n  case: %s%n  failure: %s",
                        i + 1, tries, seed, SEED_PROPERTY, seed, describe(example), t), t);
            }
        }
        if (checked == 0 || rejected > MAX_REJECTED_PER_CHECKED * checked) {
            throw new AssertionError(String.format("too many cases rejected: %d of %d tries (base seed %d)",
                    rejected, tries, base));
        }
    }

    /** Rejects the current case (it is skipped, not failed) unless the condition holds. */
    public static void assume(boolean condition) {
        if (!condition) {
            throw Rejected.INSTANCE;
        }
    }

    private static long baseSeed() {
        String override = System.getProperty(SEED_PROPERTY, "").strip();
        if (override.equals("random")) {
            return new SplittableRandom().nextLong();
        }
        if (!override.isEmpty()) {
            return Long.parseLong(override);
        }
        String caller = StackWalker.getInstance()
                .walk(frames -> frames.filter(f -> !f.getClassName().equals(Seeds.class.getName()))
                        .findFirst()
                        .map(f -> f.getClassName() + "#" + f.getMethodName())
                        .orElse(""));
        return Integer.toUnsignedLong(caller.hashCode()) * 1_000_000L;
    }

    private static String describe(Object example) {
        return switch (example) {
            case byte[] bytes -> "byte[" + bytes.length + "] " + HexFormat.of().formatHex(bytes);
            case Object[] array -> Arrays.deepToString(array);
            case null -> "null";
            default -> example.toString();
        };
    }

    private static final class Rejected extends RuntimeException {
        private static final Rejected INSTANCE = new Rejected();

        private Rejected() {
            super("case rejected", null, false, false);
        }
    }

    /**
     * Draws for one case. Ranges are inclusive; one draw in {@value #EDGE_ODDS} from a range (or a
     * collection size) is one of its edges: its bounds, or 0, 1 or -1 if inside it.
     */
    public static final class Gen {
        private static final int EDGE_ODDS = 16;

        private final SplittableRandom random;

        Gen(long seed) {
            this.random = new SplittableRandom(seed);
        }

        public int between(int min, int max) {
            return (int) between((long) min, max);
        }

        public long between(long min, long max) {
            if (min > max) {
                throw new IllegalArgumentException("empty range " + min + ".." + max);
            }
            if (random.nextInt(EDGE_ODDS) == 0) {
                List<Long> edges = new ArrayList<>(List.of(min, max));
                for (long v : new long[] {0, 1, -1}) {
                    if (v > min && v < max) {
                        edges.add(v);
                    }
                }
                return edges.get(random.nextInt(edges.size()));
            }
            if (max < Long.MAX_VALUE) {
                return random.nextLong(min, max + 1);
            }
            return min == Long.MIN_VALUE ? random.nextLong() : random.nextLong(min - 1, max) + 1;
        }

        /** Any long, its edges ({@code MIN_VALUE}, {@code MAX_VALUE}, 0, 1, -1) included. */
        public long anyLong() {
            return between(Long.MIN_VALUE, Long.MAX_VALUE);
        }

        public boolean bool() {
            return random.nextBoolean();
        }

        /** Uniform in {@code [0, bound)}, no edges: for picking among alternatives by weight. */
        public int index(int bound) {
            return random.nextInt(bound);
        }

        @SafeVarargs
        public final <E> E oneOf(E... choices) {
            return choices[random.nextInt(choices.length)];
        }

        /** A list of {@code minSize..maxSize} elements, each drawn from {@code element}. */
        public <E> List<E> list(int minSize, int maxSize, Function<Gen, ? extends E> element) {
            int size = between(minSize, maxSize);
            List<E> list = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                list.add(element.apply(this));
            }
            return list;
        }

        /**
         * {@code minSize..maxSize} bytes; one in four is an edge byte (0, 1, -1, 127, -128), so
         * format bytes and small counts a decoder checks first come up often.
         */
        public byte[] bytes(int minSize, int maxSize) {
            byte[] bytes = new byte[between(minSize, maxSize)];
            byte[] edges = {0, 1, -1, Byte.MAX_VALUE, Byte.MIN_VALUE};
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextInt(4) == 0 ? edges[random.nextInt(edges.length)] : (byte) random.nextInt(256);
            }
            return bytes;
        }

        /** An independent generator, e.g. for {@code Collections.shuffle}. */
        public RandomGenerator random() {
            return random.split();
        }
    }
}
