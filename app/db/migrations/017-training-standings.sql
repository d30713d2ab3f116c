-- The training matrix at scale (issue 11: 5,000 people x 300 documents within 300 ms): each person's
-- standing on each document (their newest open or completed assignment) and the matrix's counts per
-- job function, document, status and due date, kept up to date by triggers in the same transaction
-- as every change to assignments, job functions and active accounts. Pages read these; nothing
-- writes them but the triggers.
CREATE TABLE training_standings (
  user_id TEXT NOT NULL,
  doc_id  TEXT NOT NULL,
  status  TEXT NOT NULL CHECK (status IN ('open', 'completed')),
  due_on  TEXT NOT NULL,
  PRIMARY KEY (user_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX training_standings_open ON training_standings (status, due_on, user_id);

-- due_on is '' for completed standings: only open ones are counted by due date.
CREATE TABLE training_cells (
  job_function TEXT NOT NULL,
  doc_id       TEXT NOT NULL,
  status       TEXT NOT NULL,
  due_on       TEXT NOT NULL,
  n            INTEGER NOT NULL,
  PRIMARY KEY (job_function, doc_id, status, due_on)
) WITHOUT ROWID;

INSERT INTO training_standings (user_id, doc_id, status, due_on)
  SELECT user_id, doc_id, status, due_on FROM (
    SELECT user_id, doc_id, status, due_on, row_number() OVER (PARTITION BY user_id, doc_id ORDER BY id DESC) AS rn
      FROM training_assignments WHERE status IN ('open', 'completed'))
   WHERE rn = 1;
INSERT INTO training_cells (job_function, doc_id, status, due_on, n)
  SELECT j.job_function_id, s.doc_id, s.status, CASE s.status WHEN 'open' THEN s.due_on ELSE '' END, count(*)
    FROM training_standings s JOIN user_job_functions j ON j.user_id = s.user_id JOIN users u ON u.id = s.user_id AND u.active = 1
   GROUP BY 1, 2, 3, 4;

-- A person's standing on a document follows their assignments.
-- A new assignment is the newest of its person and document (ids only grow).
CREATE TRIGGER training_standing_on_insert AFTER INSERT ON training_assignments
WHEN NEW.status IN ('open', 'completed')
BEGIN
  DELETE FROM training_standings WHERE user_id = NEW.user_id AND doc_id = NEW.doc_id;
  INSERT INTO training_standings (user_id, doc_id, status, due_on) VALUES (NEW.user_id, NEW.doc_id, NEW.status, NEW.due_on);
END;
CREATE TRIGGER training_standing_on_update AFTER UPDATE OF status, due_on ON training_assignments
BEGIN
  DELETE FROM training_standings WHERE user_id = NEW.user_id AND doc_id = NEW.doc_id;
  INSERT INTO training_standings (user_id, doc_id, status, due_on)
    SELECT user_id, doc_id, status, due_on FROM training_assignments
     WHERE user_id = NEW.user_id AND doc_id = NEW.doc_id AND status IN ('open', 'completed') ORDER BY id DESC LIMIT 1;
END;

-- The matrix's counts follow the standings of active people, for each of their job functions.
CREATE TRIGGER training_cells_on_standing_insert AFTER INSERT ON training_standings
BEGIN
  INSERT OR IGNORE INTO training_cells (job_function, doc_id, status, due_on, n)
    SELECT j.job_function_id, NEW.doc_id, NEW.status, CASE NEW.status WHEN 'open' THEN NEW.due_on ELSE '' END, 0
      FROM user_job_functions j JOIN users u ON u.id = j.user_id AND u.active = 1 WHERE j.user_id = NEW.user_id;
  UPDATE training_cells SET n = n + 1
   WHERE doc_id = NEW.doc_id AND status = NEW.status AND due_on = (CASE NEW.status WHEN 'open' THEN NEW.due_on ELSE '' END)
     AND job_function IN (SELECT j.job_function_id FROM user_job_functions j JOIN users u ON u.id = j.user_id AND u.active = 1 WHERE j.user_id = NEW.user_id);
END;
CREATE TRIGGER training_cells_on_standing_delete AFTER DELETE ON training_standings
BEGIN
  UPDATE training_cells SET n = n - 1
   WHERE doc_id = OLD.doc_id AND status = OLD.status AND due_on = (CASE OLD.status WHEN 'open' THEN OLD.due_on ELSE '' END)
     AND job_function IN (SELECT j.job_function_id FROM user_job_functions j JOIN users u ON u.id = j.user_id AND u.active = 1 WHERE j.user_id = OLD.user_id);
END;
CREATE TRIGGER training_cells_on_function_insert AFTER INSERT ON user_job_functions
WHEN (SELECT active FROM users WHERE id = NEW.user_id) = 1
BEGIN
  INSERT OR IGNORE INTO training_cells (job_function, doc_id, status, due_on, n)
    SELECT NEW.job_function_id, s.doc_id, s.status, CASE s.status WHEN 'open' THEN s.due_on ELSE '' END, 0 FROM training_standings s WHERE s.user_id = NEW.user_id;
  UPDATE training_cells SET n = n + 1
   WHERE job_function = NEW.job_function_id
     AND EXISTS (SELECT 1 FROM training_standings s WHERE s.user_id = NEW.user_id AND s.doc_id = training_cells.doc_id AND s.status = training_cells.status
                   AND (CASE s.status WHEN 'open' THEN s.due_on ELSE '' END) = training_cells.due_on);
END;
CREATE TRIGGER training_cells_on_function_delete AFTER DELETE ON user_job_functions
WHEN (SELECT active FROM users WHERE id = OLD.user_id) = 1
BEGIN
  UPDATE training_cells SET n = n - 1
   WHERE job_function = OLD.job_function_id
     AND EXISTS (SELECT 1 FROM training_standings s WHERE s.user_id = OLD.user_id AND s.doc_id = training_cells.doc_id AND s.status = training_cells.status
                   AND (CASE s.status WHEN 'open' THEN s.due_on ELSE '' END) = training_cells.due_on);
END;
CREATE TRIGGER training_cells_on_active AFTER UPDATE OF active ON users
WHEN OLD.active <> NEW.active
BEGIN
  INSERT OR IGNORE INTO training_cells (job_function, doc_id, status, due_on, n)
    SELECT j.job_function_id, s.doc_id, s.status, CASE s.status WHEN 'open' THEN s.due_on ELSE '' END, 0
      FROM training_standings s JOIN user_job_functions j ON j.user_id = s.user_id WHERE s.user_id = NEW.id;
  UPDATE training_cells SET n = n + (CASE WHEN NEW.active = 1 THEN 1 ELSE -1 END)
   WHERE job_function IN (SELECT job_function_id FROM user_job_functions WHERE user_id = NEW.id)
     AND EXISTS (SELECT 1 FROM training_standings s WHERE s.user_id = NEW.id AND s.doc_id = training_cells.doc_id AND s.status = training_cells.status
                   AND (CASE s.status WHEN 'open' THEN s.due_on ELSE '' END) = training_cells.due_on);
END;
