/**
 * The storage SPI: a small ordered key-value engine with named namespaces, the key layout
 * that makes one vnode one contiguous range, and the partitioning hash.
 *
 * <p>Backends implement {@link io.ringkv.storage.StorageEngine} and register a
 * {@link io.ringkv.storage.StorageEngineProvider} with {@link java.util.ServiceLoader}; the
 * node finds them by name. Cross-cutting concerns (chunking of large values) are decorators
 * over the SPI, in sub-packages.
 */
package io.ringkv.storage;
