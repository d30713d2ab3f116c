-- Document-control notifications (issues 12 and 13, SOP-DC-001): one row per person told, per
-- notification, written by `quire notify` (or the server's daily run) in the transaction that records
-- the run's audit row, after the email was sent (SMTP) or written to the outbox.
--   kind         what it is about (see the CHECK below)
--   subject_key  which occurrence: change:CR-2026-0004:review:round-1, change:CR-2026-0004:comment:17,
--                review-due-60:SOP-CM-001:2027-03-01, copy-recall:SOP-CM-001-1.1-C002
--   recipient    the user's id, or the lower-case address of someone outside Quire (a copy holder)
-- The unique key lets each notification reach each person once, however often the run is repeated.
-- Records: never updated or deleted.
CREATE TABLE notifications (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('change-review', 'change-approval', 'change-comment', 'review-due', 'review-overdue', 'review-overdue-30', 'copy-recall')),
  subject_key     TEXT NOT NULL CHECK (length(subject_key) > 0),
  recipient       TEXT NOT NULL CHECK (length(recipient) > 0),
  recipient_id    TEXT REFERENCES users(id),                                                           -- null: someone outside Quire
  recipient_name  TEXT NOT NULL,
  recipient_email TEXT NOT NULL,
  recipient_role  TEXT NOT NULL,                                                                       -- why they were told: reviewer, approver, author, owner, ...
  copy            INTEGER NOT NULL CHECK (copy IN (0, 1)),                                             -- 1: in Cc, 0: in To
  doc_id          TEXT,
  sent_on         TEXT NOT NULL CHECK (sent_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  sent_at         TEXT NOT NULL,
  transport       TEXT NOT NULL CHECK (transport IN ('smtp', 'outbox')),
  message_id      TEXT NOT NULL,                                                                       -- the email's Message-ID
  file            TEXT,                                                                                -- outbox/<name>.eml; null for smtp
  CHECK ((transport = 'outbox') = (file IS NOT NULL)),
  CHECK (recipient_id IS NULL OR recipient = recipient_id),
  UNIQUE (kind, subject_key, recipient)
);
CREATE INDEX notifications_recipient ON notifications (recipient, sent_on);
CREATE TRIGGER notifications_no_update BEFORE UPDATE ON notifications
BEGIN SELECT RAISE(ABORT, 'notifications are records: never updated'); END;
CREATE TRIGGER notifications_no_delete BEFORE DELETE ON notifications
BEGIN SELECT RAISE(ABORT, 'notifications are records: never deleted'); END;
