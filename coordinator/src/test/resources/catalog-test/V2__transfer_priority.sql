-- A stand-in for a later schema change, used to test upgrades: a new column with a default that
-- rows written before the upgrade take, and an index.
ALTER TABLE transfers ADD COLUMN IF NOT EXISTS priority INT DEFAULT 0 NOT NULL;
CREATE INDEX IF NOT EXISTS transfers_by_state ON transfers (state);
