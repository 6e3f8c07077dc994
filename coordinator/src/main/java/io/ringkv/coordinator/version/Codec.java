package io.ringkv.coordinator.version;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Shared pieces of this package's byte formats: unsigned LEB128 varints, length-prefixed
 * UTF-8 replica ids, CRC32C. Writers fill an array sized exactly up front, so encoding a set
 * of large values copies each value once.
 */
final class Codec {
    /** Replica and node ids are short names; the bound keeps contexts small and decoding cheap. */
    static final int MAX_ID_BYTES = 255;
    static final int CRC_BYTES = 4;

    private Codec() {
    }

    /** Returns the id's UTF-8 bytes, rejecting ids that are empty, too long or not valid Unicode. */
    static byte[] idBytes(String id) {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("id is empty");
        }
        if (isAscii(id)) {
            // The common case, without an encoder: ASCII is its own UTF-8.
            if (id.length() > MAX_ID_BYTES) {
                throw new IllegalArgumentException("id is " + id.length() + " UTF-8 bytes, max " + MAX_ID_BYTES);
            }
            return id.getBytes(StandardCharsets.ISO_8859_1);
        }
        ByteBuffer encoded;
        try {
            // A strict encoder: an unpaired surrogate would otherwise become '?' and not round-trip.
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(id));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("id is not valid Unicode: " + id.length() + " chars");
        }
        if (encoded.remaining() > MAX_ID_BYTES) {
            throw new IllegalArgumentException("id is " + encoded.remaining() + " UTF-8 bytes, max " + MAX_ID_BYTES);
        }
        return Arrays.copyOfRange(encoded.array(), encoded.arrayOffset(), encoded.arrayOffset() + encoded.remaining());
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(byte[] b, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    static String checkId(String id) {
        idBytes(id);
        return id;
    }

    static int varintSize(long v) {
        int size = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            size++;
        }
        return size;
    }

    static int crc(byte[] in, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(in, from, to - from);
        return (int) crc.getValue();
    }

    /** Writes into an array whose exact size the caller computed; overrunning it is a bug here. */
    static final class Writer {
        private final byte[] out;
        private int pos;

        Writer(int size) {
            this.out = new byte[size];
        }

        Writer put(int b) {
            out[pos++] = (byte) b;
            return this;
        }

        Writer varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out[pos++] = (byte) v;
            return this;
        }

        Writer fixed64(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out[pos++] = (byte) (v >>> shift);
            }
            return this;
        }

        Writer bytes(byte[] b) {
            System.arraycopy(b, 0, out, pos, b.length);
            pos += b.length;
            return this;
        }

        Writer lengthPrefixed(byte[] b) {
            return varint(b.length).bytes(b);
        }

        /** Appends a CRC32C of everything written so far and returns the finished array. */
        byte[] finishWithCrc() {
            int crc = crc(out, 0, pos);
            for (int shift = 24; shift >= 0; shift -= 8) {
                out[pos++] = (byte) (crc >>> shift);
            }
            return finish();
        }

        byte[] finish() {
            if (pos != out.length) {
                throw new IllegalStateException("encoded " + pos + " bytes into a buffer of " + out.length);
            }
            return out;
        }
    }

    /** Reads with bounds checks; every malformation is an {@link IllegalArgumentException} naming {@code what}. */
    static final class Reader {
        private final byte[] in;
        private final int limit;
        private final String what;
        private int pos;

        Reader(byte[] in, int from, int limit, String what) {
            this.in = in;
            this.pos = from;
            this.limit = limit;
            this.what = what;
        }

        /** Checks the trailing CRC32C of a whole encoding and returns a reader over the rest. */
        static Reader checked(byte[] in, int minBodyBytes, String what) {
            if (in == null) {
                throw new IllegalArgumentException(what + ": null input");
            }
            if (in.length < minBodyBytes + CRC_BYTES) {
                throw new IllegalArgumentException(what + " truncated: " + in.length + " bytes");
            }
            int body = in.length - CRC_BYTES;
            int stored = ((in[body] & 0xFF) << 24) | ((in[body + 1] & 0xFF) << 16)
                    | ((in[body + 2] & 0xFF) << 8) | (in[body + 3] & 0xFF);
            if (crc(in, 0, body) != stored) {
                throw new IllegalArgumentException(what + " checksum mismatch (" + in.length + " bytes)");
            }
            return new Reader(in, 0, body, what);
        }

        int remaining() {
            return limit - pos;
        }

        IllegalArgumentException corrupt(String message) {
            return new IllegalArgumentException(what + " is corrupt: " + message);
        }

        int u8() {
            if (pos >= limit) {
                throw corrupt("truncated");
            }
            return in[pos++] & 0xFF;
        }

        /** An unsigned varint in canonical (shortest) form, as {@link Writer#varint} writes it. */
        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                if (shift == 63 && (b & 0xFE) != 0) {
                    throw corrupt("varint overflows 64 bits");
                }
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (b == 0 && shift > 0) {
                        throw corrupt("varint is not in shortest form");
                    }
                    return v;
                }
            }
            throw corrupt("varint longer than 10 bytes");
        }

        /** A non-negative varint no larger than {@code max}. */
        long varint(long max, String field) {
            long v = varint();
            if (v < 0 || v > max) {
                throw corrupt(field + " " + Long.toUnsignedString(v) + " out of range [0, " + max + "]");
            }
            return v;
        }

        long fixed64() {
            if (remaining() < 8) {
                throw corrupt("truncated");
            }
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (in[pos++] & 0xFF);
            }
            return v;
        }

        byte[] bytes(int length) {
            if (length < 0 || length > remaining()) {
                throw corrupt("field of " + length + " bytes overruns the input");
            }
            byte[] b = Arrays.copyOfRange(in, pos, pos + length);
            pos += length;
            return b;
        }

        /** A length-prefixed, strictly valid UTF-8 id. */
        String id() {
            int length = (int) varint(MAX_ID_BYTES, "id length");
            if (length == 0) {
                throw corrupt("empty id");
            }
            if (length > remaining()) {
                throw corrupt("id of " + length + " bytes overruns the input");
            }
            if (isAscii(in, pos, length)) {
                // Valid UTF-8 by definition, decoded without a decoder.
                String id = new String(in, pos, length, StandardCharsets.ISO_8859_1);
                pos += length;
                return id;
            }
            try {
                String id = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(in, pos, length))
                        .toString();
                pos += length;
                return id;
            } catch (CharacterCodingException e) {
                throw corrupt("id is not valid UTF-8");
            }
        }

        void expectEnd() {
            if (pos != limit) {
                throw corrupt(remaining() + " trailing bytes");
            }
        }
    }
}
