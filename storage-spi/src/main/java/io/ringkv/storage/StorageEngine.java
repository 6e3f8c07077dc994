package io.ringkv.storage;

import java.util.concurrent.CompletableFuture;

/**
 * An ordered byte-key, byte-value store with named namespaces: the whole contract a backend
 * implements. Keys compare as unsigned bytes.
 *
 * <p>Every single-key operation is atomic; {@link #write} is atomic across its keys. Arrays
 * passed in are not modified and may be retained by the engine only until the call returns;
 * arrays returned belong to the caller. Methods are thread-safe. After {@link #close} every
 * method throws {@link StorageException}. Failures of the underlying store are
 * {@link StorageException}s; a failed write may or may not have been applied.
 */
public interface StorageEngine extends AutoCloseable {
    /** The backend's name, as registered with its provider ({@code memory}, {@code rocks}). */
    String name();

    /** The value of {@code key}, or {@code null} when absent. */
    byte[] get(Namespace ns, byte[] key);

    /**
     * Copies the value of {@code key} into {@code dest} from {@code offset}, at most {@code length}
     * bytes, and returns the value's whole length, or -1 when absent. The chunks of a large value are
     * read this way straight into the value's one array; an engine that can copy from its own storage
     * (RocksDB) spares the array per chunk that {@link #get} returns.
     */
    default int getInto(Namespace ns, byte[] key, byte[] dest, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, dest.length);
        byte[] value = get(ns, key);
        if (value == null) {
            return -1;
        }
        System.arraycopy(value, 0, dest, offset, Math.min(length, value.length));
        return value.length;
    }

    void put(Namespace ns, byte[] key, byte[] value);

    /** Removes the key; absent keys are ignored. */
    void delete(Namespace ns, byte[] key);

    /** Applies every mutation of the batch, or none. */
    void write(WriteBatch batch);

    /**
     * Applies the batch like {@link #write} before returning, but leaves the wait for its durability
     * (the sync mode's fsync) to the returned future, so a caller holds no lock and no thread while
     * an fsync runs. Readers may see the batch before the future completes. The future fails with a
     * {@link StorageException} when the sync fails or the engine closes first. Engines whose writes
     * are durable (or never synced) when they return need not override this.
     */
    default CompletableFuture<Void> writeAsync(WriteBatch batch) {
        write(batch);
        return CompletableFuture.completedFuture(null);
    }

    /** Waits for a {@link #writeAsync} future, rethrowing its failure as the storage exception it is. */
    static void awaitDurable(CompletableFuture<Void> durable) {
        try {
            durable.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof StorageException s) {
                throw s;
            }
            throw new StorageException("write failed to become durable", e.getCause());
        }
    }

    /**
     * Entries with {@code startInclusive <= key < endExclusive} in key order; a {@code null} end
     * means to the end of the namespace. The cursor sees a consistent snapshot where the backend
     * offers one (RocksDB does), otherwise at least every key that was present throughout.
     */
    EntryIterator scan(Namespace ns, byte[] startInclusive, byte[] endExclusive);

    /** Makes every acknowledged write durable regardless of the sync mode. */
    void flush();

    EngineStats stats();

    @Override
    void close();
}
