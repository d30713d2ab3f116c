-- Knowledge checks (SOP-TR-001 step 4): every attempt at a version's quiz is kept, graded on the
-- server. After the quiz's maximum of failed attempts the assignment is locked until a training
-- coordinator resets it (a new round of attempts), with a reason. Records: never updated or deleted.
CREATE TABLE quiz_attempts (
  id            INTEGER PRIMARY KEY,
  assignment_id INTEGER NOT NULL REFERENCES training_assignments(id),
  round         INTEGER NOT NULL CHECK (round >= 0),
  attempt       INTEGER NOT NULL CHECK (attempt >= 1),
  quiz_hash     TEXT NOT NULL,
  answers       TEXT NOT NULL,
  score         INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
  passed        INTEGER NOT NULL CHECK (passed IN (0, 1)),
  submitted_at  TEXT NOT NULL,
  UNIQUE (assignment_id, round, attempt)
);
CREATE TRIGGER quiz_attempts_no_update BEFORE UPDATE ON quiz_attempts
BEGIN SELECT RAISE(ABORT, 'quiz attempts are records: never updated'); END;
CREATE TRIGGER quiz_attempts_no_delete BEFORE DELETE ON quiz_attempts
BEGIN SELECT RAISE(ABORT, 'quiz attempts are records: never deleted'); END;

CREATE TABLE quiz_resets (
  id            INTEGER PRIMARY KEY,
  assignment_id INTEGER NOT NULL REFERENCES training_assignments(id),
  reset_by      TEXT NOT NULL REFERENCES users(id),
  reason        TEXT NOT NULL,
  reset_at      TEXT NOT NULL
);
CREATE INDEX quiz_resets_assignment ON quiz_resets (assignment_id);
CREATE TRIGGER quiz_resets_no_update BEFORE UPDATE ON quiz_resets
BEGIN SELECT RAISE(ABORT, 'quiz resets are records: never updated'); END;
CREATE TRIGGER quiz_resets_no_delete BEFORE DELETE ON quiz_resets
BEGIN SELECT RAISE(ABORT, 'quiz resets are records: never deleted'); END;
