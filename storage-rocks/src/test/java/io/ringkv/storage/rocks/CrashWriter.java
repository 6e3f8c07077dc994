package io.ringkv.storage.rocks;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.SyncMode;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link RocksCrashTest}: writes keys with {@code sync=always} and prints
 * {@code ACK i} after each write returns, until it is killed or reaches its bound.
 */
public final class CrashWriter {
    static final int MAX_WRITES = 200_000;

    private CrashWriter() {
    }

    /** The value of write {@code i}: deterministic, some of them large enough to be chunked. */
    static byte[] valueOf(int i) {
        int size = i % 50 == 7 ? 150_000 + i % 1000 : 16 + i % 200;
        byte[] v = new byte[size];
        new Random(i).nextBytes(v);
        return v;
    }

    /** The engine's config: with recycled logs, small write buffers, so logs are switched and reused. */
    static EngineConfig config(Path dir, SyncMode sync, int recycledLogs) {
        EngineConfig config = EngineConfig.at(dir, sync);
        return recycledLogs == 0 ? config : config.withOptions(java.util.Map.of(
                "rocks.recycle_log_files", Integer.toString(recycledLogs), "rocks.write_buffer_bytes", "1048576"));
    }

    static byte[] keyOf(int i) {
        return ("crash-" + i).getBytes();
    }

    /** A key rewritten with large values all along, so old chunks are deleted as new ones land. */
    static final byte[] HOT = "crash-hot".getBytes();

    /** Whether write {@code i} also rewrites {@link #HOT} (with a large value, before its own key). */
    static boolean rewritesHot(int i) {
        return i % 10 == 3;
    }

    static byte[] hotValueOf(int i) {
        byte[] v = new byte[300_000 + i % 1000];
        new Random(-i).nextBytes(v);
        return v;
    }

    /** The store of a value's chunks when the test keeps them apart, as a node does. */
    static Path chunkDir(Path dir) {
        return dir.resolveSibling(dir.getFileName() + "-chunks");
    }

    static ChunkingEngine open(Path dir, SyncMode sync, int recycledLogs, boolean separateChunks) {
        var frames = StorageEngines.open("rocks", config(dir, sync, recycledLogs));
        return separateChunks
                ? new ChunkingEngine(frames, StorageEngines.open("rocks", config(chunkDir(dir), sync, recycledLogs)),
                        ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS)
                : new ChunkingEngine(frames, ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        PrintStream out = new PrintStream(System.out, false);
        var engine = open(dir, SyncMode.valueOf(args[1]), Integer.parseInt(args[2]), Boolean.parseBoolean(args[3]));
        out.println("READY");
        out.flush();
        for (int i = 0; i < MAX_WRITES; i++) {
            if (rewritesHot(i)) {
                engine.put(Namespace.DATA, HOT, hotValueOf(i));
            }
            engine.put(Namespace.DATA, keyOf(i), valueOf(i));
            out.println("ACK " + i);
            out.flush();
        }
        engine.close();
    }
}
