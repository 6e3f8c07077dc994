package io.ringkv.loadtest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Self-checking values. The first {@value #HEADER_BYTES} bytes of every value the benchmark writes
 * are a checksum of the key and of the rest of the value: big-endian
 * {@code CRC32C(k) << 32 | CRC32(k)} where {@code k = len(key) (1 byte) || key (ASCII) || value[8..]}.
 * Two CRCs with different polynomials make 64 check bits; binding the key makes another key's
 * (intact) value fail as surely as a corrupted, truncated or zeroed one.
 *
 * <p>Not thread-safe (it reuses its CRC state): one instance per thread.
 */
public final class ValueCodec {
    public static final int HEADER_BYTES = 8;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** How many distinct payloads a pool offers per value size. */
    private static final int POOL_SLACK = 4096;

    private final CRC32C crc32c = new CRC32C();
    private final CRC32 crc32 = new CRC32();

    /**
     * Random bytes a little longer than a payload: each write copies its payload from a random
     * offset of the pool, so values vary from write to write without generating bytes per write.
     */
    public static byte[] payloadPool(SplittableRandom random, int valueSize) {
        byte[] pool = new byte[valueSize - HEADER_BYTES + POOL_SLACK];
        random.nextBytes(pool);
        return pool;
    }

    /** Fills {@code value} with a payload from {@code pool} and seals it for the key in {@code key[0, keyLength)}. */
    public void fill(SplittableRandom random, byte[] pool, byte[] value, byte[] key, int keyLength) {
        fill(poolOffset(random, pool, value.length), pool, value, key, keyLength);
    }

    /** Where in {@code pool} the payload of a value of {@code valueSize} bytes starts: drawn from {@code random}. */
    public static int poolOffset(SplittableRandom random, byte[] pool, int valueSize) {
        return random.nextInt(pool.length - (valueSize - HEADER_BYTES) + 1);
    }

    /** Fills {@code value} with the payload at {@code offset} of {@code pool} and seals it for the key in {@code key[0, keyLength)}. */
    public void fill(int offset, byte[] pool, byte[] value, byte[] key, int keyLength) {
        System.arraycopy(pool, offset, value, HEADER_BYTES, value.length - HEADER_BYTES);
        seal(key, keyLength, value);
    }

    /** Writes the header of {@code value} (at least {@value #HEADER_BYTES} bytes) for the key in {@code key[0, keyLength)}. */
    public void seal(byte[] key, int keyLength, byte[] value) {
        if (value.length < HEADER_BYTES) {
            throw new IllegalArgumentException("values must be at least " + HEADER_BYTES + " bytes, was " + value.length);
        }
        LONG_BE.set(value, 0, checksum(key, keyLength, value));
    }

    /** Whether {@code value} is a sealed value of this key, intact. */
    public boolean verify(byte[] key, int keyLength, byte[] value) {
        if (value == null || value.length < HEADER_BYTES) {
            return false;
        }
        return (long) LONG_BE.get(value, 0) == checksum(key, keyLength, value);
    }

    private long checksum(byte[] key, int keyLength, byte[] value) {
        crc32c.reset();
        crc32c.update(keyLength & 0xff);
        crc32c.update(key, 0, keyLength);
        crc32c.update(value, HEADER_BYTES, value.length - HEADER_BYTES);
        crc32.reset();
        crc32.update(keyLength & 0xff);
        crc32.update(key, 0, keyLength);
        crc32.update(value, HEADER_BYTES, value.length - HEADER_BYTES);
        return crc32c.getValue() << 32 | crc32.getValue();
    }
}
