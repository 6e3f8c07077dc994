package io.ringkv.storage;

/** Input outside a configured limit; nothing was written. The message is one line for the user. */
public abstract sealed class LimitException extends IllegalArgumentException {
    private LimitException(String message) {
        super(message);
    }

    /** The key is the empty string. */
    public static final class EmptyKey extends LimitException {
        public EmptyKey() {
            super("key is empty: keys must be 1 or more bytes of UTF-8");
        }
    }

    /** The key's UTF-8 form is longer than the limit. */
    public static final class KeyTooLong extends LimitException {
        private final int keyBytes;
        private final int maxKeyBytes;

        public KeyTooLong(int keyBytes, int maxKeyBytes) {
            super("key is " + keyBytes + " bytes of UTF-8, over the limit of " + maxKeyBytes);
            this.keyBytes = keyBytes;
            this.maxKeyBytes = maxKeyBytes;
        }

        public int keyBytes() {
            return keyBytes;
        }

        public int maxKeyBytes() {
            return maxKeyBytes;
        }
    }

    /** The value is longer than the limit. */
    public static final class ValueTooLarge extends LimitException {
        private final long valueBytes;
        private final long maxValueBytes;

        public ValueTooLarge(long valueBytes, long maxValueBytes) {
            super("value is " + valueBytes + " bytes, over the limit of " + maxValueBytes);
            this.valueBytes = valueBytes;
            this.maxValueBytes = maxValueBytes;
        }

        public long valueBytes() {
            return valueBytes;
        }

        public long maxValueBytes() {
            return maxValueBytes;
        }
    }
}
