-- Whether a version needs staff to be retrained on it (a major change, SOP-DC-001), kept with the
-- version itself and in its commit (Quire-Retraining), not only on the change request. Null for
-- versions recorded before it was kept.
ALTER TABLE document_versions ADD COLUMN retraining_required INTEGER CHECK (retraining_required IN (0, 1));
