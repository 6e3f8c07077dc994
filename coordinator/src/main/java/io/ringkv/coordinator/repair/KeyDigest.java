package io.ringkv.coordinator.repair;

import io.ringkv.storage.Tokens;
import io.ringkv.storage.record.Record;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a Merkle leaf hashes for one record: its stored key, a digest of its version and its
 * tombstone flag. The write time rides along for tombstone collection and is not hashed: equal
 * versions mean equal records (an LWW version names its write; equal causal joins mean equal sets).
 * The key array is owned by the digest.
 */
public record KeyDigest(byte[] storedKey, long versionDigest, boolean tombstone, long writeTimeMillis) {
    public KeyDigest {
        Objects.requireNonNull(storedKey, "storedKey");
    }

    public static KeyDigest of(byte[] storedKey, Record record) {
        return new KeyDigest(storedKey, versionDigest(record), record.tombstone(), record.writeTimeMillis());
    }

    /** A 64-bit digest of the record's version kind and version bytes. */
    public static long versionDigest(Record record) {
        byte[] v = record.version();
        return Tokens.murmur3x64_128(v, 0, v.length, record.kind().ordinal() + 1)[0];
    }

    /** True when both name the same record (same version and tombstone flag). */
    public boolean sameRecord(KeyDigest other) {
        return other != null && versionDigest == other.versionDigest && tombstone == other.tombstone;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyDigest d && versionDigest == d.versionDigest && tombstone == d.tombstone
                && writeTimeMillis == d.writeTimeMillis && Arrays.equals(storedKey, d.storedKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(storedKey), versionDigest, tombstone, writeTimeMillis);
    }

    @Override
    public String toString() {
        return "KeyDigest[" + HexFormat.of().formatHex(storedKey) + ", version=" + Long.toHexString(versionDigest)
                + (tombstone ? ", tombstone" : "") + "]";
    }
}
