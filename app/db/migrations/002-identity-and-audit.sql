-- People. Never deleted and user names never reused (Part 11 §11.300(a)): no DELETE, and the
-- username is unique for all time because rows are never removed.
CREATE TABLE users (
  id                   TEXT PRIMARY KEY,
  username             TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name         TEXT NOT NULL,
  email                TEXT NOT NULL,
  password_hash        TEXT NOT NULL,
  active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_signins       INTEGER NOT NULL DEFAULT 0,
  locked_at            TEXT,
  must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  password_changed_at  TEXT NOT NULL,
  created_at           TEXT NOT NULL
);
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN SELECT RAISE(ABORT, 'users are never deleted: deactivate instead'); END;
CREATE TRIGGER users_username_fixed BEFORE UPDATE OF username ON users
BEGIN SELECT RAISE(ABORT, 'a user name never changes'); END;

-- The last password hashes, so a new password cannot repeat one of the last five.
CREATE TABLE password_history (
  user_id       TEXT NOT NULL REFERENCES users(id),
  password_hash TEXT NOT NULL,
  set_at        TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, set_at);

CREATE TABLE user_roles (
  user_id TEXT NOT NULL REFERENCES users(id),
  role    TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
);

CREATE TABLE user_job_functions (
  user_id         TEXT NOT NULL REFERENCES users(id),
  job_function_id TEXT NOT NULL REFERENCES job_functions(id),
  PRIMARY KEY (user_id, job_function_id)
);

-- Sessions (lucia v3 over our adapter). created_at bounds the absolute lifetime, last_seen_at the idle time.
CREATE TABLE sessions (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users(id),
  expires_at   INTEGER NOT NULL,
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The audit trail: append-only, each row hashed with the previous row's hash (a chain).
CREATE TABLE audit_events (
  seq            INTEGER PRIMARY KEY,
  at             TEXT NOT NULL,
  user_id        TEXT,
  username       TEXT,
  action         TEXT NOT NULL,
  object_type    TEXT NOT NULL,
  object_id      TEXT,
  old_values     TEXT,
  new_values     TEXT,
  reason         TEXT,
  client_address TEXT,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);
CREATE INDEX audit_events_user ON audit_events (user_id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: rows are never updated'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: rows are never deleted'); END;
