package io.ringkv.coordinator.handoff;

import io.ringkv.coordinator.transport.ReplicaWrite;
import io.ringkv.storage.Bytes;
import io.ringkv.storage.record.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One stored hint: the write {@code target} missed, kept since {@code createdMillis} (wall time);
 * {@code sequence} orders hints created in the same millisecond. {@code storedKey} and
 * {@code sizeBytes} are where and how big it is in the {@code hints} namespace.
 */
public record Hint(String target, long createdMillis, long sequence, ReplicaWrite write, byte[] storedKey,
                   long sizeBytes) {
    private static final byte FORMAT = 1;

    /** The write to send to the target: a plain replica write, never marked as a hint. */
    public ReplicaWrite delivery() {
        return write;
    }

    /** {@code [target length: 1][target UTF-8][created millis: 8 BE][sequence: 8 BE]}: oldest first per target. */
    static byte[] key(String target, long createdMillis, long sequence) {
        byte[] prefix = prefix(target);
        byte[] out = Arrays.copyOf(prefix, prefix.length + 16);
        // Flipping the sign bit keeps the unsigned byte order of the keys equal to the numeric order.
        Bytes.putLong(out, prefix.length, createdMillis ^ Long.MIN_VALUE);
        Bytes.putLong(out, prefix.length + 8, sequence);
        return out;
    }

    static byte[] prefix(String target) {
        byte[] id = target.getBytes(StandardCharsets.UTF_8);
        if (id.length == 0 || id.length > 255) {
            throw new IllegalArgumentException("hint target id must be 1..255 bytes, was " + id.length);
        }
        byte[] out = new byte[1 + id.length];
        out[0] = (byte) id.length;
        System.arraycopy(id, 0, out, 1, id.length);
        return out;
    }

    /** The first key after every key that starts with {@code prefix}. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    /** {@code [format: 1][ring epoch: 8][keyspace length: 2][keyspace][key length: 4][key][encoded record]}. */
    static byte[] encodeValue(ReplicaWrite write) {
        byte[] ks = write.keyspace().getBytes(StandardCharsets.UTF_8);
        byte[] key = write.key().getBytes(StandardCharsets.UTF_8);
        byte[] record = write.encoded();
        byte[] out = new byte[1 + 8 + 2 + ks.length + 4 + key.length + record.length];
        int at = 0;
        out[at++] = FORMAT;
        Bytes.putLong(out, at, write.ringEpoch());
        at += 8;
        out[at++] = (byte) (ks.length >>> 8);
        out[at++] = (byte) ks.length;
        System.arraycopy(ks, 0, out, at, ks.length);
        at += ks.length;
        Bytes.putInt(out, at, key.length);
        at += 4;
        System.arraycopy(key, 0, out, at, key.length);
        at += key.length;
        System.arraycopy(record, 0, out, at, record.length);
        return out;
    }

    static Hint decode(byte[] storedKey, byte[] value) {
        int idLength = storedKey[0] & 0xff;
        String target = new String(storedKey, 1, idLength, StandardCharsets.UTF_8);
        long created = Bytes.getLong(storedKey, 1 + idLength) ^ Long.MIN_VALUE;
        long sequence = Bytes.getLong(storedKey, 1 + idLength + 8);
        if (value[0] != FORMAT) {
            throw new IllegalStateException("hint for " + target + " has unknown format " + value[0]);
        }
        int at = 1;
        long epoch = Bytes.getLong(value, at);
        at += 8;
        int ksLength = (value[at] & 0xff) << 8 | (value[at + 1] & 0xff);
        at += 2;
        String keyspace = new String(value, at, ksLength, StandardCharsets.UTF_8);
        at += ksLength;
        int keyLength = Bytes.getInt(value, at);
        at += 4;
        String key = new String(value, at, keyLength, StandardCharsets.UTF_8);
        at += keyLength;
        byte[] record = Arrays.copyOfRange(value, at, value.length);
        ReplicaWrite write = new ReplicaWrite(keyspace, key, RecordCodec.decode(record), record, epoch);
        return new Hint(target, created, sequence, write, storedKey, (long) storedKey.length + value.length);
    }
}
