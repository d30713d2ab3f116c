-- quire:foreign-keys-off (the signatures table is rebuilt: SQLite's twelve-step table change)

-- Signature meanings: a row per meaning, so a new meaning is one INSERT, never another rebuild of
-- the signatures table. `purpose` separates document-control signatures (shown with a version,
-- written into its commit) from training acknowledgements (shown on transcripts).
CREATE TABLE signature_meanings (
  meaning TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('document-control', 'training'))
);
INSERT INTO signature_meanings (meaning, purpose) VALUES
  ('Authored', 'document-control'),
  ('Reviewed', 'document-control'),
  ('Approved', 'document-control'),
  ('Periodic review', 'document-control'),
  ('Retired', 'document-control'),
  ('Read and understood', 'training');
CREATE TRIGGER signature_meanings_no_update BEFORE UPDATE ON signature_meanings
BEGIN SELECT RAISE(ABORT, 'signature meanings are never changed: add a new one'); END;
CREATE TRIGGER signature_meanings_no_delete BEFORE DELETE ON signature_meanings
BEGIN SELECT RAISE(ABORT, 'signature meanings are never deleted'); END;

CREATE TABLE signatures_rebuilt (
  id            INTEGER PRIMARY KEY,
  cr_id         TEXT REFERENCES change_requests(id),
  doc_id        TEXT NOT NULL,
  version       TEXT,
  user_id       TEXT NOT NULL REFERENCES users(id),
  username      TEXT NOT NULL,
  printed_name  TEXT NOT NULL,
  meaning       TEXT NOT NULL REFERENCES signature_meanings(meaning),
  signed_at     TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  commit_sha    TEXT,
  statement     TEXT
);
INSERT INTO signatures_rebuilt (id, cr_id, doc_id, version, user_id, username, printed_name, meaning, signed_at, content_hash, commit_sha, statement)
  SELECT id, cr_id, doc_id, version, user_id, username, printed_name, meaning, signed_at, content_hash, commit_sha, statement FROM signatures;
DROP TABLE signatures;
ALTER TABLE signatures_rebuilt RENAME TO signatures;
CREATE INDEX signatures_cr ON signatures (cr_id);
CREATE INDEX signatures_doc ON signatures (doc_id, version);
CREATE INDEX signatures_user ON signatures (user_id, meaning);
CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures
BEGIN SELECT RAISE(ABORT, 'signatures are records: never updated'); END;
CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN SELECT RAISE(ABORT, 'signatures are records: never deleted'); END;

-- A person's line manager (SOP-TR-001: signs off practical competence, receives escalations).
ALTER TABLE users ADD COLUMN manager_id TEXT REFERENCES users(id);

-- A version is named by its document and number (assignments refer to it so).
CREATE UNIQUE INDEX document_versions_version ON document_versions (doc_id, version);

-- Training assignments (SOP-TR-001): one person, one document version, one due date, and what
-- caused it. Rows change state (open -> completed | superseded | cancelled) but are never deleted;
-- every change is in the audit trail.
CREATE TABLE training_assignments (
  id           INTEGER PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users(id),
  doc_id       TEXT NOT NULL REFERENCES documents(id),
  version      TEXT NOT NULL,
  cause        TEXT NOT NULL CHECK (cause IN ('approval', 'induction', 'function-gained', 'replaces')),
  cause_ref    TEXT,
  assigned_at  TEXT NOT NULL,
  due_on       TEXT NOT NULL CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'superseded', 'cancelled')),
  closed_at    TEXT,
  signature_id INTEGER REFERENCES signatures(id),
  replaced_by  INTEGER REFERENCES training_assignments(id),
  FOREIGN KEY (doc_id, version) REFERENCES document_versions(doc_id, version)
);
-- At most one live assignment per person and version.
CREATE UNIQUE INDEX training_assignments_live ON training_assignments (user_id, doc_id, version) WHERE status IN ('open', 'completed');
CREATE INDEX training_assignments_user ON training_assignments (user_id, status, due_on);
CREATE INDEX training_assignments_version ON training_assignments (doc_id, version, status);
CREATE TRIGGER training_assignments_no_delete BEFORE DELETE ON training_assignments
BEGIN SELECT RAISE(ABORT, 'training assignments are records: close them, never delete'); END;

-- In-app notices to staff (a minor revision that needs no retraining, later reminders).
CREATE TABLE training_notices (
  id         INTEGER PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id),
  kind       TEXT NOT NULL,
  doc_id     TEXT,
  version    TEXT,
  message    TEXT NOT NULL,
  created_at TEXT NOT NULL,
  read_at    TEXT
);
CREATE INDEX training_notices_user ON training_notices (user_id, read_at);
