package io.ringkv.storage;

/** Big-endian reads and writes of fixed-width integers in byte arrays: the one copy every encoding uses. */
public final class Bytes {
    private Bytes() {
    }

    public static void putLong(byte[] b, int p, long v) {
        for (int i = 7; i >= 0; i--) {
            b[p + i] = (byte) v;
            v >>>= 8;
        }
    }

    public static long getLong(byte[] b, int p) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[p + i] & 0xff);
        }
        return v;
    }

    public static void putInt(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }

    public static int getInt(byte[] b, int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
    }
}
