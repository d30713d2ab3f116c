import type { Queryable } from "~/db/db.server";

// Small reads of change requests, apart from change-control.server.ts (which depends on documents,
// training and signatures), so that documents, actions and kpi can ask change control without a
// cycle of imports.

export interface OpenChangeRequest {
  id: string;
  state: "draft" | "in-review";
  kind: "revision" | "withdrawal";
}

/** Change requests still open (draft or in review) on a document: they block its retirement. */
export async function openChangeRequestsOf(db: Queryable, docId: string): Promise<OpenChangeRequest[]> {
  return db.all<OpenChangeRequest>("SELECT id, state, kind FROM change_requests WHERE doc_id = ? AND state IN ('draft', 'in-review') ORDER BY id", [docId]);
}

/** Every open change request (draft or in review), by id: the management review pack's list. */
export async function openChangeRequests(
  db: Queryable,
): Promise<{ id: string; doc_id: string; title: string; state: string; proposed_effective_date: string }[]> {
  return db.all<{ id: string; doc_id: string; title: string; state: string; proposed_effective_date: string }>(
    "SELECT id, doc_id, title, state, proposed_effective_date FROM change_requests WHERE state IN ('draft', 'in-review') ORDER BY id",
  );
}

/** A change request's title, or null when there is no such request. */
export async function changeRequestTitle(db: Queryable, crId: string): Promise<string | null> {
  return (await db.get<{ title: string }>("SELECT title FROM change_requests WHERE id = ?", [crId]))?.title ?? null;
}
