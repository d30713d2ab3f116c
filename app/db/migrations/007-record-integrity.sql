-- Every commit Quire itself puts on main (init's seed, each approval) and every audit anchor it
-- writes: the list of what Quire wrote, so a commit or tag it did not write is recognised as
-- foreign (docs/decisions/008-own-versions-and-verify.md). Records: never updated, never deleted.
CREATE TABLE content_writes (
  commit_sha TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('seed', 'approval', 'anchor', 'upgrade')),
  ref        TEXT NOT NULL,              -- the ref it was written to: main, or refs/quire/audit-anchors
  tag        TEXT,                       -- the version tag written with it, if any
  cr_id      TEXT,
  written_at TEXT NOT NULL
);
CREATE TRIGGER content_writes_no_update BEFORE UPDATE ON content_writes
BEGIN SELECT RAISE(ABORT, 'content_writes is a record: rows are never updated'); END;
CREATE TRIGGER content_writes_no_delete BEFORE DELETE ON content_writes
BEGIN SELECT RAISE(ABORT, 'content_writes is a record: rows are never deleted'); END;

-- Refs and commits found in the content repository that Quire did not write, as the last start
-- saw them. Not a record: `last_seen` moves, and a ref no longer found is marked resolved.
CREATE TABLE foreign_refs (
  ref         TEXT NOT NULL,
  target      TEXT NOT NULL,
  kind        TEXT NOT NULL,
  message     TEXT NOT NULL,
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL,
  resolved_at TEXT,
  PRIMARY KEY (ref, target, kind)
);
