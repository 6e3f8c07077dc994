package io.ringkv.storage;

/** A key and its value as returned by a scan; the caller owns both arrays. */
public record Entry(byte[] key, byte[] value) {
}
