-- The approver's training decision per job function for an approved version (issue 11, training
-- impact): what Quire proposed from the changed sections and what the approver decided. A record.
CREATE TABLE version_training_decisions (
  doc_id       TEXT NOT NULL,
  version      TEXT NOT NULL,
  job_function TEXT NOT NULL,
  proposed     TEXT NOT NULL CHECK (proposed IN ('retrain', 'notify', 'none')),
  decided      TEXT NOT NULL CHECK (decided IN ('retrain', 'notify', 'none')),
  reason       TEXT NOT NULL,
  cr_id        TEXT REFERENCES change_requests(id),
  PRIMARY KEY (doc_id, version, job_function),
  FOREIGN KEY (doc_id, version) REFERENCES document_versions(doc_id, version)
);
CREATE TRIGGER version_training_decisions_no_update BEFORE UPDATE ON version_training_decisions
BEGIN SELECT RAISE(ABORT, 'training decisions are records: never updated'); END;
CREATE TRIGGER version_training_decisions_no_delete BEFORE DELETE ON version_training_decisions
BEGIN SELECT RAISE(ABORT, 'training decisions are records: never deleted'); END;
