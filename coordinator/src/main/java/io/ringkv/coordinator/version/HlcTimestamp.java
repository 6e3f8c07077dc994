package io.ringkv.coordinator.version;

/**
 * A hybrid logical clock reading: 48 bits of physical milliseconds and a 16-bit logical
 * counter, packed into one long as {@code physicalMillis << 16 | logical}.
 *
 * <p>Packed values order like the readings when compared as unsigned longs, which is what
 * {@link #compareTo} and every comparison in this package do (the top bit is set only after
 * the year 6429, but the order stays right past it).
 */
public record HlcTimestamp(long physicalMillis, int logical) implements Comparable<HlcTimestamp> {
    /** The largest physical time the 48-bit field holds, in milliseconds since the epoch. */
    public static final long MAX_PHYSICAL_MILLIS = (1L << 48) - 1;
    /** The largest logical counter; one more carries into the physical field. */
    public static final int MAX_LOGICAL = 0xFFFF;

    public HlcTimestamp {
        if (physicalMillis < 0 || physicalMillis > MAX_PHYSICAL_MILLIS) {
            throw new IllegalArgumentException("physicalMillis " + physicalMillis + " out of range [0, 2^48)");
        }
        if (logical < 0 || logical > MAX_LOGICAL) {
            throw new IllegalArgumentException("logical " + logical + " out of range [0, 2^16)");
        }
    }

    /** Splits a packed timestamp; every long is a valid packing. */
    public static HlcTimestamp unpack(long packed) {
        return new HlcTimestamp(packed >>> 16, (int) (packed & MAX_LOGICAL));
    }

    public long pack() {
        return physicalMillis << 16 | logical;
    }

    @Override
    public int compareTo(HlcTimestamp other) {
        return Long.compareUnsigned(pack(), other.pack());
    }
}
