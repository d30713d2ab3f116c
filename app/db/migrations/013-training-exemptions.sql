-- Exemptions (SOP-TR-001 step 8): a person absent for longer than the training window has their
-- due dates moved to 10 working days after return. A training coordinator records the absence;
-- a quality manager approves or rejects it (never the same person). The due dates an approval
-- moved are kept with it, and every change is in the audit trail.
CREATE TABLE training_exemptions (
  id            INTEGER PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id),
  absent_from   TEXT NOT NULL CHECK (absent_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  returns_on    TEXT NOT NULL CHECK (returns_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND returns_on > absent_from),
  reason        TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'rejected')),
  requested_by  TEXT NOT NULL REFERENCES users(id),
  requested_at  TEXT NOT NULL,
  decided_by    TEXT REFERENCES users(id),
  decided_at    TEXT,
  decision_note TEXT,
  moved         TEXT
);
CREATE INDEX training_exemptions_user ON training_exemptions (user_id, status);
CREATE TRIGGER training_exemptions_no_delete BEFORE DELETE ON training_exemptions
BEGIN SELECT RAISE(ABORT, 'exemptions are records: never deleted'); END;
