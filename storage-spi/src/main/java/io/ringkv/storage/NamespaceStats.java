package io.ringkv.storage;

/** Size of one namespace; backends may estimate (RocksDB does). */
public record NamespaceStats(long keys, long bytes) {
}
