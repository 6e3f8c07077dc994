package io.ringkv.storage.record;

import io.ringkv.storage.Bytes;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes records as {@code [format][flags][writeTime: 8][varint versionLength][version]
 * [varint valueLength][value][crc32c: 4]}. The checksum covers every byte before it, so a
 * truncated or garbled record is reported as corrupt, never decoded into a wrong value.
 *
 * <p>Cost: one allocation and one copy of the value per encode and per decode, plus a
 * CRC32C pass (hardware-accelerated) over the record; a record in pieces is decoded without
 * joining them.
 */
public final class RecordCodec {
    /** The format this codec writes. Readers accept every format they know. */
    public static final byte FORMAT_V1 = 1;
    private static final int FLAG_TOMBSTONE = 1;
    private static final int FLAG_CAUSAL = 2;
    private static final int KNOWN_FLAGS = FLAG_TOMBSTONE | FLAG_CAUSAL;
    private static final int FIXED_HEADER = 1 + 1 + 8;
    private static final int CRC_BYTES = 4;

    private RecordCodec() {
    }

    public static byte[] encode(Record r) {
        byte[] version = r.version();
        byte[] value = r.value();
        int size = FIXED_HEADER + varintSize(version.length) + version.length + varintSize(value.length)
                + value.length + CRC_BYTES;
        byte[] out = new byte[size];
        out[0] = FORMAT_V1;
        out[1] = (byte) ((r.tombstone() ? FLAG_TOMBSTONE : 0) | (r.kind() == VersionKind.CAUSAL ? FLAG_CAUSAL : 0));
        Bytes.putLong(out, 2, r.writeTimeMillis());
        int p = putVarint(out, FIXED_HEADER, version.length);
        System.arraycopy(version, 0, out, p, version.length);
        p += version.length;
        p = putVarint(out, p, value.length);
        System.arraycopy(value, 0, out, p, value.length);
        p += value.length;
        Bytes.putInt(out, p, crc(out, 0, p));
        return out;
    }

    public static Record decode(byte[] in) {
        if (in == null || in.length < FIXED_HEADER + 2 + CRC_BYTES) {
            throw new CorruptRecordException("record truncated: " + (in == null ? "null" : in.length + " bytes"));
        }
        if (in[0] != FORMAT_V1) {
            throw new CorruptRecordException("unknown record format " + (in[0] & 0xff));
        }
        int body = in.length - CRC_BYTES;
        if (crc(in, 0, body) != Bytes.getInt(in, body)) {
            throw new CorruptRecordException("record checksum mismatch (" + in.length + " bytes)");
        }
        int flags = in[1] & 0xff;
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new CorruptRecordException("unknown record flags " + flags);
        }
        long writeTime = Bytes.getLong(in, 2);
        int[] cursor = {FIXED_HEADER};
        int versionLength = getVarint(in, cursor, body);
        byte[] version = slice(in, cursor, versionLength, body);
        int valueLength = getVarint(in, cursor, body);
        byte[] value = slice(in, cursor, valueLength, body);
        if (cursor[0] != body) {
            throw new CorruptRecordException("record has " + (body - cursor[0]) + " trailing bytes");
        }
        VersionKind kind = (flags & FLAG_CAUSAL) != 0 ? VersionKind.CAUSAL : VersionKind.LWW;
        boolean tombstone = (flags & FLAG_TOMBSTONE) != 0;
        try {
            return new Record(kind, version, tombstone, writeTime, value);
        } catch (IllegalArgumentException e) {
            throw new CorruptRecordException("invalid record: " + e.getMessage());
        }
    }

    /**
     * {@link #decode(byte[])} of a record held in pieces (a streamed read's chunks, a message's
     * buffers), checked the same way, without joining them first: the value is the one copy, from
     * the pieces into its own array. The buffers' positions are left as they were.
     */
    public static Record decode(List<ByteBuffer> pieces) {
        Pieces in = new Pieces(pieces);
        if (in.length < FIXED_HEADER + 2 + CRC_BYTES) {
            throw new CorruptRecordException("record truncated: " + in.length + " bytes");
        }
        byte[] fixed = in.copy(0, FIXED_HEADER);
        if (fixed[0] != FORMAT_V1) {
            throw new CorruptRecordException("unknown record format " + (fixed[0] & 0xff));
        }
        int body = in.length - CRC_BYTES;
        if (in.crc(body) != Bytes.getInt(in.copy(body, CRC_BYTES), 0)) {
            throw new CorruptRecordException("record checksum mismatch (" + in.length + " bytes)");
        }
        int flags = fixed[1] & 0xff;
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new CorruptRecordException("unknown record flags " + flags);
        }
        long writeTime = Bytes.getLong(fixed, 2);
        int[] cursor = {FIXED_HEADER};
        int versionLength = in.varint(cursor, body);
        byte[] version = in.slice(cursor, versionLength, body);
        int valueLength = in.varint(cursor, body);
        byte[] value = in.slice(cursor, valueLength, body);
        if (cursor[0] != body) {
            throw new CorruptRecordException("record has " + (body - cursor[0]) + " trailing bytes");
        }
        VersionKind kind = (flags & FLAG_CAUSAL) != 0 ? VersionKind.CAUSAL : VersionKind.LWW;
        try {
            return new Record(kind, version, (flags & FLAG_TOMBSTONE) != 0, writeTime, value);
        } catch (IllegalArgumentException e) {
            throw new CorruptRecordException("invalid record: " + e.getMessage());
        }
    }

    /** A record's bytes in pieces, read by absolute offset. */
    private static final class Pieces {
        private final List<ByteBuffer> pieces;
        private final int length;

        Pieces(List<ByteBuffer> pieces) {
            this.pieces = pieces;
            long total = 0;
            for (ByteBuffer b : pieces) {
                total += b.remaining();
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new CorruptRecordException("record of " + total + " bytes does not fit one array");
            }
            this.length = (int) total;
        }

        /** {@code n} bytes from {@code offset}, which the caller has checked lie inside. */
        byte[] copy(int offset, int n) {
            byte[] out = new byte[n];
            int done = 0;
            int start = 0;
            for (ByteBuffer b : pieces) {
                int size = b.remaining();
                if (done < n && offset + done < start + size) {
                    int from = offset + done - start;
                    int k = Math.min(size - from, n - done);
                    b.get(b.position() + from, out, done, k);
                    done += k;
                }
                start += size;
            }
            return out;
        }

        int crc(int n) {
            CRC32C crc = new CRC32C();
            int left = n;
            for (ByteBuffer b : pieces) {
                if (left == 0) {
                    break;
                }
                ByteBuffer view = b.duplicate();
                view.limit(view.position() + Math.min(left, view.remaining()));
                left -= view.remaining();
                crc.update(view);
            }
            return (int) crc.getValue();
        }

        int varint(int[] cursor, int limit) {
            byte[] bytes = copy(cursor[0], Math.min(5, Math.max(0, limit - cursor[0])));
            int[] local = {0};
            int v = getVarint(bytes, local, bytes.length);
            cursor[0] += local[0];
            return v;
        }

        byte[] slice(int[] cursor, int n, int limit) {
            if (n < 0 || n > limit - cursor[0]) {
                throw new CorruptRecordException("record field of " + n + " bytes overruns the record");
            }
            byte[] out = copy(cursor[0], n);
            cursor[0] += n;
            return out;
        }
    }

    /**
     * The version of a record from the first bytes of its encoding alone (at least its header and
     * version; a chunked record's first chunk), checking the format but not the checksum, which
     * needs the whole record: for a digest read of a large record, whose trailing checksum is read
     * separately.
     */
    public static byte[] versionOfHead(byte[] head) {
        if (head == null || head.length < FIXED_HEADER + 1) {
            throw new CorruptRecordException("record head truncated: " + (head == null ? "null" : head.length + " bytes"));
        }
        if (head[0] != FORMAT_V1) {
            throw new CorruptRecordException("unknown record format " + (head[0] & 0xff));
        }
        int[] cursor = {FIXED_HEADER};
        int versionLength = getVarint(head, cursor, head.length);
        return slice(head, cursor, versionLength, head.length);
    }

    /**
     * The version of an encoded record, checked like {@link #decode} (format, checksum) but without
     * copying the value: what a digest read needs.
     */
    public static byte[] version(byte[] in) {
        if (in == null || in.length < FIXED_HEADER + 2 + CRC_BYTES) {
            throw new CorruptRecordException("record truncated: " + (in == null ? "null" : in.length + " bytes"));
        }
        if (in[0] != FORMAT_V1) {
            throw new CorruptRecordException("unknown record format " + (in[0] & 0xff));
        }
        int body = in.length - CRC_BYTES;
        if (crc(in, 0, body) != Bytes.getInt(in, body)) {
            throw new CorruptRecordException("record checksum mismatch (" + in.length + " bytes)");
        }
        int[] cursor = {FIXED_HEADER};
        int versionLength = getVarint(in, cursor, body);
        return slice(in, cursor, versionLength, body);
    }

    /** What a record's first bytes tell: its kind, whether it is a tombstone, its version and its value's length. */
    public record Head(VersionKind kind, boolean tombstone, byte[] version, int valueLength) {
    }

    /**
     * The header of a record from the first bytes of its encoding alone (a chunked record's first
     * chunk, or a prefix of it), checking the format but not the checksum; null when {@code head}
     * ends before the value's length does.
     */
    public static Head headOf(byte[] head) {
        if (head == null || head.length < FIXED_HEADER + 1) {
            return null;
        }
        if (head[0] != FORMAT_V1) {
            throw new CorruptRecordException("unknown record format " + (head[0] & 0xff));
        }
        int flags = head[1] & 0xff;
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new CorruptRecordException("unknown record flags " + flags);
        }
        try {
            int[] cursor = {FIXED_HEADER};
            int versionLength = getVarint(head, cursor, head.length);
            byte[] version = slice(head, cursor, versionLength, head.length);
            int valueLength = getVarint(head, cursor, head.length);
            return new Head((flags & FLAG_CAUSAL) != 0 ? VersionKind.CAUSAL : VersionKind.LWW,
                    (flags & FLAG_TOMBSTONE) != 0, version, valueLength);
        } catch (CorruptRecordException e) {
            return null; // the prefix ends inside the header
        }
    }

    private static byte[] slice(byte[] in, int[] cursor, int length, int limit) {
        if (length < 0 || length > limit - cursor[0]) {
            throw new CorruptRecordException("record field of " + length + " bytes overruns the record");
        }
        byte[] out = new byte[length];
        System.arraycopy(in, cursor[0], out, 0, length);
        cursor[0] += length;
        return out;
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static int putVarint(byte[] b, int p, int v) {
        while ((v & ~0x7f) != 0) {
            b[p++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    static int getVarint(byte[] b, int[] cursor, int limit) {
        int result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (cursor[0] >= limit) {
                throw new CorruptRecordException("record truncated inside a length");
            }
            int x = b[cursor[0]++];
            result |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
        }
        throw new CorruptRecordException("record length field too long");
    }




}
