package io.ringkv.coordinator.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemCatalogTest {
    @TempDir
    Path dataDir;

    private final ManualClock clock = new ManualClock();

    private SystemCatalog open() {
        return SystemCatalog.open(dataDir.resolve("catalog"), clock);
    }

    @Test
    void aFreshCatalogIsCreatedAtTheNewestSchemaVersion() {
        try (SystemCatalog catalog = open()) {
            assertThat(catalog.schemaVersion()).isEqualTo(Migrations.SCRIPTS.size());
            assertThat(catalog.lastRingEpoch()).isEmpty();
            assertThat(catalog.ringEpochs(10)).isEmpty();
            assertThat(catalog.hintStats(10)).isEmpty();
            assertThat(catalog.repairSessions(10)).isEmpty();
            assertThat(catalog.transfers(10)).isEmpty();
        }
        assertThat(dataDir.resolve("catalog/catalog.mv.db")).isRegularFile();
    }

    @Test
    void reopeningKeepsWhatWasRecorded() {
        Instant createdAt = clock.now();
        try (SystemCatalog catalog = open()) {
            catalog.identity("node-a", "rack-1");
            catalog.recordRingEpoch(1, "static", 3, 1024);
            catalog.upsertHintStats(new HintStatsRow("node-b", 2, 300, createdAt, 5, 1, createdAt));
        }
        clock.advanceMillis(60_000);
        try (SystemCatalog catalog = open()) {
            assertThat(catalog.identity("node-a", "rack-1")).isEqualTo(new NodeIdentity("node-a", "rack-1", createdAt, null));
            assertThat(catalog.ringEpochs(10)).containsExactly(new RingEpochRow(1, createdAt, "static", 3, 1024));
            assertThat(catalog.hintStats(10))
                    .containsExactly(new HintStatsRow("node-b", 2, 300, createdAt, 5, 1, createdAt));
        }
    }

    @Test
    void aDataDirOfAnotherNodeIsRefused() {
        try (SystemCatalog catalog = open()) {
            catalog.identity("node-a", "rack-1");
        }
        try (SystemCatalog catalog = open()) {
            assertThatThrownBy(() -> catalog.identity("node-b", "rack-1"))
                    .isInstanceOf(CatalogException.class)
                    .hasMessageContaining("belongs to node 'node-a'")
                    .hasMessageContaining("refusing to start it as node 'node-b'");
            // The refusal changed nothing.
            assertThat(catalog.identity("node-a", "rack-1").nodeId()).isEqualTo("node-a");
        }
    }

    @Test
    void aNodeThatMovedRackKeepsItsIdentityAndRecordsTheNewRack() {
        Instant createdAt = clock.now();
        try (SystemCatalog catalog = open()) {
            catalog.identity("node-a", "rack-1");
            clock.advanceMillis(1_000);
            assertThat(catalog.identity("node-a", "rack-2"))
                    .isEqualTo(new NodeIdentity("node-a", "rack-2", createdAt, null));
        }
        try (SystemCatalog catalog = open()) {
            assertThat(catalog.identity("node-a", "rack-2").createdAt()).isEqualTo(createdAt);
        }
    }

    @Test
    void ringEpochsAreRecordedOnceAndListedNewestFirst() {
        try (SystemCatalog catalog = open()) {
            Instant first = clock.now();
            catalog.recordRingEpoch(1, "static", 3, 1024);
            clock.advanceMillis(1_000);
            // A restart re-applying epoch 1 keeps the first application.
            catalog.recordRingEpoch(1, "static", 3, 1024);
            Instant third = clock.now();
            catalog.recordRingEpoch(3, "consul", 4, 1024);
            clock.advanceMillis(1_000);
            Instant second = clock.now();
            catalog.recordRingEpoch(2, "consul", 4, 1024);

            assertThat(catalog.lastRingEpoch()).hasValue(3);
            assertThat(catalog.ringEpochs(10)).containsExactly(
                    new RingEpochRow(3, third, "consul", 4, 1024),
                    new RingEpochRow(2, second, "consul", 4, 1024),
                    new RingEpochRow(1, first, "static", 3, 1024));
            assertThat(catalog.ringEpochs(2)).extracting(RingEpochRow::epoch).containsExactly(3L, 2L);
        }
    }

    @Test
    void hintStatsAreReplacedPerTargetAndListedByTarget() {
        Instant t0 = clock.now();
        Instant t1 = t0.plusSeconds(10);
        try (SystemCatalog catalog = open()) {
            catalog.upsertHintStats(new HintStatsRow("node-c", 1, 10, t0, 0, 0, t0));
            catalog.upsertHintStats(new HintStatsRow("node-b", 4, 40, t0, 0, 0, t0));
            // Everything delivered: no oldest hint any more.
            catalog.upsertHintStats(new HintStatsRow("node-c", 0, 0, null, 1, 0, t1));

            assertThat(catalog.hintStats(10)).containsExactly(
                    new HintStatsRow("node-b", 4, 40, t0, 0, 0, t0),
                    new HintStatsRow("node-c", 0, 0, null, 1, 0, t1));
        }
    }

    @Test
    void repairSessionsAreReplacedPerIdAndListedNewestFirst() {
        Instant t0 = clock.now();
        try (SystemCatalog catalog = open()) {
            RepairSessionRow older = new RepairSessionRow("r-1", "node", null, 768, 768, 9_000, 12, 4_096, t0,
                    t0.plusSeconds(60), t0.plusSeconds(60), "done");
            RepairSessionRow running = new RepairSessionRow("r-2", "keyspace", "users", 768, 10, 100, 0, 0,
                    t0.plusSeconds(120), t0.plusSeconds(121), null, "running");
            catalog.upsertRepairSession(older);
            catalog.upsertRepairSession(running);
            RepairSessionRow progressed = new RepairSessionRow("r-2", "keyspace", "users", 768, 20, 250, 3, 900,
                    t0.plusSeconds(120), t0.plusSeconds(130), null, "running");
            catalog.upsertRepairSession(progressed);

            assertThat(catalog.repairSessions(10)).containsExactly(progressed, older);
            assertThat(catalog.repairSessions(1)).containsExactly(progressed);
        }
    }

    @Test
    void transfersAreReplacedPerIdAndListedNewestFirst() {
        Instant t0 = clock.now();
        try (SystemCatalog catalog = open()) {
            TransferRow a = new TransferRow("t-a", 7, "node-a", "node-d", 2, "streaming", 10, 1_000, t0, t0);
            TransferRow b = new TransferRow("t-b", 8, "node-b", "node-d", 2, "streaming", 0, 0, t0.plusSeconds(1),
                    t0.plusSeconds(1));
            catalog.upsertTransfer(a);
            catalog.upsertTransfer(b);
            TransferRow aDone = new TransferRow("t-a", 7, "node-a", "node-d", 2, "done", 500, 50_000, t0,
                    t0.plusSeconds(9));
            catalog.upsertTransfer(aDone);

            assertThat(catalog.transfers(10)).containsExactly(b, aDone);
        }
    }

    @Test
    void sqlErrorsSurfaceAsCatalogExceptionsThatSayWhatFailed() {
        Instant t0 = clock.now();
        String tooLong = "n".repeat(65);
        try (SystemCatalog catalog = open()) {
            assertThatThrownBy(() -> catalog.upsertHintStats(new HintStatsRow(tooLong, 0, 0, null, 0, 0, t0)))
                    .isInstanceOf(CatalogException.class)
                    .hasMessageContaining("upsert hint stats for " + tooLong + " failed")
                    .hasMessageContaining("TARGET_NODE");
            // The catalog is still usable after a failed statement.
            catalog.recordRingEpoch(1, "static", 1, 8);
            assertThat(catalog.lastRingEpoch()).hasValue(1);
        }
    }

    @Test
    void badArgumentsFailBeforeReachingTheDatabase() {
        try (SystemCatalog catalog = open()) {
            assertThatThrownBy(() -> catalog.recordRingEpoch(-1, "static", 1, 8))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ring epoch");
            assertThatThrownBy(() -> catalog.identity("", "rack-1"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node id");
            assertThatThrownBy(() -> catalog.ringEpochs(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> catalog.transfers(SystemCatalog.MAX_LIST_ROWS + 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new RepairSessionRow("r", "node", null, 4, 5, 0, 0, 0, clock.now(), clock.now(),
                null, "running")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vnodes done");
    }

    @Test
    void aClosedCatalogRefusesCallsAndClosesOnce() {
        SystemCatalog catalog = open();
        catalog.close();
        catalog.close();
        assertThatThrownBy(catalog::lastRingEpoch)
                .isInstanceOf(CatalogException.class).hasMessageContaining("is closed");
    }

    @Test
    void oneCatalogPerDirectoryInAJvm() {
        try (SystemCatalog first = open()) {
            assertThatThrownBy(this::open)
                    .isInstanceOf(CatalogException.class).hasMessageContaining("already open in this JVM");
            // The refused open did not disturb the first one.
            first.recordRingEpoch(1, "static", 1, 8);
        }
        // Closing frees the directory.
        try (SystemCatalog again = open()) {
            assertThat(again.lastRingEpoch()).hasValue(1);
        }
    }

    @Test
    void aDirectoryThatCannotBeCreatedFailsClearly() throws Exception {
        Path file = Files.writeString(dataDir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> SystemCatalog.open(file.resolve("catalog"), clock))
                .isInstanceOf(CatalogException.class).hasMessageContaining("cannot create catalog directory");
    }
}
