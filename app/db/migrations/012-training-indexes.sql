-- Training at the scale of issue 11 (thousands of people, hundreds of documents, a million
-- assignments), measured by bench/training-bench.ts (npm run bench, BENCH_ONLY=training).

-- Each person's standing on each document (the training matrix and the people list, in
-- app/modules/training/reports.server.ts) is their newest live assignment on it: a window over user,
-- document and id, newest first. This index holds exactly the live rows, in that order, with the two
-- columns the reports read, so the window reads the index alone: no sort, and no lookup of a table
-- row for each of a million assignments.
CREATE INDEX training_assignments_standing ON training_assignments (user_id, doc_id, id DESC, status, due_on) WHERE status IN ('open', 'completed');

-- A person's open assignment on one version: what assignVersion looks up, for every open assignment
-- on an earlier version, when a new version supersedes it. Without it SQLite searched the version's
-- open assignments for each one (every person's), so an approval for 5,000 people of whom 500 had
-- the earlier version open compared 5 million index entries inside the write transaction.
CREATE INDEX training_assignments_open ON training_assignments (user_id, doc_id, version) WHERE status = 'open';
