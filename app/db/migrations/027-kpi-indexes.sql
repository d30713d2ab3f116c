-- Indexes for the KPIs Quire computes from training records (app/modules/kpi/computed.server.ts):
-- at 5,000 people x 300 documents (about a million assignments) each month's "overdue training"
-- scanned the whole table (bench group kpi). Covering indexes let each formula read only its rows.
-- Overdue training at a month's end: open that day (assigned by then, not yet closed) and past due.
CREATE INDEX training_assignments_open_on ON training_assignments (closed_at, assigned_at, due_on);
-- Training compliance: items due in a month, with how and when they were closed.
CREATE INDEX training_assignments_due ON training_assignments (due_on, status, closed_at);
-- Training before effective date: a version's approval assignments and when each was completed.
CREATE INDEX training_assignments_version_done ON training_assignments (doc_id, version, cause, status, closed_at);
