package io.ringkv.loadtest;

import java.nio.charset.StandardCharsets;

/**
 * Key names: {@code "user"} and the key's index zero-padded to {@value #DIGITS} digits
 * ({@code user0000000042}), so the same index names the same key whatever {@code --records} is.
 * Written into a caller's buffer so the hot path builds a key without formatting.
 */
public final class Keys {
    public static final String PREFIX = "user";
    public static final int DIGITS = 10;
    /** Indexes are below 10^DIGITS. */
    public static final long MAX_RECORDS = 10_000_000_000L;
    /** Every key is this long, in ASCII bytes. */
    public static final int LENGTH = PREFIX.length() + DIGITS;

    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);

    private Keys() {
    }

    /** A buffer for {@link #write}, the prefix already in place. */
    public static byte[] newBuffer() {
        byte[] buffer = new byte[LENGTH];
        System.arraycopy(PREFIX_BYTES, 0, buffer, 0, PREFIX_BYTES.length);
        return buffer;
    }

    /** Writes the digits of {@code index} into a buffer from {@link #newBuffer()}. */
    public static void write(long index, byte[] buffer) {
        if (index < 0 || index >= MAX_RECORDS) {
            throw new IllegalArgumentException("key index out of range: " + index);
        }
        long v = index;
        for (int i = LENGTH - 1; i >= PREFIX_BYTES.length; i--) {
            buffer[i] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        }
    }

    /** The key a buffer holds (the one allocation a request needs: the client takes a String). */
    public static String toKey(byte[] buffer) {
        return new String(buffer, 0, LENGTH, StandardCharsets.ISO_8859_1);
    }

    /** The name of key {@code index}, for tests and tools. */
    public static String name(long index) {
        byte[] buffer = newBuffer();
        write(index, buffer);
        return toKey(buffer);
    }
}
