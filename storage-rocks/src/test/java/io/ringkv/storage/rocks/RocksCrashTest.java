package io.ringkv.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.Namespace;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageLimits;
import io.ringkv.storage.SyncMode;
import io.ringkv.storage.chunk.ChunkingConfig;
import io.ringkv.storage.chunk.ChunkingEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM writing with sync=always is SIGKILLed mid-stream; every acknowledged write must survive. */
class RocksCrashTest {
    private static final int ACKS_BEFORE_KILL = 400;
    private static final long TIMEOUT_MILLIS = 60_000;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        killAndCheck(SyncMode.ALWAYS, 0, ACKS_BEFORE_KILL);
    }

    @Test
    void everyAcknowledgedGroupCommittedWriteInRecycledLogsSurvivesSigkill() throws Exception {
        // About 4 MB of writes: several 1 MiB write buffers, so logs are flushed, recycled and written over.
        killAndCheck(SyncMode.BATCH, 2, 1_500);
    }

    private void killAndCheck(SyncMode sync, int recycledLogs, int acksBeforeKill) throws Exception {
        Path db = dir.resolve("db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), CrashWriter.class.getName(), db.toString(), sync.name(),
                Integer.toString(recycledLogs))
                .redirectErrorStream(true).start();
        int lastAck = -1;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
            String line;
            while ((line = lines.readLine()) != null && System.currentTimeMillis() < deadline) {
                if (line.startsWith("ACK ")) {
                    lastAck = Integer.parseInt(line.substring(4));
                    if (lastAck + 1 >= acksBeforeKill) {
                        break;
                    }
                }
            }
            // destroyForcibly is SIGKILL on Linux: no shutdown hooks, no RocksDB close.
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(lastAck).as("the child acknowledged writes before it was killed").isGreaterThanOrEqualTo(acksBeforeKill - 1);

        try (var engine = new ChunkingEngine(StorageEngines.open("rocks", CrashWriter.config(db, sync, recycledLogs)),
                ChunkingConfig.DEFAULTS, StorageLimits.DEFAULTS)) {
            for (int i = 0; i <= lastAck; i++) {
                assertThat(engine.get(Namespace.DATA, CrashWriter.keyOf(i))).as("acknowledged write %d", i)
                        .isEqualTo(CrashWriter.valueOf(i));
            }
            // Writes after the last ACK we read may or may not be there, but never torn.
            for (int i = lastAck + 1; i < lastAck + 100; i++) {
                byte[] v = engine.get(Namespace.DATA, CrashWriter.keyOf(i));
                if (v != null) {
                    assertThat(v).as("unacknowledged write %d", i).isEqualTo(CrashWriter.valueOf(i));
                }
            }
            engine.collectOrphanChunks(Namespace.DATA);
            assertThat(engine.get(Namespace.DATA, CrashWriter.keyOf(7))).isEqualTo(CrashWriter.valueOf(7));
        }
    }
}
