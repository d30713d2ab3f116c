// Inspection question 9, answered from the record: was this person trained on the version of this
// document in force on this day, before the end of it?

import type { Queryable } from "~/db/db.server";
import { retirementOf } from "~/modules/documents/retirement.server";
import { versionsOf } from "~/modules/documents/versions.server";
import { acknowledgementsOf } from "~/modules/signatures/signatures.server";

import { trainedAsOf, type PointInTimeAnswer } from "./training";

export async function trainedOn(db: Queryable, userId: string, docId: string, on: string): Promise<PointInTimeAnswer> {
  const [versions, retirement, acks, assigned] = await Promise.all([
    versionsOf(db, docId),
    retirementOf(db, docId),
    acknowledgementsOf(db, userId, docId),
    db.all<{ version: string }>(
      "SELECT DISTINCT version FROM training_assignments WHERE user_id = ? AND doc_id = ? AND status <> 'cancelled' AND assigned_at <= ?",
      [userId, docId, `${on}T23:59:59.999Z`],
    ),
  ]);
  return trainedAsOf(
    versions,
    retirement?.effectiveFrom ?? null,
    acks.map((s) => ({ version: s.version ?? "", signedAt: s.signedAt, signatureId: s.id })),
    on,
    assigned.map((a) => a.version),
  );
}
