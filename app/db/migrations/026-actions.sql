-- quire:foreign-keys-off (signature_meanings is rebuilt to admit a third purpose: SQLite's twelve-step table change)

-- Actions and CAPAs, and red-KPI cause analyses (SOP-KP-001, "Act on red KPIs" and "Record and
-- follow up"; SOP-CA-001, "Initiate the CAPA"; issue 14).
--
-- A cause analysis is signed ("Cause analysis", Part 11 §11.50, §11.200(a)). It is neither document
-- control (shown with a version) nor training (shown on a transcript): it is a quality record, the
-- third purpose, so the meanings table is rebuilt once with a CHECK that admits it (its rows kept).
CREATE TABLE signature_meanings_rebuilt (
  meaning TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('document-control', 'training', 'quality-record'))
);
INSERT INTO signature_meanings_rebuilt (meaning, purpose) SELECT meaning, purpose FROM signature_meanings;
DROP TABLE signature_meanings;
ALTER TABLE signature_meanings_rebuilt RENAME TO signature_meanings;
CREATE TRIGGER signature_meanings_no_update BEFORE UPDATE ON signature_meanings
BEGIN SELECT RAISE(ABORT, 'signature meanings are never changed: add a new one'); END;
CREATE TRIGGER signature_meanings_no_delete BEFORE DELETE ON signature_meanings
BEGIN SELECT RAISE(ABORT, 'signature meanings are never deleted'); END;
INSERT INTO signature_meanings (meaning, purpose) VALUES ('Cause analysis', 'quality-record');

-- The register of actions and CAPAs: one row per item, ACT-0001 and CAPA-0001 numbered per kind.
-- A register of work, not a signed record: the owner, due date and description change through
-- audited updates (each with a reason); closing, with its evidence, is final.
--   source_ref  for a KPI: "<kpi id> <YYYY-MM>" (also in kpi_id, kpi_period); otherwise free text
--               such as an audit report or deviation number.
--   status      open or closed; "overdue" is derived (open and due before today), never stored.
CREATE TABLE actions (
  id               TEXT PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('action', 'capa')),
  seq              INTEGER NOT NULL CHECK (seq > 0),
  source           TEXT NOT NULL CHECK (source IN ('kpi', 'audit-finding', 'deviation', 'management-review')),
  source_ref       TEXT NOT NULL CHECK (length(trim(source_ref)) > 0),
  kpi_id           TEXT,
  kpi_period       TEXT CHECK (kpi_period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
  description      TEXT NOT NULL CHECK (length(trim(description)) > 0),
  owner_id         TEXT NOT NULL REFERENCES users(id),
  due_on           TEXT NOT NULL CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  closure_evidence TEXT CHECK (closure_evidence IS NULL OR length(trim(closure_evidence)) > 0),
  closed_by        TEXT REFERENCES users(id),
  closed_at        TEXT,
  created_by       TEXT NOT NULL REFERENCES users(id),
  created_at       TEXT NOT NULL,
  UNIQUE (kind, seq),
  CHECK ((source = 'kpi') = (kpi_id IS NOT NULL AND kpi_period IS NOT NULL)),
  CHECK ((status = 'closed') = (closure_evidence IS NOT NULL AND closed_by IS NOT NULL AND closed_at IS NOT NULL))
);
CREATE INDEX actions_kpi ON actions (kpi_id, kpi_period);
CREATE INDEX actions_open ON actions (status, due_on);
CREATE INDEX actions_owner ON actions (owner_id);
CREATE TRIGGER actions_closed_final BEFORE UPDATE ON actions WHEN OLD.status = 'closed'
BEGIN SELECT RAISE(ABORT, 'a closed action or CAPA is final: it is never changed'); END;
CREATE TRIGGER actions_identity_fixed BEFORE UPDATE OF id, kind, seq, source, source_ref, kpi_id, kpi_period, created_by, created_at ON actions
BEGIN SELECT RAISE(ABORT, 'an action''s number, kind and source never change'); END;
CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions
BEGIN SELECT RAISE(ABORT, 'the register of actions keeps every item: never deleted'); END;

-- Change requests an action or CAPA led to (SOP-CA-001, "Verify implementation": documents changed
-- as part of a CAPA follow SOP-DC-001). A link is added, audited, and kept.
CREATE TABLE action_change_requests (
  action_id TEXT NOT NULL REFERENCES actions(id),
  cr_id     TEXT NOT NULL REFERENCES change_requests(id),
  linked_by TEXT NOT NULL REFERENCES users(id),
  linked_at TEXT NOT NULL,
  PRIMARY KEY (action_id, cr_id)
);
CREATE TRIGGER action_change_requests_no_update BEFORE UPDATE ON action_change_requests
BEGIN SELECT RAISE(ABORT, 'links to change requests are kept as made: never updated'); END;
CREATE TRIGGER action_change_requests_no_delete BEFORE DELETE ON action_change_requests
BEGIN SELECT RAISE(ABORT, 'links to change requests are kept as made: never deleted'); END;

-- The cause analysis of a red KPI month (SOP-KP-001: "For every red KPI, the owner records within 10
-- working days an analysis of the cause and the actions planned"), signed by its recorder and bound
-- to the SHA-256 of its canonical text (Part 11 §11.70). The KPI's name and owner function are kept as
-- they were when it was signed. due_on: 10 working days counted from the first day of the next month.
-- Records: never updated or deleted.
CREATE TABLE kpi_analyses (
  id             INTEGER PRIMARY KEY,
  kpi_id         TEXT NOT NULL CHECK (length(kpi_id) > 0),
  kpi_name       TEXT NOT NULL,
  owner_function TEXT NOT NULL,
  period         TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
  cause          TEXT NOT NULL CHECK (length(trim(cause)) > 0),
  due_on         TEXT NOT NULL CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  recorded_by    TEXT NOT NULL REFERENCES users(id),
  recorded_at    TEXT NOT NULL,
  content_hash   TEXT NOT NULL CHECK (length(content_hash) = 64),
  signature_id   INTEGER NOT NULL REFERENCES signatures(id)
);
CREATE INDEX kpi_analyses_kpi ON kpi_analyses (kpi_id, period);
CREATE TRIGGER kpi_analyses_no_update BEFORE UPDATE ON kpi_analyses
BEGIN SELECT RAISE(ABORT, 'cause analyses are records: never updated'); END;
CREATE TRIGGER kpi_analyses_no_delete BEFORE DELETE ON kpi_analyses
BEGIN SELECT RAISE(ABORT, 'cause analyses are records: never deleted'); END;

-- The actions an analysis planned (created with it) or pointed to (already in the register).
CREATE TABLE kpi_analysis_actions (
  analysis_id INTEGER NOT NULL REFERENCES kpi_analyses(id),
  action_id   TEXT NOT NULL REFERENCES actions(id),
  created     INTEGER NOT NULL CHECK (created IN (0, 1)),
  PRIMARY KEY (analysis_id, action_id)
);
CREATE INDEX kpi_analysis_actions_action ON kpi_analysis_actions (action_id);
CREATE TRIGGER kpi_analysis_actions_no_update BEFORE UPDATE ON kpi_analysis_actions
BEGIN SELECT RAISE(ABORT, 'cause analyses are records: their actions are never updated'); END;
CREATE TRIGGER kpi_analysis_actions_no_delete BEFORE DELETE ON kpi_analysis_actions
BEGIN SELECT RAISE(ABORT, 'cause analyses are records: their actions are never deleted'); END;
