-- SOP-DC-001, "Withdraw obsolete documents": a document is withdrawn through a change request
-- approved by the owner and the quality manager. A change request is now of one of two kinds: a
-- revision (a draft on a branch that becomes a version) or a withdrawal (no draft: its approval route
-- is signed on the version in force, and the final approval records the retirement).
ALTER TABLE change_requests ADD COLUMN kind TEXT NOT NULL DEFAULT 'revision' CHECK (kind IN ('revision', 'withdrawal'));

-- The owner function's (and, for the manual and policies, executive management's) signature on a
-- withdrawal request, recorded with its job function like a function approval (migration 021); the
-- quality manager's final approval is the existing "Retired" signature.
INSERT INTO signature_meanings (meaning, purpose) VALUES ('Withdrawal approval', 'document-control');
