-- Checkpoints of the audit trail: a head (seq and hash) that a full or incremental verification
-- reached, so the audit page re-verifies only the rows since (Part 11 §11.10(e)). Records: written
-- once, never updated or deleted. Each checkpoint's hash must still equal its row's hash.
CREATE TABLE audit_checkpoints (
  id          INTEGER PRIMARY KEY,
  seq         INTEGER NOT NULL CHECK (seq > 0),
  hash        TEXT NOT NULL,
  verified_at TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are records: they are never updated'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are records: they are never deleted'); END;

-- The audit page's filters at a million rows. Every index also holds the rowid (seq), so an equality
-- filter reads its newest rows in seq order straight from the index, without sorting the matches.
CREATE INDEX audit_events_action ON audit_events (action);
CREATE INDEX audit_events_username ON audit_events (username COLLATE NOCASE);

-- The values the filter selects offer (users, actions, object types that occur in the trail), kept
-- as rows are appended instead of SELECT DISTINCT over the whole trail on every view. Derived data:
-- audit rows are never deleted, so a value once seen stays.
CREATE TABLE audit_filter_values (
  kind  TEXT NOT NULL CHECK (kind IN ('user', 'action', 'objectType')),
  value TEXT NOT NULL,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;
INSERT OR IGNORE INTO audit_filter_values (kind, value) SELECT DISTINCT 'user', username FROM audit_events WHERE username IS NOT NULL;
INSERT OR IGNORE INTO audit_filter_values (kind, value) SELECT DISTINCT 'action', action FROM audit_events;
INSERT OR IGNORE INTO audit_filter_values (kind, value) SELECT DISTINCT 'objectType', object_type FROM audit_events;
CREATE TRIGGER audit_events_filter_values AFTER INSERT ON audit_events
BEGIN
  INSERT OR IGNORE INTO audit_filter_values (kind, value) SELECT 'user', NEW.username WHERE NEW.username IS NOT NULL;
  INSERT OR IGNORE INTO audit_filter_values (kind, value) VALUES ('action', NEW.action);
  INSERT OR IGNORE INTO audit_filter_values (kind, value) VALUES ('objectType', NEW.object_type);
END;
