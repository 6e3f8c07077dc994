package io.ringkv.storage.chunk;

import io.ringkv.storage.Bytes;
import io.ringkv.storage.StorageException;

/**
 * Names the chunks of one large value: {@code chunkCount} chunks of {@code chunkBytes} (the last
 * may be shorter) under {@code [storedKey][id][index]}, and the CRC32C of the whole value.
 */
record Manifest(long id, long totalBytes, int chunkBytes, int chunkCount, int crc32c) {
    static final int ENCODED_BYTES = 1 + 8 + 8 + 4 + 4 + 4;

    byte[] encode() {
        byte[] out = new byte[ENCODED_BYTES];
        out[0] = Frames.MANIFEST;
        Bytes.putLong(out, 1, id);
        Bytes.putLong(out, 9, totalBytes);
        Bytes.putInt(out, 17, chunkBytes);
        Bytes.putInt(out, 21, chunkCount);
        Bytes.putInt(out, 25, crc32c);
        return out;
    }

    static Manifest decode(byte[] frame) {
        if (frame.length != ENCODED_BYTES || frame[0] != Frames.MANIFEST) {
            throw new StorageException("corrupt chunk manifest (" + frame.length + " bytes)");
        }
        Manifest m = new Manifest(Bytes.getLong(frame, 1), Bytes.getLong(frame, 9), Bytes.getInt(frame, 17),
                Bytes.getInt(frame, 21), Bytes.getInt(frame, 25));
        long expectedChunks = m.chunkBytes <= 0 ? -1 : (m.totalBytes + m.chunkBytes - 1) / m.chunkBytes;
        if (m.totalBytes < 0 || m.chunkCount != expectedChunks) {
            throw new StorageException("corrupt chunk manifest: " + m);
        }
        return m;
    }

    /** Length of chunk {@code index}. */
    int chunkLength(int index) {
        long start = (long) index * chunkBytes;
        return (int) Math.min(chunkBytes, totalBytes - start);
    }

    byte[] chunkKey(byte[] storedKey, int index) {
        byte[] out = new byte[storedKey.length + 12];
        System.arraycopy(storedKey, 0, out, 0, storedKey.length);
        Bytes.putLong(out, storedKey.length, id);
        Bytes.putInt(out, storedKey.length + 8, index);
        return out;
    }
}
