/**
 * The RocksDB storage backend: one column family per namespace, write-ahead log always on,
 * fsync per write, by group commit, or never.
 */
package io.ringkv.storage.rocks;
