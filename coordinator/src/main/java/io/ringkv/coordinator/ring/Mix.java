package io.ringkv.coordinator.ring;

import java.util.Arrays;

/**
 * Deterministic scrambling used to break ties in placement, so that equal choices are spread
 * over the ring instead of piling up on low vnode numbers or low node indexes.
 */
final class Mix {

    private Mix() {
    }

    /** SplitMix64's finaliser applied to a combination of the two inputs. */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The numbers 0..count-1 in an order scrambled by {@code salt}; count is at most 2^17. */
    static int[] scrambled(int count, long salt) {
        long[] keyed = new long[count];
        long low = (1L << 17) - 1;
        for (int i = 0; i < count; i++) {
            keyed[i] = (mix(salt, i) & ~low) | i;
        }
        Arrays.sort(keyed);
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = (int) (keyed[i] & low);
        }
        return order;
    }
}
