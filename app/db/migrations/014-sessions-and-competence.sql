-- Classroom, virtual and on-the-job training (SOP-TR-001 step 5) and practical competence
-- sign-off (step 6), both recorded as FRM-TR-001 says and e-signed: the trainer signs the session
-- record; a qualified senior colleague signs the competence assessment and the line manager
-- approves it. New signature meanings are rows (migration 009), not a rebuilt table.
INSERT INTO signature_meanings (meaning, purpose) VALUES
  ('Training delivered', 'training'),
  ('Competence assessed', 'training'),
  ('Competence approved', 'training');

CREATE TABLE training_sessions (
  id               INTEGER PRIMARY KEY,
  title            TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('classroom', 'virtual', 'on-the-job')),
  held_on          TEXT NOT NULL CHECK (held_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
  content          TEXT NOT NULL,
  documents        TEXT NOT NULL,
  trainer_id       TEXT NOT NULL REFERENCES users(id),
  recorded_at      TEXT NOT NULL,
  content_hash     TEXT NOT NULL,
  signature_id     INTEGER NOT NULL REFERENCES signatures(id)
);
CREATE TABLE training_session_attendees (
  session_id INTEGER NOT NULL REFERENCES training_sessions(id),
  user_id    TEXT NOT NULL REFERENCES users(id),
  completed  INTEGER NOT NULL CHECK (completed IN (0, 1)),
  PRIMARY KEY (session_id, user_id)
);
CREATE INDEX training_session_attendees_user ON training_session_attendees (user_id);
CREATE TRIGGER training_sessions_no_update BEFORE UPDATE ON training_sessions
BEGIN SELECT RAISE(ABORT, 'training session records are never updated'); END;
CREATE TRIGGER training_sessions_no_delete BEFORE DELETE ON training_sessions
BEGIN SELECT RAISE(ABORT, 'training session records are never deleted'); END;
CREATE TRIGGER training_session_attendees_no_update BEFORE UPDATE ON training_session_attendees
BEGIN SELECT RAISE(ABORT, 'attendance records are never updated'); END;
CREATE TRIGGER training_session_attendees_no_delete BEFORE DELETE ON training_session_attendees
BEGIN SELECT RAISE(ABORT, 'attendance records are never deleted'); END;

CREATE TABLE competence_signoffs (
  id                    INTEGER PRIMARY KEY,
  user_id               TEXT NOT NULL REFERENCES users(id),
  job_function          TEXT NOT NULL REFERENCES job_functions(id),
  task                  TEXT NOT NULL,
  observed_on           TEXT NOT NULL CHECK (observed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  assessor_id           TEXT NOT NULL REFERENCES users(id),
  assessor_signature_id INTEGER NOT NULL REFERENCES signatures(id),
  content_hash          TEXT NOT NULL,
  status                TEXT NOT NULL DEFAULT 'awaiting-approval' CHECK (status IN ('awaiting-approval', 'approved')),
  approver_id           TEXT REFERENCES users(id),
  approver_signature_id INTEGER REFERENCES signatures(id),
  approved_at           TEXT
);
CREATE INDEX competence_signoffs_user ON competence_signoffs (user_id, job_function);
CREATE TRIGGER competence_signoffs_no_delete BEFORE DELETE ON competence_signoffs
BEGIN SELECT RAISE(ABORT, 'competence sign-offs are records: never deleted'); END;
