-- Job functions: the rows of the training matrix, loaded from the content repository's job-functions.yaml.
CREATE TABLE job_functions (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT NOT NULL
);

-- A controlled document: its stable human id never changes (SOP-DC-001).
CREATE TABLE documents (
  id         TEXT PRIMARY KEY,
  type       TEXT NOT NULL CHECK (type IN ('manual', 'policy', 'sop', 'work-instruction', 'form')),
  path       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

-- An approved version: a commit and tag in the content repository. A record, written once.
CREATE TABLE document_versions (
  doc_id         TEXT NOT NULL REFERENCES documents(id),
  major          INTEGER NOT NULL CHECK (major >= 1),
  minor          INTEGER NOT NULL CHECK (minor >= 0),
  version        TEXT NOT NULL,
  commit_sha     TEXT NOT NULL,
  tag            TEXT NOT NULL UNIQUE,
  path           TEXT NOT NULL,
  content_hash   TEXT NOT NULL,
  title          TEXT NOT NULL,
  frontmatter    TEXT NOT NULL,
  change_reason  TEXT NOT NULL,
  approved_at    TEXT NOT NULL,
  effective_from TEXT NOT NULL CHECK (effective_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  PRIMARY KEY (doc_id, major, minor)
);
CREATE INDEX document_versions_effective ON document_versions (doc_id, effective_from);

CREATE TRIGGER document_versions_no_update BEFORE UPDATE ON document_versions
BEGIN SELECT RAISE(ABORT, 'document_versions is a record: rows are never updated'); END;
CREATE TRIGGER document_versions_no_delete BEFORE DELETE ON document_versions
BEGIN SELECT RAISE(ABORT, 'document_versions is a record: rows are never deleted'); END;

-- Compiled MDX, keyed by the SHA-256 of the source and the compiler that produced it.
CREATE TABLE mdx_cache (
  content_hash TEXT NOT NULL,
  compiler     TEXT NOT NULL,
  code         TEXT NOT NULL,
  compiled_at  TEXT NOT NULL,
  PRIMARY KEY (content_hash, compiler)
);

-- Facts about this data folder (created_at, demo).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
