package io.ringkv.storage.chunk;

/**
 * When values are split and into what: values longer than {@code thresholdBytes} are stored as
 * chunks of {@code chunkBytes} (defaults 64 KiB and 256 KiB).
 */
public record ChunkingConfig(int thresholdBytes, int chunkBytes) {
    public static final int DEFAULT_THRESHOLD_BYTES = 64 * 1024;
    public static final int DEFAULT_CHUNK_BYTES = 256 * 1024;
    public static final ChunkingConfig DEFAULTS = new ChunkingConfig(DEFAULT_THRESHOLD_BYTES, DEFAULT_CHUNK_BYTES);

    public ChunkingConfig {
        if (thresholdBytes < 1 || thresholdBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("chunk thresholdBytes must be in [1, 67108864], was " + thresholdBytes);
        }
        if (chunkBytes < 1 || chunkBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("chunkBytes must be in [1, 67108864], was " + chunkBytes);
        }
    }
}
