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

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        PrintStream out = new PrintStream(System.out, false);
        var engine = new ChunkingEngine(StorageEngines.open("rocks", config(dir, SyncMode.valueOf(args[1]),
                Integer.parseInt(args[2]))), ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS);
        out.println("READY");
        out.flush();
        for (int i = 0; i < MAX_WRITES; i++) {
            engine.put(Namespace.DATA, keyOf(i), valueOf(i));
            out.println("ACK " + i);
            out.flush();
        }
        engine.close();
    }
}
