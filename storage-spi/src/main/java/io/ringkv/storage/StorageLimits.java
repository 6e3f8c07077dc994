package io.ringkv.storage;

/**
 * The size limits every write is checked against: key length in UTF-8 bytes and value length.
 * Defaults: keys of 1..1024 bytes, values up to 16 MiB.
 */
public record StorageLimits(int maxKeyBytes, int maxValueBytes) {
    public static final int DEFAULT_MAX_KEY_BYTES = 1024;
    public static final int DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;
    /** Values travel as Java arrays; this leaves room for framing inside one array. */
    public static final int ABSOLUTE_MAX_VALUE_BYTES = 1 << 30;

    public static final StorageLimits DEFAULTS = new StorageLimits(DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES);

    public StorageLimits {
        if (maxKeyBytes < 1 || maxKeyBytes > 64 * 1024) {
            throw new IllegalArgumentException("maxKeyBytes must be in [1, 65536], was " + maxKeyBytes);
        }
        if (maxValueBytes < 0 || maxValueBytes > ABSOLUTE_MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("maxValueBytes must be in [0, " + ABSOLUTE_MAX_VALUE_BYTES + "], was " + maxValueBytes);
        }
    }

    /** Checks a user key's UTF-8 form. */
    public void checkKey(byte[] keyUtf8) {
        if (keyUtf8.length == 0) {
            throw new LimitException.EmptyKey();
        }
        if (keyUtf8.length > maxKeyBytes) {
            throw new LimitException.KeyTooLong(keyUtf8.length, maxKeyBytes);
        }
    }

    public void checkValue(long valueBytes) {
        if (valueBytes > maxValueBytes) {
            throw new LimitException.ValueTooLarge(valueBytes, maxValueBytes);
        }
    }
}
