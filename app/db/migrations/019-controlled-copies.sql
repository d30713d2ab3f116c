-- Controlled copies (SOP-DC-001, "Distribute and control copies"; issue 12): the document
-- controller issues numbered copies of an approved version to a named recipient and signs the issue;
-- each copy's PDF is rendered by the PDF engine with its number in the footer and its SHA-256 kept
-- here, so it can be rendered again byte for byte and a copy in hand can be verified. When the version
-- is superseded or retired its open copies are "to recall" (derived from the version's status on the
-- day, not stored); a signed record of return or destruction closes each one, once.
-- The register is kept 25 years after the document is withdrawn: records are never updated or deleted.
INSERT INTO signature_meanings (meaning, purpose) VALUES
  ('Controlled copy issued', 'document-control'),
  ('Controlled copy recalled', 'document-control');

-- One issue: one recipient, one reason, one signature, 1-50 copies.
CREATE TABLE copy_issues (
  id           INTEGER PRIMARY KEY,
  doc_id       TEXT NOT NULL,
  version      TEXT NOT NULL,
  recipient    TEXT NOT NULL CHECK (length(trim(recipient)) > 0),
  location     TEXT NOT NULL CHECK (length(trim(location)) > 0),
  reason       TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  copies       INTEGER NOT NULL CHECK (copies BETWEEN 1 AND 50),
  issued_by    TEXT NOT NULL REFERENCES users(id),
  issued_at    TEXT NOT NULL,
  -- SHA-256 of the issue record's canonical text: what the issuer's signature is bound to (Part 11 §11.70).
  content_hash TEXT NOT NULL,
  signature_id INTEGER NOT NULL REFERENCES signatures(id),
  FOREIGN KEY (doc_id, version) REFERENCES document_versions (doc_id, version)
);
CREATE INDEX copy_issues_doc ON copy_issues (doc_id, version);

-- One numbered copy. What re-renders it: the version, the copy id, printed_by and printed_at.
CREATE TABLE controlled_copies (
  copy_id    TEXT PRIMARY KEY,
  issue_id   INTEGER NOT NULL REFERENCES copy_issues(id),
  doc_id     TEXT NOT NULL,
  version    TEXT NOT NULL,
  seq        INTEGER NOT NULL CHECK (seq > 0),
  printed_by TEXT NOT NULL,
  printed_at TEXT NOT NULL,
  pages      INTEGER NOT NULL CHECK (pages > 0),
  sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
  UNIQUE (doc_id, version, seq)
);
CREATE INDEX controlled_copies_issue ON controlled_copies (issue_id);
CREATE INDEX controlled_copies_sha256 ON controlled_copies (sha256);

-- The signed close of a copy: returned or destroyed. The primary key lets a copy be closed once.
CREATE TABLE copy_recalls (
  copy_id      TEXT PRIMARY KEY REFERENCES controlled_copies(copy_id),
  outcome      TEXT NOT NULL CHECK (outcome IN ('returned', 'destroyed')),
  closed_on    TEXT NOT NULL CHECK (closed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  note         TEXT NOT NULL,
  recorded_by  TEXT NOT NULL REFERENCES users(id),
  recorded_at  TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  signature_id INTEGER NOT NULL REFERENCES signatures(id)
);

CREATE TRIGGER copy_issues_no_update BEFORE UPDATE ON copy_issues
BEGIN SELECT RAISE(ABORT, 'the copy register is a record: issues are never updated'); END;
CREATE TRIGGER copy_issues_no_delete BEFORE DELETE ON copy_issues
BEGIN SELECT RAISE(ABORT, 'the copy register is a record: issues are never deleted'); END;
CREATE TRIGGER controlled_copies_no_update BEFORE UPDATE ON controlled_copies
BEGIN SELECT RAISE(ABORT, 'the copy register is a record: copies are never updated'); END;
CREATE TRIGGER controlled_copies_no_delete BEFORE DELETE ON controlled_copies
BEGIN SELECT RAISE(ABORT, 'the copy register is a record: copies are never deleted'); END;
CREATE TRIGGER copy_recalls_no_update BEFORE UPDATE ON copy_recalls
BEGIN SELECT RAISE(ABORT, 'the copy register is a record: recalls are never updated'); END;
CREATE TRIGGER copy_recalls_no_delete BEFORE DELETE ON copy_recalls
BEGIN SELECT RAISE(ABORT, 'the copy register is a record: recalls are never deleted'); END;
