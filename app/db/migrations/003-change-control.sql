-- Change requests: the only way a controlled document changes (ISO 9001 §7.5.3, ICH E6(R3)).
CREATE TABLE change_requests (
  id                      TEXT PRIMARY KEY,           -- CR-2026-0001
  year                    INTEGER NOT NULL,
  number                  INTEGER NOT NULL,
  doc_id                  TEXT NOT NULL,              -- existing document, or the id of a new one
  new_document            INTEGER NOT NULL CHECK (new_document IN (0, 1)),
  doc_path                TEXT NOT NULL,              -- where the document lives in the repository
  title                   TEXT NOT NULL,
  reason                  TEXT NOT NULL,
  revision                TEXT NOT NULL CHECK (revision IN ('major', 'minor')),
  retraining_required     INTEGER NOT NULL CHECK (retraining_required IN (0, 1)),
  proposed_effective_date TEXT NOT NULL,
  capa_ref                TEXT,
  state                   TEXT NOT NULL CHECK (state IN ('draft', 'in-review', 'approved', 'rejected', 'withdrawn')),
  author_id               TEXT NOT NULL REFERENCES users(id),
  base_commit             TEXT NOT NULL,              -- main when the CR was opened
  branch                  TEXT NOT NULL UNIQUE,       -- cr/CR-2026-0001
  target_version          TEXT NOT NULL,
  created_at              TEXT NOT NULL,
  updated_at              TEXT NOT NULL,
  approved_commit         TEXT,
  UNIQUE (year, number)
);
CREATE INDEX change_requests_doc ON change_requests (doc_id);

CREATE TABLE change_request_reviewers (
  cr_id   TEXT NOT NULL REFERENCES change_requests(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (cr_id, user_id)
);

-- Comments and rejections (with their reason): records, never edited.
CREATE TABLE change_request_comments (
  id       INTEGER PRIMARY KEY,
  cr_id    TEXT NOT NULL REFERENCES change_requests(id),
  user_id  TEXT NOT NULL REFERENCES users(id),
  at       TEXT NOT NULL,
  kind     TEXT NOT NULL CHECK (kind IN ('comment', 'rejection', 'withdrawal')),
  body     TEXT NOT NULL,
  commit_sha TEXT
);
CREATE TRIGGER change_request_comments_no_update BEFORE UPDATE ON change_request_comments
BEGIN SELECT RAISE(ABORT, 'comments are records: never updated'); END;
CREATE TRIGGER change_request_comments_no_delete BEFORE DELETE ON change_request_comments
BEGIN SELECT RAISE(ABORT, 'comments are records: never deleted'); END;

-- Electronic signatures (Part 11 §11.50, §11.70, §11.200): printed name, user, UTC time, meaning,
-- and the SHA-256 of the exact content signed. Records: never updated, never deleted.
CREATE TABLE signatures (
  id            INTEGER PRIMARY KEY,
  cr_id         TEXT REFERENCES change_requests(id),
  doc_id        TEXT NOT NULL,
  version       TEXT,
  user_id       TEXT NOT NULL REFERENCES users(id),
  username      TEXT NOT NULL,
  printed_name  TEXT NOT NULL,
  meaning       TEXT NOT NULL CHECK (meaning IN ('Authored', 'Reviewed', 'Approved', 'Periodic review', 'Retired')),
  signed_at     TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  commit_sha    TEXT,
  statement     TEXT
);
CREATE INDEX signatures_cr ON signatures (cr_id);
CREATE INDEX signatures_doc ON signatures (doc_id, version);
CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures
BEGIN SELECT RAISE(ABORT, 'signatures are records: never updated'); END;
CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN SELECT RAISE(ABORT, 'signatures are records: never deleted'); END;

-- The change request a version came from (null for versions adopted at initialisation).
ALTER TABLE document_versions ADD COLUMN cr_id TEXT;

-- An approval in progress: written before git changes, removed when the database has caught up.
-- At start, Quire finishes or discards each one (docs/decisions/005-approval-consistency.md).
CREATE TABLE approval_intents (
  cr_id       TEXT PRIMARY KEY REFERENCES change_requests(id),
  main_before TEXT NOT NULL,
  payload     TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

-- Retirement of a document: from its effective date no version is in force.
CREATE TABLE retirements (
  doc_id         TEXT PRIMARY KEY REFERENCES documents(id),
  effective_from TEXT NOT NULL,
  reason         TEXT NOT NULL,
  signature_id   INTEGER NOT NULL REFERENCES signatures(id),
  retired_at     TEXT NOT NULL
);

-- Periodic reviews: "no change needed" (signed) restarts the review interval.
CREATE TABLE periodic_reviews (
  id           INTEGER PRIMARY KEY,
  doc_id       TEXT NOT NULL REFERENCES documents(id),
  version      TEXT NOT NULL,
  reviewed_on  TEXT NOT NULL,
  outcome      TEXT NOT NULL CHECK (outcome IN ('no-change', 'change-request')),
  signature_id INTEGER REFERENCES signatures(id),
  cr_id        TEXT REFERENCES change_requests(id),
  comment      TEXT
);
CREATE INDEX periodic_reviews_doc ON periodic_reviews (doc_id, reviewed_on);
