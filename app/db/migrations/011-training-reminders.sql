-- Reminders and escalations of training (SOP-TR-001, "Follow up overdue training"): one row per
-- person told, per assignment and step of the ladder, written by `quire remind` (or the server's
-- daily run) in the transaction that records the run's audit row. The unique key lets a step reach
-- each person once, whatever the day and however often the run is repeated. Records: never updated
-- or deleted.
CREATE TABLE training_reminders (
  id              INTEGER PRIMARY KEY,
  assignment_id   INTEGER NOT NULL REFERENCES training_assignments(id),
  rule            TEXT NOT NULL CHECK (rule IN ('before-5', 'due', 'overdue-1', 'overdue-10', 'overdue-20', 'overdue-30')),
  due_on          TEXT NOT NULL CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),  -- the due date the notice was about
  recipient_id    TEXT NOT NULL REFERENCES users(id),
  recipient_email TEXT NOT NULL,
  recipient_role  TEXT NOT NULL CHECK (recipient_role IN ('employee', 'line-manager', 'quality-manager', 'executive-management', 'training-coordinator')),
  copy            INTEGER NOT NULL CHECK (copy IN (0, 1)),                                             -- 1: in Cc, 0: in To
  sent_on         TEXT NOT NULL CHECK (sent_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  sent_at         TEXT NOT NULL,
  transport       TEXT NOT NULL CHECK (transport IN ('smtp', 'outbox')),
  message_id      TEXT NOT NULL,                                                                       -- the email's Message-ID
  file            TEXT,                                                                                -- outbox/<name>.eml; null for smtp
  CHECK ((transport = 'outbox') = (file IS NOT NULL)),
  UNIQUE (assignment_id, rule, recipient_id)
);
CREATE INDEX training_reminders_recipient ON training_reminders (recipient_id, sent_on);
CREATE TRIGGER training_reminders_no_update BEFORE UPDATE ON training_reminders
BEGIN SELECT RAISE(ABORT, 'training reminders are records: never updated'); END;
CREATE TRIGGER training_reminders_no_delete BEFORE DELETE ON training_reminders
BEGIN SELECT RAISE(ABORT, 'training reminders are records: never deleted'); END;
