-- V1: the first system catalog of a node.
--
-- H2 commits every DDL statement on its own, so a migration cannot be rolled back as a whole.
-- Every statement is therefore written to be re-runnable (IF NOT EXISTS): a migration that was
-- interrupted half-way is finished by running it again on the next start. The change itself is
-- not recorded in schema_version until the whole script has run.
-- Timestamps are instants in UTC with millisecond precision.

-- Exactly one row (the key can only be TRUE): the node this data dir belongs to.
CREATE TABLE IF NOT EXISTS node_identity (
    singleton    BOOLEAN DEFAULT TRUE PRIMARY KEY CHECK (singleton),
    node_id      VARCHAR(64)  NOT NULL,
    rack         VARCHAR(255) NOT NULL,
    created_at   TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    cluster_name VARCHAR(255)
);

-- Every ring epoch this node applied, first application only.
CREATE TABLE IF NOT EXISTS ring_epochs (
    epoch       BIGINT PRIMARY KEY,
    applied_at  TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    source      VARCHAR(32) NOT NULL,
    node_count  INT NOT NULL,
    vnode_count INT NOT NULL
);

-- Hinted handoff bookkeeping per target node; the hints themselves live in the storage engine.
CREATE TABLE IF NOT EXISTS hint_stats (
    target_node     VARCHAR(64) PRIMARY KEY,
    hints_pending   BIGINT NOT NULL,
    bytes_pending   BIGINT NOT NULL,
    oldest_hint_at  TIMESTAMP(3) WITH TIME ZONE,
    delivered_total BIGINT NOT NULL,
    dropped_total   BIGINT NOT NULL,
    updated_at      TIMESTAMP(3) WITH TIME ZONE NOT NULL
);

-- Anti-entropy sessions and their progress; keyspace is NULL when a session covers them all.
CREATE TABLE IF NOT EXISTS repair_sessions (
    session_id     VARCHAR(128) PRIMARY KEY,
    scope          VARCHAR(64)  NOT NULL,
    keyspace       VARCHAR(255),
    vnodes_total   INT    NOT NULL,
    vnodes_done    INT    NOT NULL,
    keys_compared  BIGINT NOT NULL,
    keys_streamed  BIGINT NOT NULL,
    bytes_streamed BIGINT NOT NULL,
    started_at     TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    finished_at    TIMESTAMP(3) WITH TIME ZONE,
    state          VARCHAR(32)  NOT NULL
);

-- Vnode transfers of rebalancing and their progress.
CREATE TABLE IF NOT EXISTS transfers (
    transfer_id VARCHAR(128) PRIMARY KEY,
    vnode       INT    NOT NULL,
    from_node   VARCHAR(64) NOT NULL,
    to_node     VARCHAR(64) NOT NULL,
    ring_epoch  BIGINT NOT NULL,
    state       VARCHAR(32) NOT NULL,
    keys        BIGINT NOT NULL,
    bytes       BIGINT NOT NULL,
    started_at  TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP(3) WITH TIME ZONE NOT NULL
);
