package io.ringkv.storage;

import java.nio.charset.StandardCharsets;

/**
 * The on-disk key layout {@code [token: 8 bytes big-endian][key bytes]}, and vnode ranges.
 *
 * <p>Tokens are compared unsigned, so vnode {@code v} of {@code Q} is the contiguous range of
 * stored keys whose token's top {@code log2 Q} bits equal {@code v}.
 */
public final class StorageKeys {
    public static final int TOKEN_BYTES = 8;

    private StorageKeys() {
    }

    /** The stored key of a user key: checks it against the limits, hashes it, lays it out. */
    public static byte[] encode(String key, StorageLimits limits) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        limits.checkKey(utf8);
        return encode(Tokens.of(utf8), utf8);
    }

    public static byte[] encode(long token, byte[] keyUtf8) {
        byte[] out = new byte[TOKEN_BYTES + keyUtf8.length];
        Bytes.putLong(out, 0, token);
        System.arraycopy(keyUtf8, 0, out, TOKEN_BYTES, keyUtf8.length);
        return out;
    }

    public static long token(byte[] storedKey) {
        if (storedKey.length < TOKEN_BYTES) {
            throw new IllegalArgumentException("stored key of " + storedKey.length + " bytes has no token");
        }
        return Bytes.getLong(storedKey, 0);
    }

    public static String userKey(byte[] storedKey) {
        if (storedKey.length < TOKEN_BYTES) {
            throw new IllegalArgumentException("stored key of " + storedKey.length + " bytes has no token");
        }
        return new String(storedKey, TOKEN_BYTES, storedKey.length - TOKEN_BYTES, StandardCharsets.UTF_8);
    }

    /** The vnode of a token: its top {@code log2 vnodeCount} bits. */
    public static int vnodeOf(long token, int vnodeCount) {
        int bits = log2(vnodeCount);
        return bits == 0 ? 0 : (int) (token >>> (64 - bits));
    }

    /** The first stored key of vnode {@code v} (inclusive). */
    public static byte[] vnodeStart(int vnode, int vnodeCount) {
        checkVnode(vnode, vnodeCount);
        int bits = log2(vnodeCount);
        byte[] out = new byte[TOKEN_BYTES];
        Bytes.putLong(out, 0, bits == 0 ? 0 : (long) vnode << (64 - bits));
        return out;
    }

    /** The end of vnode {@code v} (exclusive), or {@code null} for the last vnode. */
    public static byte[] vnodeEnd(int vnode, int vnodeCount) {
        checkVnode(vnode, vnodeCount);
        return vnode == vnodeCount - 1 ? null : vnodeStart(vnode + 1, vnodeCount);
    }

    /** log2 of a power of two in [1, 2^30]. */
    public static int log2(int powerOfTwo) {
        if (powerOfTwo <= 0 || Integer.bitCount(powerOfTwo) != 1) {
            throw new IllegalArgumentException("vnode count must be a power of two, was " + powerOfTwo);
        }
        return Integer.numberOfTrailingZeros(powerOfTwo);
    }

    private static void checkVnode(int vnode, int vnodeCount) {
        log2(vnodeCount);
        if (vnode < 0 || vnode >= vnodeCount) {
            throw new IllegalArgumentException("vnode " + vnode + " outside [0, " + vnodeCount + ")");
        }
    }


}
