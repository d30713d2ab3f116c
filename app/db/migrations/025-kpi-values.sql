-- Imported KPI values (SOP-KP-001, "Collect and check the data"; issue 14): KPI owners import the
-- month's figures from trial systems (CTMS, EDC) as CSV files, one value per KPI, month, study and
-- site. Each import is a row of kpi_imports (the file's SHA-256 and name, who, when, how many rows were
-- new, changed or unchanged) and an audit row (kpi.import) written in the same transaction.
--
-- Provenance (question 20, "where do the numbers come from"): every value keeps the import and the
-- file line it came from, and is never edited or deleted. A later import that gives another figure for
-- the same key (kpi, period, study, site) adds a new row and marks the old one superseded_by that
-- import; re-importing the same figure adds nothing. So the history of any figure is every row with
-- its key, in import order, each with the file (SHA-256) that said it.
--
-- The current value per key is the row with superseded_by IS NULL: the partial unique index
-- kpi_values_current lets there be only one, and serves the dashboard's read (one KPI, a range of
-- months: `WHERE kpi = ? AND period BETWEEN ? AND ? AND superseded_by IS NULL` is a range search of
-- that index) and the import's lookup of each row's current value.
-- SOP-KP-001 retention: monthly dashboards and the data extracts of manual KPIs, 10 years.
CREATE TABLE kpi_imports (
  id                   INTEGER PRIMARY KEY,
  sha256               TEXT NOT NULL CHECK (length(sha256) = 64),
  file_name            TEXT NOT NULL CHECK (length(file_name) > 0),
  imported_by          TEXT REFERENCES users(id),       -- null: the `quire` CLI, run by the account that holds the data folder
  imported_by_username TEXT NOT NULL,                   -- as the audit row names them (cli:<os user> for the CLI)
  imported_at          TEXT NOT NULL,
  rows_total           INTEGER NOT NULL CHECK (rows_total > 0),
  rows_new             INTEGER NOT NULL CHECK (rows_new >= 0),
  rows_changed         INTEGER NOT NULL CHECK (rows_changed >= 0),
  rows_unchanged       INTEGER NOT NULL CHECK (rows_unchanged >= 0),
  CHECK (rows_total = rows_new + rows_changed + rows_unchanged)
);
CREATE INDEX kpi_imports_sha256 ON kpi_imports (sha256);

CREATE TABLE kpi_values (
  id            INTEGER PRIMARY KEY,
  import_id     INTEGER NOT NULL REFERENCES kpi_imports(id),
  line          INTEGER NOT NULL CHECK (line >= 2),     -- the file's line (the header is line 1)
  kpi           TEXT NOT NULL CHECK (length(kpi) > 0),  -- a KpiDefinition id from the SOPs' <Kpi> components
  period        TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]' AND substr(period, 6, 2) BETWEEN '01' AND '12'),
  study         TEXT NOT NULL CHECK (length(study) BETWEEN 1 AND 64),
  site          TEXT NOT NULL CHECK (length(site) BETWEEN 1 AND 64),
  value         REAL NOT NULL,
  numerator     REAL CHECK (numerator IS NULL OR numerator >= 0),
  denominator   REAL CHECK (denominator IS NULL OR denominator > 0),
  -- The import whose different figure for the same key replaced this one; null: the current value.
  superseded_by INTEGER REFERENCES kpi_imports(id),
  CHECK ((numerator IS NULL) = (denominator IS NULL)),
  CHECK (superseded_by IS NULL OR superseded_by > import_id)
);
CREATE UNIQUE INDEX kpi_values_current ON kpi_values (kpi, period, study, site) WHERE superseded_by IS NULL;
-- A key's history (every import's figure), and an import's values.
CREATE INDEX kpi_values_key ON kpi_values (kpi, period, study, site, import_id);
CREATE INDEX kpi_values_import ON kpi_values (import_id);

-- Records: an import and its values are never changed or deleted. The one update allowed is the
-- supersession, once: superseded_by from null to the import that replaced the value.
CREATE TRIGGER kpi_imports_no_update BEFORE UPDATE ON kpi_imports
BEGIN SELECT RAISE(ABORT, 'KPI imports are records: never updated'); END;
CREATE TRIGGER kpi_imports_no_delete BEFORE DELETE ON kpi_imports
BEGIN SELECT RAISE(ABORT, 'KPI imports are records: never deleted'); END;
CREATE TRIGGER kpi_values_no_update BEFORE UPDATE OF id, import_id, line, kpi, period, study, site, value, numerator, denominator ON kpi_values
BEGIN SELECT RAISE(ABORT, 'KPI values are records: never updated (a new figure supersedes the old)'); END;
CREATE TRIGGER kpi_values_supersede_once BEFORE UPDATE OF superseded_by ON kpi_values
WHEN OLD.superseded_by IS NOT NULL OR NEW.superseded_by IS NULL
BEGIN SELECT RAISE(ABORT, 'KPI values are records: a value is superseded once and stays superseded'); END;
CREATE TRIGGER kpi_values_no_delete BEFORE DELETE ON kpi_values
BEGIN SELECT RAISE(ABORT, 'KPI values are records: never deleted'); END;
