package io.ringkv.storage.chunk;

/** The one-byte frame that tells an inline value from a manifest. */
final class Frames {
    static final byte INLINE = 0;
    static final byte MANIFEST = 1;

    private Frames() {
    }




}
