import type { Queryable } from "~/db/db.server";

// Read apart from change-control.server.ts, which depends on documents, so that documents can ask
// change control what is open on a document (it blocks a retirement) without a cycle of imports.

export interface OpenChangeRequest {
  id: string;
  state: "draft" | "in-review";
  kind: "revision" | "withdrawal";
}

/** Change requests still open (draft or in review) on a document: they block its retirement. */
export async function openChangeRequestsOf(db: Queryable, docId: string): Promise<OpenChangeRequest[]> {
  return db.all<OpenChangeRequest>("SELECT id, state, kind FROM change_requests WHERE doc_id = ? AND state IN ('draft', 'in-review') ORDER BY id", [docId]);
}
