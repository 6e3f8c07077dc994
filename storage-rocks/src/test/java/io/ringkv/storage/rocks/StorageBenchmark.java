package io.ringkv.storage.rocks;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.EntryIterator;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKeys;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.SyncMode;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import io.ringkv.storage.memory.MemoryEngine;
import io.ringkv.storage.record.Record;
import io.ringkv.storage.record.RecordCodec;
import io.ringkv.storage.record.VersionKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * Put, get and vnode scan through five paths, to price each layer: {@code raw} (bare
 * {@code RocksDB.put/get} on the engine's own column family and options), {@code rocks} (the SPI),
 * {@code rocks-record} (the SPI plus record encoding), {@code rocks-stack} (record encoding +
 * chunking decorator + SPI, whose put reads the key's current frame first to find chunks to
 * delete) and {@code memory-stack}, optionally with values in blob files ({@code blobMinBytes})
 * or in a chunk namespace ({@code namespace=data.chunks}). Sync is off: this measures CPU cost, not
 * the disk. Run with {@code bin/bench-storage}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class StorageBenchmark {
    private static final int VNODES = 1024;

    @Param({"raw", "rocks", "rocks-record", "rocks-stack", "memory-stack"})
    public String path;

    @Param({"100", "1024", "1048576"})
    public int valueBytes;

    /** {@code rocks.blob_min_bytes}: 0 (the default) keeps values in the LSM tree; 4096 puts chunks in blob files. */
    @Param({"0"})
    public long blobMinBytes;

    /** {@code data}, or {@code data.chunks}: a derived namespace, read as chunks are, past the block cache. */
    @Param({"data"})
    public String namespace;

    /**
     * Keys written after the load's flush and never read: a node's memtable holds recent writes, so
     * most reads search it and miss. 0 reads with an empty memtable.
     */
    @Param({"0"})
    public int unflushed;

    private Namespace ns;

    private Path dir;
    private RocksEngine rocks;
    private StorageEngine engine;
    private ChunkingEngine stack;
    private RocksDB raw;
    private ColumnFamilyHandle rawFamily;
    private WriteOptions rawWrite;
    private byte[][] keys;
    private byte[] value;
    private byte[] version;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException, RocksDBException {
        dir = Files.createTempDirectory("ringkv-bench");
        // Values of a chunk's size (256 KiB) span 256 MiB, more than the 64 MiB block cache, as chunks do on a node.
        int keyCount = valueBytes >= 1 << 20 ? 256 : valueBytes >= 1 << 18 ? 1024 : 100_000;
        Random random = new Random(42);
        keys = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++) {
            keys[i] = StorageKeys.encode("user" + random.nextInt(Integer.MAX_VALUE) + ":" + i, StorageLimits.DEFAULTS);
        }
        value = new byte[valueBytes];
        random.nextBytes(value);
        ns = new Namespace(namespace);
        version = new byte[12];
        random.nextBytes(version);
        if (path.equals("memory-stack")) {
            engine = new MemoryEngine();
        } else {
            rocks = RocksEngine.open(RocksSettings.from(EngineConfig.at(dir, SyncMode.NEVER)
                    .withOptions(java.util.Map.of(RocksSettings.BLOB_MIN_BYTES, Long.toString(blobMinBytes)))));
            engine = rocks;
            raw = rocks.rawDb();
            rawFamily = rocks.rawFamily(ns);
            rawWrite = rocks.rawWriteOptions();
        }
        stack = new ChunkingEngine(engine, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        for (int i = 0; i < keyCount; i++) {
            put(keys[i]);
        }
        engine.flush();
        for (int i = 0; i < unflushed; i++) {
            put(StorageKeys.encode("recent" + random.nextInt(Integer.MAX_VALUE) + ":" + i, StorageLimits.DEFAULTS));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        engine.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void put(byte[] key) {
        try {
            switch (path) {
                case "raw" -> raw.put(rawFamily, rawWrite, key, value);
                case "rocks" -> engine.put(ns, key, value);
                case "rocks-record" -> engine.put(ns, key,
                        RecordCodec.encode(Record.value(VersionKind.LWW, version, 1_700_000_000_000L, value)));
                default -> stack.put(ns, key,
                        RecordCodec.encode(Record.value(VersionKind.LWW, version, 1_700_000_000_000L, value)));
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] nextKey() {
        byte[] k = keys[next];
        next = next + 1 == keys.length ? 0 : next + 1;
        return k;
    }

    @Benchmark
    public void put() {
        put(nextKey());
    }

    @Benchmark
    public Object get() throws RocksDBException {
        byte[] key = nextKey();
        return switch (path) {
            case "raw" -> raw.get(rawFamily, key);
            case "rocks" -> engine.get(ns, key);
            case "rocks-record" -> RecordCodec.decode(engine.get(ns, key)).value();
            default -> RecordCodec.decode(stack.get(ns, key)).value();
        };
    }

    /** Reads one whole vnode (about keyCount / 1024 keys) in token order. */
    @Benchmark
    public void scanVnode(Blackhole bh) {
        int vnode = next;
        next = (next + 1) % VNODES;
        StorageEngine source = path.endsWith("stack") ? stack : engine;
        try (EntryIterator it = source.scan(ns, StorageKeys.vnodeStart(vnode, VNODES),
                StorageKeys.vnodeEnd(vnode, VNODES))) {
            while (it.hasNext()) {
                bh.consume(it.next());
            }
        }
    }
}
