-- V2: anti-entropy progress that survives a restart, and when each vnode was last fully repaired.
-- Re-runnable like V1: every statement is IF NOT EXISTS.

-- Where a repair session stands: the vnodes it has yet to finish (comma-separated ranges such as
-- "0-17,40,52-63"), so a RUNNING session found at start continues from there.
CREATE TABLE IF NOT EXISTS repair_cursors (
    session_id       VARCHAR(128) PRIMARY KEY,
    remaining_vnodes CLOB NOT NULL,
    vnodes_failed    INT  NOT NULL,
    updated_at       TIMESTAMP(3) WITH TIME ZONE NOT NULL
);

-- When a repair that reached every replica of (keyspace, vnode) last started: the scheduler's
-- clock, and the mark a tombstone must be older than before it may be purged.
CREATE TABLE IF NOT EXISTS vnode_repairs (
    keyspace    VARCHAR(64) NOT NULL,
    vnode       INT NOT NULL,
    repaired_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    PRIMARY KEY (keyspace, vnode)
);

CREATE INDEX IF NOT EXISTS repair_sessions_by_state ON repair_sessions (state);
