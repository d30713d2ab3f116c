-- Review comments attached to a section and resolved by the author (SOP-DC-001, "Review the draft":
-- "The author resolves every comment, either by changing the text or by recording why no change is
-- needed"; "Approve the document": "When all comments are closed, the document is routed for
-- approval"). A comment may name the section of the draft it is about (a heading or step title, as
-- the draft had it); its resolution is a record of its own, once, never updated or deleted.
ALTER TABLE change_request_comments ADD COLUMN section TEXT;

CREATE TABLE comment_resolutions (
  comment_id INTEGER PRIMARY KEY REFERENCES change_request_comments(id),
  cr_id      TEXT NOT NULL REFERENCES change_requests(id),
  user_id    TEXT NOT NULL REFERENCES users(id),
  at         TEXT NOT NULL,
  outcome    TEXT NOT NULL CHECK (outcome IN ('changed', 'no-change')),
  note       TEXT NOT NULL CHECK (length(trim(note)) > 0),
  commit_sha TEXT
);
CREATE INDEX comment_resolutions_cr ON comment_resolutions (cr_id);
CREATE TRIGGER comment_resolutions_no_update BEFORE UPDATE ON comment_resolutions
BEGIN SELECT RAISE(ABORT, 'comment resolutions are records: never updated'); END;
CREATE TRIGGER comment_resolutions_no_delete BEFORE DELETE ON comment_resolutions
BEGIN SELECT RAISE(ABORT, 'comment resolutions are records: never deleted'); END;
