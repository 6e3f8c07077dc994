package io.ringkv.coordinator.catalog;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Brings a catalog's schema up to the newest of the given migrations, recording each in
 * {@code schema_version}. Refuses a catalog whose history this code does not know: one written by
 * a newer ringkv, or one whose applied scripts were since edited.
 */
final class Migrator {
    private static final String CREATE_SCHEMA_VERSION = """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    INT PRIMARY KEY,
                script     VARCHAR(255) NOT NULL,
                checksum   VARCHAR(64)  NOT NULL,
                applied_at TIMESTAMP(3) WITH TIME ZONE NOT NULL
            )""";

    /**
     * What a migration run did.
     *
     * @param backup the copy taken before an existing catalog was upgraded; empty when nothing ran
     *               or the catalog was new
     */
    record Outcome(int fromVersion, int toVersion, Optional<Path> backup) {
    }

    private record Applied(int version, String script, String checksum) {
    }

    private Migrator() {
    }

    /**
     * Applies the migrations {@code connection}'s catalog lacks. The connection must be in
     * auto-commit mode and used by no one else meanwhile; it is left in auto-commit mode.
     *
     * @param migrations versions 1..n in order
     * @param dir        the catalog's directory, for messages and the pre-upgrade backup
     */
    static Outcome migrate(Connection connection, List<Migration> migrations, Path dir, Instant now) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migrations must be versions 1.." + migrations.size()
                        + " in order; position " + i + " holds " + migrations.get(i).script());
            }
        }
        if (migrations.isEmpty()) {
            throw new IllegalArgumentException("at least one migration is needed");
        }
        try {
            try (Statement s = connection.createStatement()) {
                s.execute(CREATE_SCHEMA_VERSION);
            }
            List<Applied> applied = applied(connection);
            verifyHistory(applied, migrations, dir);
            int from = applied.size();
            if (from == migrations.size()) {
                return new Outcome(from, from, Optional.empty());
            }
            // H2 commits DDL statement by statement, so a failed or buggy upgrade cannot be rolled
            // back as a whole: keep a copy of what the older ringkv wrote before touching it.
            Optional<Path> backup = from == 0 ? Optional.empty() : Optional.of(backup(connection, dir, from, now));
            for (Migration m : migrations.subList(from, migrations.size())) {
                apply(connection, m, dir, now, backup);
            }
            return new Outcome(from, migrations.size(), backup);
        } catch (SQLException e) {
            throw new CatalogException("catalog at " + dir + ": cannot read or upgrade its schema: " + e.getMessage(), e);
        }
    }

    private static List<Applied> applied(Connection connection) throws SQLException {
        List<Applied> rows = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, script, checksum FROM schema_version ORDER BY version")) {
            while (rs.next()) {
                rows.add(new Applied(rs.getInt(1), rs.getString(2), rs.getString(3)));
            }
        }
        return rows;
    }

    private static void verifyHistory(List<Applied> applied, List<Migration> migrations, Path dir) {
        int known = migrations.size();
        int newest = applied.isEmpty() ? 0 : applied.getLast().version();
        if (newest > known) {
            throw new CatalogException("catalog at " + dir + " has schema version " + newest
                    + ", but this ringkv knows versions up to " + known + " (" + migrations.getLast().script()
                    + "): it was written by a newer ringkv. Run that newer version, or restore the copy taken "
                    + "before the upgrade (backup-v*.zip in " + dir + ").");
        }
        for (int i = 0; i < applied.size(); i++) {
            Applied row = applied.get(i);
            if (row.version() != i + 1) {
                throw new CatalogException("catalog at " + dir + " has a gap in its schema history: version "
                        + row.version() + " (" + row.script() + ") is recorded but version " + (i + 1)
                        + " is not; the catalog was altered by hand.");
            }
            Migration m = migrations.get(i);
            String checksum = m.checksum();
            if (!m.script().equals(row.script()) || !checksum.equals(row.checksum())) {
                throw new CatalogException("catalog at " + dir + ": schema version " + row.version()
                        + " was applied from " + row.script() + " (checksum " + row.checksum()
                        + "), but this ringkv ships " + m.script() + " (checksum " + checksum
                        + "). An applied migration script was changed; scripts are append-only: restore it "
                        + "and put the change in a new script.");
            }
        }
    }

    private static Path backup(Connection connection, Path dir, int version, Instant now) throws SQLException {
        // The time in the name keeps the copy of a first, failed attempt from being overwritten
        // by a retry that starts from a half-upgraded catalog.
        Path file = dir.resolve("backup-v" + version + "-" + now.toEpochMilli() + ".zip");
        try (PreparedStatement p = connection.prepareStatement("BACKUP TO ?")) {
            p.setString(1, file.toString());
            p.execute();
        }
        return file;
    }

    private static void apply(Connection connection, Migration m, Path dir, Instant now, Optional<Path> backup)
            throws SQLException {
        connection.setAutoCommit(false);
        try {
            try (Statement s = connection.createStatement()) {
                s.execute(m.sql());
            }
            try (PreparedStatement p = connection.prepareStatement(
                    "INSERT INTO schema_version (version, script, checksum, applied_at) VALUES (?, ?, ?, ?)")) {
                p.setInt(1, m.version());
                p.setString(2, m.script());
                p.setString(3, m.checksum());
                p.setObject(4, now);
                p.executeUpdate();
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly(connection, e);
            throw new CatalogException("catalog at " + dir + ": migration " + m.script() + " failed, the catalog"
                    + " stays at schema version " + (m.version() - 1) + ". H2 commits DDL as it goes, so the"
                    + " statements before the failing one may have run; the scripts are written to be run again."
                    + backup.map(b -> " A copy from before this upgrade is at " + b + ".").orElse("")
                    + " Cause: " + e.getMessage(), e);
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static void rollbackQuietly(Connection connection, SQLException cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
