package io.ringkv.storage.chunk;

import io.ringkv.storage.Bytes;
import io.ringkv.storage.Namespace;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A journal entry naming the chunks of one value (key {@code key} of {@code ns}, chunk id {@code id})
 * that a write in progress may leave behind: the new chunks until their manifest is durable, or the
 * replaced chunks until their deletion is. Stored under {@code [ns length][ns][key][id]} with an empty
 * value, so a restart finds what a crash interrupted without scanning the chunks themselves.
 */
record ChunkIntent(Namespace ns, byte[] key, long id) {
    static final byte[] NO_VALUE = new byte[0];

    byte[] encode() {
        byte[] name = ns.name().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + name.length + key.length + 8];
        out[0] = (byte) name.length;
        System.arraycopy(name, 0, out, 1, name.length);
        System.arraycopy(key, 0, out, 1 + name.length, key.length);
        Bytes.putLong(out, out.length - 8, id);
        return out;
    }

    /** The entry stored under {@code encoded}; throws IllegalArgumentException when it is not one. */
    static ChunkIntent decode(byte[] encoded) {
        int nameLength = encoded.length == 0 ? 0 : encoded[0] & 0xff;
        if (encoded.length < 1 + nameLength + 8 || nameLength == 0) {
            throw new IllegalArgumentException("not a chunk intent: " + encoded.length + " bytes");
        }
        Namespace ns = new Namespace(new String(encoded, 1, nameLength, StandardCharsets.US_ASCII));
        if (ns.isDerived()) {
            throw new IllegalArgumentException("not a chunk intent: namespace " + ns + " holds no values");
        }
        byte[] key = Arrays.copyOfRange(encoded, 1 + nameLength, encoded.length - 8);
        return new ChunkIntent(ns, key, Bytes.getLong(encoded, encoded.length - 8));
    }

    /** What every chunk key of this value starts with: {@code [key][id]}. */
    byte[] chunkPrefix() {
        byte[] out = Arrays.copyOf(key, key.length + 8);
        Bytes.putLong(out, key.length, id);
        return out;
    }
}
