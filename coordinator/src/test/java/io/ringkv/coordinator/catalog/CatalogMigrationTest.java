package io.ringkv.coordinator.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogMigrationTest {
    @TempDir
    Path dataDir;

    private final ManualClock clock = new ManualClock();

    /** The first shipped schema alone: these tests stage upgrades from it. */
    private static List<Migration> v1() {
        return List.of(Migrations.builtIn().getFirst());
    }

    /** Version 1 plus a test-only V2, standing in for a schema change. */
    private static List<Migration> withTestV2() {
        List<Migration> all = new ArrayList<>(v1());
        all.add(Migration.load("catalog-test", "V2__transfer_priority.sql"));
        return all;
    }

    private Path dir() {
        return dataDir.resolve("catalog");
    }

    @Test
    void anOlderCatalogIsUpgradedInPlaceWithItsDataIntact() throws Exception {
        Instant t0 = clock.now();
        TransferRow transfer = new TransferRow("t-a", 7, "node-a", "node-d", 2, "streaming", 10, 1_000, t0, t0);
        try (SystemCatalog v1 = SystemCatalog.open(dir(), clock, v1())) {
            assertThat(v1.schemaVersion()).isEqualTo(1);
            v1.identity("node-a", "rack-1");
            v1.recordRingEpoch(4, "consul", 5, 256);
            v1.upsertTransfer(transfer);
        }
        clock.advanceMillis(3_600_000);
        try (SystemCatalog v2 = SystemCatalog.open(dir(), clock, withTestV2())) {
            assertThat(v2.schemaVersion()).isEqualTo(2);
            assertThat(v2.identity("node-a", "rack-1").createdAt()).isEqualTo(t0);
            assertThat(v2.ringEpochs(10)).containsExactly(new RingEpochRow(4, t0, "consul", 5, 256));
            assertThat(v2.transfers(10)).containsExactly(transfer);
        }
        try (Connection c = connect(dir())) {
            assertThat(queryLong(c, "SELECT priority FROM transfers WHERE transfer_id = 't-a'")).isZero();
            assertThat(queryStrings(c, "SELECT script FROM schema_version ORDER BY version"))
                    .containsExactly("V1__initial.sql", "V2__transfer_priority.sql");
        }
        // A copy of the version-1 catalog was kept before the upgrade touched it.
        try (Stream<Path> files = Files.list(dir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .contains("backup-v1-" + clock.now().toEpochMilli() + ".zip");
        }
        // Opening again at the same version changes nothing and takes no further copy.
        clock.advanceMillis(1_000);
        try (SystemCatalog again = SystemCatalog.open(dir(), clock, withTestV2())) {
            assertThat(again.schemaVersion()).isEqualTo(2);
        }
        try (Stream<Path> files = Files.list(dir())) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("backup-"))).hasSize(1);
        }
    }

    @Test
    void aCatalogFromANewerRingkvIsRefused() {
        try (SystemCatalog newer = SystemCatalog.open(dir(), clock, withTestV2())) {
            newer.identity("node-a", "rack-1");
        }
        assertThatThrownBy(() -> SystemCatalog.open(dir(), clock, v1()))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("has schema version 2")
                .hasMessageContaining("knows versions up to 1")
                .hasMessageContaining("written by a newer ringkv");
        // The refusal leaves the catalog as it was, and frees the directory.
        try (SystemCatalog newer = SystemCatalog.open(dir(), clock, withTestV2())) {
            assertThat(newer.identity("node-a", "rack-1").nodeId()).isEqualTo("node-a");
        }
    }

    @Test
    void anEditedAppliedScriptIsRefused() {
        try (SystemCatalog ignored = SystemCatalog.open(dir(), clock, v1())) {
            // Created at version 1.
        }
        Migration v1 = v1().getFirst();
        Migration edited = new Migration(1, v1.script(), v1.sql() + "\nCREATE TABLE IF NOT EXISTS extra (x INT);\n");
        assertThatThrownBy(() -> SystemCatalog.open(dir(), clock, List.of(edited)))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("schema version 1 was applied from V1__initial.sql (checksum " + v1.checksum())
                .hasMessageContaining("checksum " + edited.checksum())
                .hasMessageContaining("append-only");
    }

    @Test
    void lineEndingsDoNotChangeAChecksum() {
        Migration v1 = v1().getFirst();
        Migration crlf = new Migration(1, v1.script(), v1.sql().replace("\n", "\r\n"));
        assertThat(crlf.checksum()).isEqualTo(v1.checksum());
    }

    @Test
    void aFailedMigrationLeavesTheCatalogAtItsVersionAndSaysWhereTheCopyIs() {
        try (SystemCatalog v1 = SystemCatalog.open(dir(), clock, v1())) {
            v1.recordRingEpoch(1, "static", 3, 64);
        }
        List<Migration> broken = new ArrayList<>(v1());
        broken.add(new Migration(2, "V2__broken.sql", """
                CREATE TABLE IF NOT EXISTS half_done (x INT);
                INSERT INTO ring_epochs VALUES (99, CURRENT_TIMESTAMP, 'static', 1, 1);
                INSERT INTO no_such_table VALUES (1);
                """));
        assertThatThrownBy(() -> SystemCatalog.open(dir(), clock, broken))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("migration V2__broken.sql failed")
                .hasMessageContaining("stays at schema version 1")
                .hasMessageContaining("backup-v1-")
                .hasMessageContaining("NO_SUCH_TABLE");
        try (SystemCatalog v1 = SystemCatalog.open(dir(), clock, v1())) {
            assertThat(v1.schemaVersion()).isEqualTo(1);
            // The script's row was rolled back (its DDL, as H2 does, was not).
            assertThat(v1.lastRingEpoch()).hasValue(1);
        }
    }

    @Test
    void theShippedScriptsCanRunAgainOverThemselves() throws Exception {
        // H2 commits DDL statement by statement; a migration interrupted half-way must be finishable
        // by running it again.
        Files.createDirectories(dir());
        try (Connection c = connect(dir()); Statement s = c.createStatement()) {
            for (Migration m : Migrations.builtIn()) {
                s.execute(m.sql());
                s.execute(m.sql());
            }
        }
    }

    @Test
    void aVersionOneCatalogGainsRepairProgressAndKeepsItsSessions() {
        Instant t0 = clock.now();
        RepairSessionRow session = new RepairSessionRow("s-1", "all", null, 64, 10, 100, 5, 500, t0, t0, null, "RUNNING");
        try (SystemCatalog old = SystemCatalog.open(dir(), clock, v1())) {
            old.upsertRepairSession(session);
        }
        try (SystemCatalog current = SystemCatalog.open(dir(), clock)) {
            assertThat(current.schemaVersion()).isEqualTo(Migrations.SCRIPTS.size()).isGreaterThanOrEqualTo(2);
            assertThat(current.repairSessions(10)).containsExactly(session);
            assertThat(current.repairSessionsInState("RUNNING", 10)).containsExactly(session);
            assertThat(current.repairCursor("s-1")).as("a session from before cursors has none").isEmpty();
            RepairSessionRow later = new RepairSessionRow("s-1", "all", null, 64, 11, 120, 6, 600, t0, t0, null, "RUNNING");
            current.saveRepairProgress(later, new RepairCursorRow("s-1", "11-63", 1, t0));
            assertThat(current.repairSessions(10)).containsExactly(later);
            assertThat(current.repairCursor("s-1")).contains(new RepairCursorRow("s-1", "11-63", 1, t0));
            current.recordVnodeRepaired("default", 3, t0.plusSeconds(60));
            current.recordVnodeRepaired("default", 3, t0);
            assertThat(current.vnodeRepairs("default")).as("an older mark does not replace a newer one")
                    .isEqualTo(java.util.Map.of(3, t0.plusSeconds(60)));
            assertThat(current.vnodeRepairs("other")).isEmpty();
        }
    }

    @Test
    void theScriptListNamesEveryScriptInTheResourceDirectory() throws Exception {
        URL url = getClass().getClassLoader().getResource(Migrations.DIRECTORY);
        assertThat(url).isNotNull();
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactlyInAnyOrderElementsOf(Migrations.SCRIPTS);
        }
        assertThat(Migrations.builtIn()).extracting(Migration::version)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, Migrations.SCRIPTS.size())
                        .boxed().toList());
    }

    @Test
    void aMigrationMustBeNamedForItsVersion() {
        assertThatThrownBy(() -> new Migration(2, "V3__x.sql", "SELECT 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("V2__description.sql");
        assertThatThrownBy(() -> SystemCatalog.open(dir(), clock,
                List.of(Migrations.builtIn().getFirst(), new Migration(3, "V3__x.sql", "SELECT 1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("versions 1..2 in order");
    }

    private static Connection connect(Path dir) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + dir.toAbsolutePath().resolve("catalog"), "sa", "");
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    private static List<String> queryStrings(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }
}
