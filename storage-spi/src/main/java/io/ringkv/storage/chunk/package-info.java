/**
 * Large-value chunking as a decorator over any {@link io.ringkv.storage.StorageEngine}: values
 * above a threshold are stored as chunks under their own keys plus a manifest that names them.
 */
package io.ringkv.storage.chunk;
