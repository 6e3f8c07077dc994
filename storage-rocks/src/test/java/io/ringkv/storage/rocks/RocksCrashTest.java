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
import java.util.Arrays;
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
        killAndCheck(SyncMode.ALWAYS, 0, ACKS_BEFORE_KILL, false);
    }

    @Test
    void chunksInAStoreOfTheirOwnNeverLeaveAManifestWithoutThem() throws Exception {
        killAndCheck(SyncMode.BATCH, 0, ACKS_BEFORE_KILL, true);
    }

    @Test
    void everyAcknowledgedGroupCommittedWriteInRecycledLogsSurvivesSigkill() throws Exception {
        // About 4 MB of writes: several 1 MiB write buffers, so logs are flushed, recycled and written over.
        killAndCheck(SyncMode.BATCH, 2, 1_500, false);
    }

    private void killAndCheck(SyncMode sync, int recycledLogs, int acksBeforeKill, boolean separateChunks)
            throws Exception {
        Path db = dir.resolve("db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), CrashWriter.class.getName(), db.toString(), sync.name(),
                Integer.toString(recycledLogs), Boolean.toString(separateChunks))
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

        try (var engine = CrashWriter.open(db, sync, recycledLogs, separateChunks)) {
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
            // The hot key holds the last acknowledged rewrite or a later one, whole (get checks its CRC).
            int lastHot = lastAck;
            while (!CrashWriter.rewritesHot(lastHot)) {
                lastHot--;
            }
            byte[] hot = engine.get(Namespace.DATA, CrashWriter.HOT);
            boolean known = false;
            for (int i = lastHot; i < lastAck + 100 && !known; i += 10) {
                known = Arrays.equals(hot, CrashWriter.hotValueOf(i));
            }
            assertThat(known).as("the hot key holds rewrite %d or a later one", lastHot).isTrue();
            // The journal names every chunk the kill left behind: after its recovery, a scan of all
            // chunks finds none that no manifest names.
            engine.recoverInterruptedWrites();
            assertThat(engine.collectOrphanChunks(Namespace.DATA)).as("orphan chunks the journal missed").isZero();
            assertThat(engine.get(Namespace.DATA, CrashWriter.keyOf(7))).isEqualTo(CrashWriter.valueOf(7));
        }
    }
}
