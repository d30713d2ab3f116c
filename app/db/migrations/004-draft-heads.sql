-- The branch head Quire last saw for each change request's draft (its own save, or what it found).
-- A head that differs when the draft is next read came from a git push, which is then audited.
ALTER TABLE change_requests ADD COLUMN known_head TEXT;
