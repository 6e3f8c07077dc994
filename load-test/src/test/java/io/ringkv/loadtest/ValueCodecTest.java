package io.ringkv.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ValueCodecTest {
    private static final long SEED = 77L;
    private final ValueCodec codec = new ValueCodec();

    private static byte[] key(long index) {
        byte[] key = Keys.newBuffer();
        Keys.write(index, key);
        return key;
    }

    private byte[] sealedValue(byte[] key, int size, SplittableRandom random) {
        byte[] pool = ValueCodec.payloadPool(random, size);
        byte[] value = new byte[size];
        codec.fill(random, pool, value, key, Keys.LENGTH);
        return value;
    }

    @Test
    void keysAreZeroPaddedUserNames() {
        assertThat(Keys.name(0)).isEqualTo("user0000000000");
        assertThat(Keys.name(42)).isEqualTo("user0000000042");
        assertThat(Keys.name(Keys.MAX_RECORDS - 1)).isEqualTo("user9999999999");
        assertThatThrownBy(() -> Keys.name(Keys.MAX_RECORDS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Keys.name(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSealedValueVerifiesForItsKey() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int size : new int[] {8, 9, 64, 1024, 100_000}) {
            byte[] key = key(size);
            byte[] value = sealedValue(key, size, random);
            assertThat(codec.verify(key, Keys.LENGTH, value)).as("size %d", size).isTrue();
        }
    }

    @Test
    void everySingleBitFlipIsDetected() {
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] key = key(7);
        byte[] value = sealedValue(key, 64, random);
        for (int bit = 0; bit < value.length * 8; bit++) {
            byte[] corrupt = value.clone();
            corrupt[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(codec.verify(key, Keys.LENGTH, corrupt)).as("bit %d flipped", bit).isFalse();
        }
    }

    @Test
    void corruptedTruncatedZeroedAndEmptyValuesAreDetected() {
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] key = key(123);
        byte[] value = sealedValue(key, 1024, random);

        byte[] overwritten = value.clone();
        Arrays.fill(overwritten, 500, 540, (byte) 0x5a);
        assertThat(codec.verify(key, Keys.LENGTH, overwritten)).isFalse();

        assertThat(codec.verify(key, Keys.LENGTH, Arrays.copyOf(value, 1000))).isFalse();
        assertThat(codec.verify(key, Keys.LENGTH, Arrays.copyOf(value, 2000))).isFalse();
        assertThat(codec.verify(key, Keys.LENGTH, new byte[1024])).isFalse();
        assertThat(codec.verify(key, Keys.LENGTH, new byte[0])).isFalse();
        assertThat(codec.verify(key, Keys.LENGTH, new byte[3])).isFalse();
        assertThat(codec.verify(key, Keys.LENGTH, null)).isFalse();
    }

    @Test
    void anotherKeysValueIsDetected() {
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] mine = key(1000);
        // Neighbouring keys, keys differing in one digit, and the same payload sealed for another key.
        for (long other : new long[] {999, 1001, 2000, 1, 9_000_001_000L}) {
            byte[] theirs = key(other);
            byte[] theirValue = sealedValue(theirs, 256, random);
            assertThat(codec.verify(theirs, Keys.LENGTH, theirValue)).isTrue();
            assertThat(codec.verify(mine, Keys.LENGTH, theirValue)).as("value of %s read as %s",
                    Keys.toKey(theirs), Keys.toKey(mine)).isFalse();

            byte[] samePayload = theirValue.clone();
            codec.seal(mine, Keys.LENGTH, samePayload);
            assertThat(codec.verify(mine, Keys.LENGTH, samePayload)).isTrue();
            assertThat(codec.verify(theirs, Keys.LENGTH, samePayload)).isFalse();
        }
    }

    @Test
    void valuesVaryFromWriteToWrite() {
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] key = key(5);
        byte[] pool = ValueCodec.payloadPool(random, 1024);
        byte[] a = new byte[1024];
        byte[] b = new byte[1024];
        codec.fill(random, pool, a, key, Keys.LENGTH);
        codec.fill(random, pool, b, key, Keys.LENGTH);
        assertThat(a).isNotEqualTo(b);
        assertThat(codec.verify(key, Keys.LENGTH, a)).isTrue();
        assertThat(codec.verify(key, Keys.LENGTH, b)).isTrue();
    }

    @Test
    void sealRefusesValuesTooShortForTheChecksum() {
        assertThatThrownBy(() -> codec.seal(key(1), Keys.LENGTH, new byte[7]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
