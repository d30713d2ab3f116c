-- A reminder is about one due date: when an approved absence moves the date (SOP-TR-001 step 8),
-- the ladder starts again for the new date. The unique key gains due_on (the table is rebuilt: no
-- other table refers to it).
CREATE TABLE training_reminders_rebuilt (
  id              INTEGER PRIMARY KEY,
  assignment_id   INTEGER NOT NULL REFERENCES training_assignments(id),
  rule            TEXT NOT NULL CHECK (rule IN ('before-5', 'due', 'overdue-1', 'overdue-10', 'overdue-20', 'overdue-30')),
  due_on          TEXT NOT NULL CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  recipient_id    TEXT NOT NULL REFERENCES users(id),
  recipient_email TEXT NOT NULL,
  recipient_role  TEXT NOT NULL CHECK (recipient_role IN ('employee', 'line-manager', 'quality-manager', 'executive-management', 'training-coordinator')),
  copy            INTEGER NOT NULL CHECK (copy IN (0, 1)),
  sent_on         TEXT NOT NULL CHECK (sent_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  sent_at         TEXT NOT NULL,
  transport       TEXT NOT NULL CHECK (transport IN ('smtp', 'outbox')),
  message_id      TEXT NOT NULL,
  file            TEXT,
  CHECK ((transport = 'outbox') = (file IS NOT NULL)),
  UNIQUE (assignment_id, due_on, rule, recipient_id)
);
INSERT INTO training_reminders_rebuilt SELECT id, assignment_id, rule, due_on, recipient_id, recipient_email, recipient_role, copy, sent_on, sent_at, transport, message_id, file FROM training_reminders;
DROP TABLE training_reminders;
ALTER TABLE training_reminders_rebuilt RENAME TO training_reminders;
CREATE INDEX training_reminders_recipient ON training_reminders (recipient_id, sent_on);
CREATE TRIGGER training_reminders_no_update BEFORE UPDATE ON training_reminders
BEGIN SELECT RAISE(ABORT, 'training reminders are records: never updated'); END;
CREATE TRIGGER training_reminders_no_delete BEFORE DELETE ON training_reminders
BEGIN SELECT RAISE(ABORT, 'training reminders are records: never deleted'); END;
