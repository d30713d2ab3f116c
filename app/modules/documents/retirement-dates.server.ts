import type { Queryable } from "~/db/db.server";

import type { RetirementDates } from "./documents";

// The dates of recorded retirements, read apart from retirement.server.ts (which signs and so
// depends on the signature service) so that training can read them from inside user changes.

/** Every recorded retirement's dates, by document id (for the library, the review schedule, curricula). */
export async function allRetirementDates(db: Queryable): Promise<Map<string, RetirementDates>> {
  const rows = await db.all<{ doc_id: string; effective_from: string; retired_at: string }>("SELECT doc_id, effective_from, retired_at FROM retirements");
  return new Map(rows.map((r) => [r.doc_id, { effectiveFrom: r.effective_from, recordedOn: r.retired_at.slice(0, 10) }]));
}

/** Whether a retirement is recorded for the document (whatever its date): a retired document never changes again. */
export async function isRetirementRecorded(db: Queryable, docId: string): Promise<boolean> {
  return (await db.get("SELECT 1 FROM retirements WHERE doc_id = ?", [docId])) !== undefined;
}

/** The effective date of a document's retirement, or null when none is recorded. */
export async function retiredFromOf(db: Queryable, docId: string): Promise<string | null> {
  return (await db.get<{ effective_from: string }>("SELECT effective_from FROM retirements WHERE doc_id = ?", [docId]))?.effective_from ?? null;
}
