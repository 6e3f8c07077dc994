package io.ringkv.storage.rocks;

import io.ringkv.storage.EngineStats;
import io.ringkv.storage.Entry;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Mutation;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.NamespaceStats;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.SyncMode;
import io.ringkv.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Env;
import org.rocksdb.LRUCache;
import org.rocksdb.Priority;
import org.rocksdb.RateLimiter;
import org.rocksdb.RocksObject;
import org.rocksdb.SstFileManager;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteOptions;

/**
 * A {@link StorageEngine} over one RocksDB database, a column family per namespace, created on
 * first use. The write-ahead log is always on; {@link SyncMode} decides when it is forced.
 *
 * <p>Every operation holds a shared lock that {@link #close()} takes exclusively, because a
 * native call on a closed database would crash the JVM rather than throw.
 */
public final class RocksEngine implements StorageEngine {
    static final String NAME = "rocks";

    static {
        RocksDB.loadLibrary();
    }

    private static final long REFILL_MICROS = 10_000;

    private final RocksSettings settings;
    private final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final LRUCache blockCache;
    /** The rate limiter and file manager, if set: closed after the database, in reverse order. */
    private final List<RocksObject> pacing;
    private final WriteOptions writeOptions;
    private final ReadOptions defaultReadOptions = new ReadOptions();
    /** Reads of derived namespaces (a large value's chunks) bypass the block cache (see {@link #readOptionsFor}). */
    private final ReadOptions chunkReadOptions = new ReadOptions().setFillCache(false);
    private final GroupCommit groupCommit;
    private final Map<String, ColumnFamilyHandle> families = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private RocksEngine(RocksSettings settings, RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
                        LRUCache blockCache, List<RocksObject> pacing, List<ColumnFamilyHandle> handles) {
        this.settings = settings;
        this.db = db;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.blockCache = blockCache;
        this.pacing = List.copyOf(pacing);
        // No write syncs in the writing thread (an event loop, often): ALWAYS is a group commit that
        // gathers no one, so each acknowledgement still waits for an fsync that began after its write.
        this.writeOptions = new WriteOptions();
        for (ColumnFamilyHandle h : handles) {
            try {
                families.put(new String(h.getName(), StandardCharsets.UTF_8), h);
            } catch (RocksDBException e) {
                throw new StorageException("cannot read a column family name", e);
            }
        }
        this.groupCommit = switch (settings.sync()) {
            case ALWAYS -> new GroupCommit(() -> db.flushWal(true), 0, syncThreadName(settings), settings.syncObserver());
            case BATCH -> new GroupCommit(() -> db.flushWal(true), settings.syncDelayMillis(), syncThreadName(settings),
                    settings.syncObserver());
            case NEVER -> null;
        };
    }

    /** "rocks-sync-" and the directory's name ("data", "chunks"): the kernel keeps the first 15 characters. */
    private static String syncThreadName(RocksSettings settings) {
        java.nio.file.Path name = settings.dataDir().toAbsolutePath().getFileName();
        return "rocks-sync-" + (name == null ? "db" : name.toString());
    }

    /** Opens or creates the database in {@code settings.dataDir()}, with every column family it has. */
    public static RocksEngine open(RocksSettings settings) {
        LRUCache cache = null;
        List<RocksObject> pacing = new ArrayList<>();
        DBOptions dbOptions = null;
        ColumnFamilyOptions cfOptions = null;
        try {
            Files.createDirectories(settings.dataDir());
            String path = settings.dataDir().toAbsolutePath().toString();
            if (settings.lowPriorityBackground()) {
                lowerBackgroundPriority();
            }
            cache = new LRUCache(settings.blockCacheBytes());
            cfOptions = new ColumnFamilyOptions()
                    .setWriteBufferSize(settings.writeBufferBytes())
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    // Most reads miss the memtable (it holds only recent writes); a whole-key bloom
                    // filter answers that without walking the skip list. 2% of a write buffer.
                    .setMemtablePrefixBloomSizeRatio(0.02)
                    .setMemtableWholeKeyFiltering(true)
                    .setTableFormatConfig(new BlockBasedTableConfig()
                            .setBlockCache(cache)
                            .setFilterPolicy(new BloomFilter(10))
                            .setCacheIndexAndFilterBlocks(true)
                            .setPinL0FilterAndIndexBlocksInCache(true));
            if (settings.blobFiles()) {
                // Large values are written once, to a blob file at flush; compaction moves only keys and
                // blob references, and relocates the live values of the oldest quarter of blob files so
                // that overwritten values' space comes back. Not compressed: opaque values, often already are.
                cfOptions.setEnableBlobFiles(true)
                        .setMinBlobSize(settings.blobMinBytes())
                        .setBlobCompressionType(CompressionType.NO_COMPRESSION)
                        .setEnableBlobGarbageCollection(true);
            }
            dbOptions = new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxBackgroundJobs(settings.maxBackgroundJobs())
                    .setBytesPerSync(1 << 20)
                    .setRecycleLogFileNum(settings.recycleLogFiles())
                    .setMaxTotalWalSize(settings.maxTotalWalBytes());
            if (settings.backgroundWriteBytesPerSec() > 0) {
                // Refilled every 10 ms, not RocksDB's 100: a grant is a hundredth of the second's bytes
                // instead of a tenth, and a flush's writeback arriving in one grant is what a log's
                // fsync queues behind.
                RateLimiter rateLimiter = new RateLimiter(settings.backgroundWriteBytesPerSec(), REFILL_MICROS, 10);
                pacing.add(rateLimiter);
                dbOptions.setRateLimiter(rateLimiter);
            }
            if (settings.deleteBytesPerSec() > 0) {
                // Deleting a file frees its blocks at once, and on a filesystem mounted with discard the
                // device then gets one discard for the whole file (a 64 MiB table: up to 20 ms), which log
                // fsyncs queue behind. Paced, a file is cut by truncation, a piece at a time.
                SstFileManager files = new SstFileManager(Env.getDefault(), null, settings.deleteBytesPerSec(),
                        settings.maxTrashRatio(), settings.deleteChunkBytes());
                pacing.add(files);
                dbOptions.setSstFileManager(files);
            }
            List<byte[]> names;
            try (Options listOptions = new Options()) {
                names = new ArrayList<>(RocksDB.listColumnFamilies(listOptions, path));
            }
            if (names.stream().noneMatch(n -> new String(n, StandardCharsets.UTF_8).equals("default"))) {
                names.add(0, RocksDB.DEFAULT_COLUMN_FAMILY);
            }
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (byte[] name : names) {
                descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(dbOptions, path, descriptors, handles);
            return new RocksEngine(settings, db, dbOptions, cfOptions, cache, pacing, handles);
        } catch (RocksDBException | java.io.IOException e) {
            if (cfOptions != null) {
                cfOptions.close();
            }
            if (dbOptions != null) {
                dbOptions.close();
            }
            if (cache != null) {
                cache.close();
            }
            closeAll(pacing);
            throw new StorageException("cannot open RocksDB in " + settings.dataDir() + ": " + e.getMessage(), e);
        }
    }

    private static boolean lowered;

    /** Flush (HIGH pool) and compaction (LOW, BOTTOM) threads at nice 19; once per process, as the pools are shared. */
    private static synchronized void lowerBackgroundPriority() {
        if (!lowered) {
            Env env = Env.getDefault();
            env.lowerThreadPoolCPUPriority(Priority.HIGH);
            env.lowerThreadPoolCPUPriority(Priority.LOW);
            env.lowerThreadPoolCPUPriority(Priority.BOTTOM);
            lowered = true;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    public RocksSettings settings() {
        return settings;
    }

    /** Bytes held in the block cache, for tests of what fills it. */
    long blockCacheUsage() {
        return blockCache.getUsage();
    }

    /** The raw database, for benchmarks that compare this engine with bare RocksDB calls. */
    RocksDB rawDb() {
        return db;
    }

    /** The column family of a namespace, for the same benchmarks. */
    ColumnFamilyHandle rawFamily(Namespace ns) {
        return family(ns);
    }

    WriteOptions rawWriteOptions() {
        return writeOptions;
    }

    private ColumnFamilyHandle family(Namespace ns) {
        ColumnFamilyHandle h = families.get(ns.name());
        if (h != null) {
            return h;
        }
        synchronized (families) {
            h = families.get(ns.name());
            if (h == null) {
                try {
                    h = db.createColumnFamily(new ColumnFamilyDescriptor(ns.name().getBytes(StandardCharsets.UTF_8), cfOptions));
                } catch (RocksDBException e) {
                    throw new StorageException("cannot create column family " + ns + ": " + e.getMessage(), e);
                }
                families.put(ns.name(), h);
            }
            return h;
        }
    }

    private void enter() {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            throw new StorageException("rocks engine in " + settings.dataDir() + " is closed");
        }
    }

    private void exit() {
        lifecycle.readLock().unlock();
    }

    @Override
    public byte[] get(Namespace ns, byte[] key) {
        enter();
        try {
            ColumnFamilyHandle h = families.get(ns.name());
            return h == null ? null : db.get(h, readOptionsFor(ns), key);
        } catch (RocksDBException e) {
            throw new StorageException("get failed in " + ns + ": " + e.getMessage(), e);
        } finally {
            exit();
        }
    }

    /**
     * Chunks are read once per large read and would each fill the shared block cache with a block
     * of a quarter MiB, evicting the blocks of thousands of small values.
     */
    private ReadOptions readOptionsFor(Namespace ns) {
        return ns.isDerived() ? chunkReadOptions : defaultReadOptions;
    }

    @Override
    public int getInto(Namespace ns, byte[] key, byte[] dest, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, dest.length);
        enter();
        try {
            ColumnFamilyHandle h = families.get(ns.name());
            if (h == null) {
                return -1;
            }
            // Copied by the JNI layer from RocksDB's buffer into dest: no intermediate Java array.
            int n = db.get(h, readOptionsFor(ns), key, 0, key.length, dest, offset, length);
            return n == RocksDB.NOT_FOUND ? -1 : n;
        } catch (RocksDBException e) {
            throw new StorageException("get failed in " + ns + ": " + e.getMessage(), e);
        } finally {
            exit();
        }
    }

    @Override
    public void put(Namespace ns, byte[] key, byte[] value) {
        applyPut(ns, key, value);
        awaitDurable();
    }

    @Override
    public void delete(Namespace ns, byte[] key) {
        applyDelete(ns, key);
        awaitDurable();
    }

    @Override
    public void write(WriteBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        applyBatch(batch);
        awaitDurable();
    }

    @Override
    public CompletableFuture<Void> writeAsync(WriteBatch batch) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (batch.size() == 1) {
            switch (batch.mutations().getFirst()) {
                case Mutation.Put p -> applyPut(p.namespace(), p.key(), p.value());
                case Mutation.Delete d -> applyDelete(d.namespace(), d.key());
            }
        } else {
            applyBatch(batch);
        }
        return groupCommit == null ? CompletableFuture.completedFuture(null) : groupCommit.durable();
    }

    private void applyPut(Namespace ns, byte[] key, byte[] value) {
        enter();
        try {
            db.put(family(ns), writeOptions, key, value);
        } catch (RocksDBException e) {
            throw new StorageException("put failed in " + ns + ": " + e.getMessage(), e);
        } finally {
            exit();
        }
    }

    private void applyDelete(Namespace ns, byte[] key) {
        enter();
        try {
            ColumnFamilyHandle h = families.get(ns.name());
            if (h != null) {
                db.delete(h, writeOptions, key);
            }
        } catch (RocksDBException e) {
            throw new StorageException("delete failed in " + ns + ": " + e.getMessage(), e);
        } finally {
            exit();
        }
    }

    private void applyBatch(WriteBatch batch) {
        enter();
        try (org.rocksdb.WriteBatch native_ = new org.rocksdb.WriteBatch()) {
            for (Mutation m : batch.mutations()) {
                switch (m) {
                    case Mutation.Put p -> native_.put(family(p.namespace()), p.key(), p.value());
                    case Mutation.Delete d -> native_.delete(family(d.namespace()), d.key());
                }
            }
            db.write(writeOptions, native_);
        } catch (RocksDBException e) {
            throw new StorageException("batch write failed: " + e.getMessage(), e);
        } finally {
            exit();
        }
    }

    private void awaitDurable() {
        if (groupCommit != null) {
            groupCommit.awaitDurable();
        }
    }

    @Override
    public EntryIterator scan(Namespace ns, byte[] startInclusive, byte[] endExclusive) {
        enter();
        try {
            ColumnFamilyHandle h = family(ns);
            Snapshot snapshot = db.getSnapshot();
            ReadOptions options = new ReadOptions().setSnapshot(snapshot);
            Slice upper = null;
            if (endExclusive != null) {
                upper = new Slice(endExclusive);
                options.setIterateUpperBound(upper);
            }
            RocksIterator it = db.newIterator(h, options);
            it.seek(startInclusive);
            return new RocksEntryIterator(it, options, upper, snapshot);
        } finally {
            exit();
        }
    }

    /** A cursor over a snapshot; closing it releases the native iterator, options and snapshot. */
    private final class RocksEntryIterator implements EntryIterator {
        private final RocksIterator it;
        private final ReadOptions options;
        private final Slice upper;
        private final Snapshot snapshot;
        private boolean open = true;

        RocksEntryIterator(RocksIterator it, ReadOptions options, Slice upper, Snapshot snapshot) {
            this.it = it;
            this.options = options;
            this.upper = upper;
            this.snapshot = snapshot;
        }

        @Override
        public boolean hasNext() {
            enter();
            try {
                return open && it.isValid();
            } finally {
                exit();
            }
        }

        @Override
        public Entry next() {
            enter();
            try {
                if (!open || !it.isValid()) {
                    throw new NoSuchElementException();
                }
                Entry e = new Entry(it.key(), it.value());
                it.next();
                return e;
            } finally {
                exit();
            }
        }

        @Override
        public void close() {
            lifecycle.readLock().lock();
            try {
                if (!open) {
                    return;
                }
                open = false;
                if (!closed) {
                    it.close();
                    db.releaseSnapshot(snapshot);
                    options.close();
                    if (upper != null) {
                        upper.close();
                    }
                }
            } finally {
                lifecycle.readLock().unlock();
            }
        }
    }

    @Override
    public void flush() {
        enter();
        try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
            db.flushWal(true);
            db.flush(options, new ArrayList<>(families.values()));
        } catch (RocksDBException e) {
            throw new StorageException("flush failed: " + e.getMessage(), e);
        } finally {
            exit();
        }
    }

    @Override
    public EngineStats stats() {
        enter();
        try {
            Map<String, NamespaceStats> out = new HashMap<>();
            for (Map.Entry<String, ColumnFamilyHandle> e : families.entrySet()) {
                if (e.getKey().equals("default")) {
                    continue;
                }
                ColumnFamilyHandle h = e.getValue();
                long keys = db.getLongProperty(h, "rocksdb.estimate-num-keys");
                long bytes = db.getLongProperty(h, "rocksdb.total-sst-files-size")
                        + db.getLongProperty(h, "rocksdb.total-blob-file-size")
                        + db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables");
                out.put(e.getKey(), new NamespaceStats(keys, bytes));
            }
            return new EngineStats(NAME, out);
        } catch (RocksDBException e) {
            throw new StorageException("stats failed: " + e.getMessage(), e);
        } finally {
            exit();
        }
    }

    @Override
    public void close() {
        if (groupCommit != null) {
            groupCommit.close();
        }
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                db.flushWal(true);
            } catch (RocksDBException e) {
                // Closing anyway: the WAL is still replayed on the next open.
            }
            for (ColumnFamilyHandle h : families.values()) {
                h.close();
            }
            try {
                db.closeE();
            } catch (RocksDBException e) {
                throw new StorageException("close failed: " + e.getMessage(), e);
            } finally {
                writeOptions.close();
                defaultReadOptions.close();
                chunkReadOptions.close();
                dbOptions.close();
                cfOptions.close();
                blockCache.close();
                closeAll(pacing);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private static void closeAll(List<RocksObject> objects) {
        for (int i = objects.size() - 1; i >= 0; i--) {
            objects.get(i).close();
        }
    }
}
