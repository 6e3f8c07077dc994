package io.ringkv.coordinator.catalog;

import io.ringkv.coordinator.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's system catalog: an embedded H2 database in a directory the node gives it, opened and
 * brought to the current schema by {@link #open(Path)} and closed by the node with {@link #close()}.
 *
 * <p>Safe for use from many threads: all calls share one JDBC connection and take turns on a lock,
 * which is plenty for bookkeeping written a few times a second (a virtual thread waiting on it
 * does not hold its carrier). Every failure is a {@link CatalogException}. Commits reach the disk
 * within H2's write delay (half a second), so a crash may lose the last moments of statistics;
 * the catalog holds bookkeeping, never replicated data.
 */
public final class SystemCatalog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemCatalog.class);

    /** The most rows any list call returns. */
    public static final int MAX_LIST_ROWS = 10_000;

    /**
     * Directories with an open catalog in this JVM. H2 refuses a second process on the same file,
     * but within one JVM it would quietly share the database (and its migrations) between two
     * catalogs, e.g. two nodes of {@code ringkv dev} given the same directory by mistake.
     */
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Clock clock;
    private final int schemaVersion;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private final Connection connection;
    /** Guarded by {@link #lock}. */
    private boolean closed;

    private SystemCatalog(Path dir, Clock clock, Connection connection, int schemaVersion) {
        this.dir = dir;
        this.clock = clock;
        this.connection = connection;
        this.schemaVersion = schemaVersion;
    }

    /** Opens or creates the catalog in {@code dir} on the machine's clock; see {@link #open(Path, Clock)}. */
    public static SystemCatalog open(Path dir) {
        return open(dir, Clock.SYSTEM);
    }

    /**
     * Opens the catalog in {@code dir} (the file {@code dir/catalog.mv.db}), creating it when
     * absent, and applies the schema migrations it lacks. Fails when the catalog is open elsewhere,
     * was written by a newer ringkv, or its applied migrations differ from this ringkv's.
     *
     * @param clock the source of the times the catalog stamps itself (schema changes, identity,
     *              ring epochs); rows given by callers carry their own times
     */
    public static SystemCatalog open(Path dir, Clock clock) {
        return open(dir, clock, Migrations.builtIn());
    }

    /** As {@link #open(Path, Clock)} with a given schema history, so tests can stage older and newer schemas. */
    static SystemCatalog open(Path dir, Clock clock, List<Migration> migrations) {
        Objects.requireNonNull(clock, "clock");
        Path abs = dir.toAbsolutePath().normalize();
        if (abs.toString().contains(";")) {
            // The path goes into a JDBC URL, where ';' starts a setting.
            throw new CatalogException("catalog directory " + abs + " must not contain ';'");
        }
        Path key;
        try {
            Files.createDirectories(abs);
            key = abs.toRealPath();
        } catch (IOException e) {
            throw new CatalogException("cannot create catalog directory " + abs + ": " + e, e);
        }
        if (!OPEN.add(key)) {
            throw new CatalogException("catalog at " + abs + " is already open in this JVM: one catalog per data dir");
        }
        Connection connection = null;
        try {
            connection = connect(abs);
            Migrator.Outcome outcome = Migrator.migrate(connection, migrations, abs, now(clock));
            if (outcome.fromVersion() == 0) {
                log.info("catalog {}: created at schema version {}", abs, outcome.toVersion());
            } else if (outcome.fromVersion() < outcome.toVersion()) {
                log.info("catalog {}: upgraded from schema version {} to {} (copy of the old catalog: {})", abs,
                        outcome.fromVersion(), outcome.toVersion(), outcome.backup().orElseThrow());
            }
            return new SystemCatalog(key, clock, connection, outcome.toVersion());
        } catch (RuntimeException e) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            OPEN.remove(key);
            throw e;
        }
    }

    private static Connection connect(Path dir) {
        // The node closes the catalog in its own shutdown order, so H2 must not close it from a
        // shutdown hook first. "sa" with no password is H2's default, so an operator can inspect a
        // copy of the file with H2's own tools.
        String url = "jdbc:h2:file:" + dir.resolve("catalog") + ";DB_CLOSE_ON_EXIT=FALSE";
        try {
            return DriverManager.getConnection(url, "sa", "");
        } catch (SQLException e) {
            if (e.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1) {
                throw new CatalogException("catalog at " + dir + " is in use by another process; is another"
                        + " ringkv node running on this data dir?", e);
            }
            throw new CatalogException("cannot open catalog at " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The schema version the catalog is at, which is the newest this ringkv knows. */
    public int schemaVersion() {
        return schemaVersion;
    }

    /**
     * Records {@code nodeId} as the owner of this catalog's data dir on first use, and on later
     * starts checks that it is the same node. A changed rack is recorded: machines move.
     *
     * @throws CatalogException when the data dir belongs to another node
     */
    public NodeIdentity identity(String nodeId, String rack) {
        Checks.text(nodeId, "node id");
        Checks.text(rack, "rack");
        return inTransaction("record node identity " + nodeId, c -> {
            NodeIdentity recorded = null;
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT node_id, rack, created_at, cluster_name FROM node_identity");
                 ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    recorded = new NodeIdentity(rs.getString(1), rs.getString(2), rs.getObject(3, Instant.class),
                            rs.getString(4));
                }
            }
            if (recorded == null) {
                NodeIdentity created = new NodeIdentity(nodeId, rack, now(clock), null);
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO node_identity (node_id, rack, created_at) VALUES (?, ?, ?)")) {
                    p.setString(1, nodeId);
                    p.setString(2, rack);
                    p.setObject(3, created.createdAt());
                    p.executeUpdate();
                }
                log.info("catalog {}: this data dir now belongs to node {} (rack {})", dir, nodeId, rack);
                return created;
            }
            if (!recorded.nodeId().equals(nodeId)) {
                throw new CatalogException("catalog at " + dir + " belongs to node '" + recorded.nodeId()
                        + "' (recorded " + recorded.createdAt() + "), refusing to start it as node '" + nodeId
                        + "': a node must not take over another node's data. Give node '" + nodeId
                        + "' its own data dir, or start this one with id '" + recorded.nodeId() + "'.");
            }
            if (!recorded.rack().equals(rack)) {
                try (PreparedStatement p = c.prepareStatement("UPDATE node_identity SET rack = ?")) {
                    p.setString(1, rack);
                    p.executeUpdate();
                }
                log.info("catalog {}: node {} moved from rack {} to rack {}", dir, nodeId, recorded.rack(), rack);
                return new NodeIdentity(nodeId, rack, recorded.createdAt(), recorded.clusterName());
            }
            return recorded;
        });
    }

    /**
     * Records that this node applied ring {@code epoch}, stamped with the catalog's clock. Only the
     * first application of an epoch is kept: recording it again changes nothing, so a restart that
     * re-applies its current ring is harmless.
     */
    public void recordRingEpoch(long epoch, String source, int nodes, int vnodes) {
        // Validates before touching SQL.
        RingEpochRow row = new RingEpochRow(epoch, now(clock), source, nodes, vnodes);
        run("record ring epoch " + epoch, c -> {
            try (PreparedStatement p = c.prepareStatement("""
                    INSERT INTO ring_epochs (epoch, applied_at, source, node_count, vnode_count)
                    SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM ring_epochs WHERE epoch = ?)""")) {
                p.setLong(1, row.epoch());
                p.setObject(2, row.appliedAt());
                p.setString(3, row.source());
                p.setInt(4, row.nodeCount());
                p.setInt(5, row.vnodeCount());
                p.setLong(6, row.epoch());
                p.executeUpdate();
            }
            return null;
        });
    }

    /** The highest ring epoch this node has applied, or empty before its first ring. */
    public OptionalLong lastRingEpoch() {
        return run("read the last ring epoch", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT MAX(epoch) FROM ring_epochs");
                 ResultSet rs = p.executeQuery()) {
                rs.next();
                long epoch = rs.getLong(1);
                return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(epoch);
            }
        });
    }

    /** The newest {@code limit} applied ring epochs, newest first. */
    public List<RingEpochRow> ringEpochs(int limit) {
        return list("list ring epochs", """
                SELECT epoch, applied_at, source, node_count, vnode_count FROM ring_epochs
                ORDER BY epoch DESC LIMIT ?""", limit,
                rs -> new RingEpochRow(rs.getLong(1), rs.getObject(2, Instant.class), rs.getString(3), rs.getInt(4),
                        rs.getInt(5)));
    }

    /** Inserts or replaces the counters of {@code row.targetNode()}. */
    public void upsertHintStats(HintStatsRow row) {
        Objects.requireNonNull(row, "row");
        run("upsert hint stats for " + row.targetNode(), c -> {
            try (PreparedStatement p = c.prepareStatement("""
                    MERGE INTO hint_stats (target_node, hints_pending, bytes_pending, oldest_hint_at,
                                           delivered_total, dropped_total, updated_at)
                    KEY (target_node) VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                p.setString(1, row.targetNode());
                p.setLong(2, row.hintsPending());
                p.setLong(3, row.bytesPending());
                setInstant(p, 4, row.oldestHintAt());
                p.setLong(5, row.deliveredTotal());
                p.setLong(6, row.droppedTotal());
                setInstant(p, 7, row.updatedAt());
                p.executeUpdate();
            }
            return null;
        });
    }

    /** Hint counters by target node, in node id order, at most {@code limit} rows. */
    public List<HintStatsRow> hintStats(int limit) {
        return list("list hint stats", """
                SELECT target_node, hints_pending, bytes_pending, oldest_hint_at, delivered_total, dropped_total,
                       updated_at
                FROM hint_stats ORDER BY target_node LIMIT ?""", limit,
                rs -> new HintStatsRow(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getObject(4, Instant.class),
                        rs.getLong(5), rs.getLong(6), rs.getObject(7, Instant.class)));
    }

    /** Inserts or replaces the session {@code row.sessionId()}. */
    public void upsertRepairSession(RepairSessionRow row) {
        Objects.requireNonNull(row, "row");
        run("upsert repair session " + row.sessionId(), c -> {
            mergeRepairSession(c, row);
            return null;
        });
    }

    /** The one statement that writes a session row, alone or in {@link #saveRepairProgress}'s transaction. */
    private static void mergeRepairSession(java.sql.Connection c, RepairSessionRow row) throws java.sql.SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                MERGE INTO repair_sessions (session_id, scope, keyspace, vnodes_total, vnodes_done, keys_compared,
                                            keys_streamed, bytes_streamed, started_at, updated_at, finished_at,
                                            state)
                KEY (session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            p.setString(1, row.sessionId());
            p.setString(2, row.scope());
            p.setString(3, row.keyspace());
            p.setInt(4, row.vnodesTotal());
            p.setInt(5, row.vnodesDone());
            p.setLong(6, row.keysCompared());
            p.setLong(7, row.keysStreamed());
            p.setLong(8, row.bytesStreamed());
            setInstant(p, 9, row.startedAt());
            setInstant(p, 10, row.updatedAt());
            setInstant(p, 11, row.finishedAt());
            p.setString(12, row.state());
            p.executeUpdate();
        }
    }

    /** The {@code limit} most recently started repair sessions, newest first. */
    public List<RepairSessionRow> repairSessions(int limit) {
        return list("list repair sessions", """
                SELECT session_id, scope, keyspace, vnodes_total, vnodes_done, keys_compared, keys_streamed,
                       bytes_streamed, started_at, updated_at, finished_at, state
                FROM repair_sessions ORDER BY started_at DESC, session_id LIMIT ?""", limit,
                rs -> new RepairSessionRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getInt(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getObject(9, Instant.class),
                        rs.getObject(10, Instant.class), rs.getObject(11, Instant.class), rs.getString(12)));
    }

    /**
     * Records a repair session's progress and where it stands, in one transaction, so a restart
     * finds the counters and the cursor in step.
     */
    public void saveRepairProgress(RepairSessionRow row, RepairCursorRow cursor) {
        Objects.requireNonNull(row, "row");
        Objects.requireNonNull(cursor, "cursor");
        if (!row.sessionId().equals(cursor.sessionId())) {
            throw new IllegalArgumentException("cursor of session " + cursor.sessionId() + " given with session "
                    + row.sessionId());
        }
        inTransaction("save repair progress " + row.sessionId(), c -> {
            mergeRepairSession(c, row);
            try (PreparedStatement p = c.prepareStatement("""
                    MERGE INTO repair_cursors (session_id, remaining_vnodes, vnodes_failed, updated_at)
                    KEY (session_id) VALUES (?, ?, ?, ?)""")) {
                p.setString(1, cursor.sessionId());
                p.setString(2, cursor.remainingVnodes());
                p.setInt(3, cursor.vnodesFailed());
                setInstant(p, 4, cursor.updatedAt());
                p.executeUpdate();
            }
            return null;
        });
    }

    /** Where the session stands, if it recorded a cursor. */
    public java.util.Optional<RepairCursorRow> repairCursor(String sessionId) {
        Checks.text(sessionId, "session id");
        return run("read repair cursor " + sessionId, c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT session_id, remaining_vnodes, vnodes_failed, updated_at FROM repair_cursors WHERE session_id = ?")) {
                p.setString(1, sessionId);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next()
                            ? java.util.Optional.of(new RepairCursorRow(rs.getString(1), rs.getString(2), rs.getInt(3),
                                    rs.getObject(4, Instant.class)))
                            : java.util.Optional.<RepairCursorRow>empty();
                }
            }
        });
    }

    /** The repair sessions in state {@code state}, oldest first, at most {@code limit}. */
    public List<RepairSessionRow> repairSessionsInState(String state, int limit) {
        Checks.text(state, "state");
        if (limit < 1 || limit > MAX_LIST_ROWS) {
            throw new IllegalArgumentException("limit must be in [1, " + MAX_LIST_ROWS + "], was " + limit);
        }
        return run("list repair sessions in state " + state, c -> {
            try (PreparedStatement p = c.prepareStatement("""
                    SELECT session_id, scope, keyspace, vnodes_total, vnodes_done, keys_compared, keys_streamed,
                           bytes_streamed, started_at, updated_at, finished_at, state
                    FROM repair_sessions WHERE state = ? ORDER BY started_at, session_id LIMIT ?""")) {
                p.setString(1, state);
                p.setInt(2, limit);
                try (ResultSet rs = p.executeQuery()) {
                    List<RepairSessionRow> rows = new ArrayList<>();
                    while (rs.next()) {
                        rows.add(new RepairSessionRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                                rs.getInt(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getObject(9, Instant.class),
                                rs.getObject(10, Instant.class), rs.getObject(11, Instant.class), rs.getString(12)));
                    }
                    return List.copyOf(rows);
                }
            }
        });
    }

    /**
     * Records that a repair started at {@code startedAt} reached every replica of the vnode; an
     * earlier mark than the one recorded changes nothing.
     */
    public void recordVnodeRepaired(String keyspace, int vnode, Instant startedAt) {
        Checks.text(keyspace, "keyspace");
        Checks.nonNegative(vnode, "vnode");
        Checks.present(startedAt, "started at");
        inTransaction("record repair of " + keyspace + " vnode " + vnode, c -> {
            try (PreparedStatement p = c.prepareStatement("""
                    MERGE INTO vnode_repairs t USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS INT),
                            CAST(? AS TIMESTAMP(3) WITH TIME ZONE))) s (keyspace, vnode, repaired_at)
                    ON t.keyspace = s.keyspace AND t.vnode = s.vnode
                    WHEN MATCHED AND t.repaired_at < s.repaired_at THEN UPDATE SET repaired_at = s.repaired_at
                    WHEN NOT MATCHED THEN INSERT (keyspace, vnode, repaired_at) VALUES (s.keyspace, s.vnode, s.repaired_at)""")) {
                p.setString(1, keyspace);
                p.setInt(2, vnode);
                p.setObject(3, startedAt);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** When each vnode of the keyspace was last fully repaired (start of that repair); vnodes never repaired are absent. */
    public java.util.Map<Integer, Instant> vnodeRepairs(String keyspace) {
        Checks.text(keyspace, "keyspace");
        return run("read vnode repairs of " + keyspace, c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT vnode, repaired_at FROM vnode_repairs WHERE keyspace = ?")) {
                p.setString(1, keyspace);
                try (ResultSet rs = p.executeQuery()) {
                    java.util.Map<Integer, Instant> out = new java.util.HashMap<>();
                    while (rs.next()) {
                        out.put(rs.getInt(1), rs.getObject(2, Instant.class));
                    }
                    return java.util.Map.copyOf(out);
                }
            }
        });
    }

    /** Inserts or replaces the transfer {@code row.transferId()}. */
    public void upsertTransfer(TransferRow row) {
        Objects.requireNonNull(row, "row");
        run("upsert transfer " + row.transferId(), c -> {
            try (PreparedStatement p = c.prepareStatement("""
                    MERGE INTO transfers (transfer_id, vnode, from_node, to_node, ring_epoch, state, keys, bytes,
                                          started_at, updated_at)
                    KEY (transfer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                p.setString(1, row.transferId());
                p.setInt(2, row.vnode());
                p.setString(3, row.fromNode());
                p.setString(4, row.toNode());
                p.setLong(5, row.ringEpoch());
                p.setString(6, row.state());
                p.setLong(7, row.keys());
                p.setLong(8, row.bytes());
                setInstant(p, 9, row.startedAt());
                setInstant(p, 10, row.updatedAt());
                p.executeUpdate();
            }
            return null;
        });
    }

    /** The {@code limit} most recently started transfers, newest first. */
    public List<TransferRow> transfers(int limit) {
        return list("list transfers", """
                SELECT transfer_id, vnode, from_node, to_node, ring_epoch, state, keys, bytes, started_at, updated_at
                FROM transfers ORDER BY started_at DESC, transfer_id LIMIT ?""", limit,
                rs -> new TransferRow(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        rs.getLong(5), rs.getString(6), rs.getLong(7), rs.getLong(8), rs.getObject(9, Instant.class),
                        rs.getObject(10, Instant.class)));
    }

    /** Closes the database; later calls fail. Closing twice does nothing. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // The last connection closing closes the H2 database and writes it out.
            connection.close();
            log.debug("catalog {}: closed", dir);
        } catch (SQLException e) {
            throw new CatalogException("catalog at " + dir + ": close failed: " + e.getMessage(), e);
        } finally {
            OPEN.remove(dir);
            lock.unlock();
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> list(String what, String sql, int limit, RowReader<T> reader) {
        if (limit < 1 || limit > MAX_LIST_ROWS) {
            throw new IllegalArgumentException("limit must be in [1, " + MAX_LIST_ROWS + "], was " + limit);
        }
        return run(what, c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setInt(1, limit);
                try (ResultSet rs = p.executeQuery()) {
                    List<T> rows = new ArrayList<>();
                    while (rs.next()) {
                        rows.add(reader.read(rs));
                    }
                    return List.copyOf(rows);
                }
            }
        });
    }

    /** Runs {@code work} alone on the connection in auto-commit mode. */
    private <T> T run(String what, Work<T> work) {
        lock.lock();
        try {
            if (closed) {
                throw new CatalogException("catalog at " + dir + " is closed: cannot " + what);
            }
            return work.apply(connection);
        } catch (SQLException e) {
            throw new CatalogException("catalog at " + dir + ": " + what + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} alone on the connection in one transaction, rolled back if it throws anything. */
    private <T> T inTransaction(String what, Work<T> work) {
        return run(what, c -> {
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    private static void setInstant(PreparedStatement p, int index, Instant value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            p.setObject(index, value);
        }
    }

    private static Instant now(Clock clock) {
        return Instant.ofEpochMilli(clock.wallMillis());
    }
}
