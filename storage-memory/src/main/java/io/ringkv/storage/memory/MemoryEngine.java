package io.ringkv.storage.memory;

import io.ringkv.storage.EngineStats;
import io.ringkv.storage.Entry;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Mutation;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.NamespaceStats;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.WriteBatch;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps every namespace in a sorted concurrent map; nothing survives {@link #close()}.
 *
 * <p>Values are copied in and out, so callers own their arrays as the SPI promises. Batches take
 * an exclusive lock so readers never see half of one; single-key operations share the lock.
 * Scans are weakly consistent: they see every key present for the whole scan.
 */
public final class MemoryEngine implements StorageEngine {
    static final String NAME = "memory";

    private final Map<String, Space> spaces = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** One namespace: the map and its byte count (key plus value lengths). */
    private record Space(ConcurrentSkipListMap<byte[], byte[]> map, AtomicLong bytes) {
        Space() {
            this(new ConcurrentSkipListMap<>(Arrays::compareUnsigned), new AtomicLong());
        }

        void put(byte[] key, byte[] value) {
            byte[] old = map.put(key, value);
            bytes.addAndGet(value.length + (old == null ? key.length : -old.length));
        }

        void delete(byte[] key) {
            byte[] old = map.remove(key);
            if (old != null) {
                bytes.addAndGet(-(old.length + key.length));
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    private Space space(Namespace ns) {
        return spaces.computeIfAbsent(ns.name(), n -> new Space());
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("memory engine is closed");
        }
    }

    @Override
    public byte[] get(Namespace ns, byte[] key) {
        lock.readLock().lock();
        try {
            checkOpen();
            Space space = spaces.get(ns.name());
            byte[] value = space == null ? null : space.map.get(key);
            return value == null ? null : value.clone();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public int getInto(Namespace ns, byte[] key, byte[] dest, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, dest.length);
        lock.readLock().lock();
        try {
            checkOpen();
            Space space = spaces.get(ns.name());
            byte[] value = space == null ? null : space.map.get(key);
            if (value == null) {
                return -1;
            }
            System.arraycopy(value, 0, dest, offset, Math.min(length, value.length));
            return value.length;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void put(Namespace ns, byte[] key, byte[] value) {
        lock.readLock().lock();
        try {
            checkOpen();
            space(ns).put(key.clone(), value.clone());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void delete(Namespace ns, byte[] key) {
        lock.readLock().lock();
        try {
            checkOpen();
            Space space = spaces.get(ns.name());
            if (space != null) {
                space.delete(key);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void write(WriteBatch batch) {
        lock.writeLock().lock();
        try {
            checkOpen();
            for (Mutation m : batch.mutations()) {
                switch (m) {
                    case Mutation.Put p -> space(p.namespace()).put(p.key().clone(), p.value().clone());
                    case Mutation.Delete d -> space(d.namespace()).delete(d.key());
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public EntryIterator scan(Namespace ns, byte[] startInclusive, byte[] endExclusive) {
        checkOpen();
        Space space = space(ns);
        NavigableMap<byte[], byte[]> range = endExclusive == null
                ? space.map.tailMap(startInclusive, true)
                : space.map.subMap(startInclusive, true, endExclusive, false);
        Iterator<Map.Entry<byte[], byte[]>> it = range.entrySet().iterator();
        return new EntryIterator() {
            @Override
            public boolean hasNext() {
                checkOpen();
                return it.hasNext();
            }

            @Override
            public Entry next() {
                Map.Entry<byte[], byte[]> e = it.next();
                return new Entry(e.getKey().clone(), e.getValue().clone());
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void flush() {
        checkOpen();
    }

    @Override
    public EngineStats stats() {
        checkOpen();
        Map<String, NamespaceStats> out = new HashMap<>();
        spaces.forEach((name, space) -> out.put(name, new NamespaceStats(space.map.size(), space.bytes.get())));
        return new EngineStats(NAME, out);
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            spaces.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
