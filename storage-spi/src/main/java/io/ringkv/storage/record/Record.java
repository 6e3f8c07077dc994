package io.ringkv.storage.record;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One stored version of a key: value bytes (empty for a tombstone), the opaque version that
 * orders it, and the coordinator's write time. The arrays are owned by the record: callers
 * must not modify them.
 */
public record Record(VersionKind kind, byte[] version, boolean tombstone, long writeTimeMillis, byte[] value) {
    private static final byte[] EMPTY = new byte[0];

    public Record {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(value, "value");
        if (tombstone && value.length != 0 && kind == VersionKind.LWW) {
            throw new IllegalArgumentException("an LWW tombstone carries no value");
        }
    }

    public static Record value(VersionKind kind, byte[] version, long writeTimeMillis, byte[] value) {
        return new Record(kind, version, false, writeTimeMillis, value);
    }

    public static Record tombstone(VersionKind kind, byte[] version, long writeTimeMillis) {
        return new Record(kind, version, true, writeTimeMillis, EMPTY);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && kind == r.kind && tombstone == r.tombstone
                && writeTimeMillis == r.writeTimeMillis && Arrays.equals(version, r.version)
                && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, tombstone, writeTimeMillis, Arrays.hashCode(version), Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "Record[" + kind + (tombstone ? ", tombstone" : "") + ", version=" + HexFormat.of().formatHex(version)
                + ", writeTimeMillis=" + writeTimeMillis + ", value=" + value.length + " bytes]";
    }
}
