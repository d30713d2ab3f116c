-- Approval routing by document type (SOP-DC-001 steps 2, 5 and 6; issue 13): a document type's
-- approval needs signatures from job functions in order (the owner function, executive management
-- for the manual and policies) before the quality manager's final "Approved", which makes the
-- version. Each function approval is a signature with the meaning "Function approval" and a row here
-- naming the job function it was given for. Records: never updated or deleted.
INSERT INTO signature_meanings (meaning, purpose) VALUES ('Function approval', 'document-control');

CREATE TABLE function_approvals (
  signature_id INTEGER PRIMARY KEY REFERENCES signatures(id),
  cr_id        TEXT NOT NULL REFERENCES change_requests(id),
  job_function TEXT NOT NULL CHECK (length(job_function) > 0)
);
CREATE INDEX function_approvals_cr ON function_approvals (cr_id);
CREATE TRIGGER function_approvals_no_update BEFORE UPDATE ON function_approvals
BEGIN SELECT RAISE(ABORT, 'function approvals are records: never updated'); END;
CREATE TRIGGER function_approvals_no_delete BEFORE DELETE ON function_approvals
BEGIN SELECT RAISE(ABORT, 'function approvals are records: never deleted'); END;

-- An urgent change: the quality manager's justification for an effective date sooner than the
-- minimum training period, recorded in the change request when the final approval is signed.
ALTER TABLE change_requests ADD COLUMN urgent_justification TEXT;
