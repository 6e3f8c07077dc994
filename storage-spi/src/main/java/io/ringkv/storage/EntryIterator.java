package io.ringkv.storage;

import java.util.Iterator;

/**
 * An ordered cursor over a key range. It holds engine resources (a RocksDB iterator and
 * snapshot): close it, in a try-with-resources block.
 */
public interface EntryIterator extends Iterator<Entry>, AutoCloseable {
    @Override
    void close();
}
