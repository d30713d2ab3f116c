-- Curriculum courses (SOP-TR-001 step 1): besides every controlled document whose audience names the
-- job function, a curriculum holds courses such as GCP training (refreshed every 3 years) and training
-- on each computerised system. The training coordinator proposes adding or removing a course for a
-- function, with a reason; a quality manager approves it with an e-signature ("Curriculum approved")
-- or rejects it. Changes are records: never deleted, and decided once. A function's curriculum on a
-- day is the newest approved change of each course. Sessions say which course they deliver.
INSERT INTO signature_meanings (meaning, purpose) VALUES ('Curriculum approved', 'training');

CREATE TABLE training_courses (
  id             INTEGER PRIMARY KEY,
  title          TEXT NOT NULL UNIQUE,
  refresh_months INTEGER CHECK (refresh_months IS NULL OR refresh_months BETWEEN 1 AND 120),
  created_by     TEXT NOT NULL REFERENCES users(id),
  created_at     TEXT NOT NULL
);
CREATE TRIGGER training_courses_no_delete BEFORE DELETE ON training_courses
BEGIN SELECT RAISE(ABORT, 'training courses are records: never deleted'); END;

CREATE TABLE curriculum_changes (
  id            INTEGER PRIMARY KEY,
  job_function  TEXT NOT NULL REFERENCES job_functions(id),
  course_id     INTEGER NOT NULL REFERENCES training_courses(id),
  action        TEXT NOT NULL CHECK (action IN ('add', 'remove')),
  reason        TEXT NOT NULL,
  proposed_by   TEXT NOT NULL REFERENCES users(id),
  proposed_at   TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved', 'rejected')),
  decided_by    TEXT REFERENCES users(id),
  decided_at    TEXT,
  decision_note TEXT,
  signature_id  INTEGER REFERENCES signatures(id)
);
-- One open proposal a function and course, so approvals of the same pair happen in id order.
CREATE UNIQUE INDEX curriculum_changes_one_open ON curriculum_changes (job_function, course_id) WHERE status = 'proposed';
CREATE INDEX curriculum_changes_decided ON curriculum_changes (status, job_function, course_id);
CREATE TRIGGER curriculum_changes_no_delete BEFORE DELETE ON curriculum_changes
BEGIN SELECT RAISE(ABORT, 'curriculum changes are records: never deleted'); END;
CREATE TRIGGER curriculum_changes_decided_once BEFORE UPDATE ON curriculum_changes
WHEN OLD.status <> 'proposed'
BEGIN SELECT RAISE(ABORT, 'a decided curriculum change is never updated'); END;

ALTER TABLE training_sessions ADD COLUMN course_id INTEGER REFERENCES training_courses(id);
CREATE INDEX training_sessions_course ON training_sessions (course_id) WHERE course_id IS NOT NULL;
