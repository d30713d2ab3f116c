// The controlled copy register as read on a day (SOP-DC-001): each copy with its issue, its recall
// if closed, and its status derived from its version's status that day. Read-only: issuing and
// closing are copies.server.ts; `quire verify-copy` reads through here without the PDF engine.
import type { Queryable } from "~/db/db.server";
import { versionStates, type VersionStatus } from "~/modules/documents/documents";
import { allRetirementDates } from "~/modules/documents/retirement-dates.server";
import { allVersions } from "~/modules/documents/versions.server";

import { copyStatus, type CopyStatus, type RecallOutcome, type RegisterFilter } from "./copies";

/** One row of the register, as read on a day. */
export interface RegisterRow {
  copyId: string;
  issueId: number;
  docId: string;
  version: string;
  seq: number;
  versionStatus: VersionStatus;
  status: CopyStatus;
  recipient: string;
  location: string;
  reason: string;
  issuedBy: string;
  issuedByName: string;
  issuedAt: string;
  printedBy: string;
  printedAt: string;
  pages: number;
  sha256: string;
  recall: {
    outcome: RecallOutcome;
    closedOn: string;
    note: string;
    recordedBy: string;
    recordedByName: string;
    recordedAt: string;
  } | null;
}

interface RegisterSqlRow {
  copy_id: string;
  issue_id: number;
  doc_id: string;
  version: string;
  seq: number;
  recipient: string;
  location: string;
  reason: string;
  issued_by: string;
  issued_by_name: string;
  issued_at: string;
  printed_by: string;
  printed_at: string;
  pages: number;
  sha256: string;
  outcome: RecallOutcome | null;
  closed_on: string | null;
  note: string | null;
  recorded_by: string | null;
  recorded_by_name: string | null;
  recorded_at: string | null;
}

const REGISTER_SELECT = `SELECT c.copy_id, c.issue_id, c.doc_id, c.version, c.seq, i.recipient, i.location, i.reason,
    si.username AS issued_by, si.printed_name AS issued_by_name, i.issued_at, c.printed_by, c.printed_at, c.pages, c.sha256,
    r.outcome, r.closed_on, r.note, sr.username AS recorded_by, sr.printed_name AS recorded_by_name, r.recorded_at
  FROM controlled_copies c
  JOIN copy_issues i ON i.id = c.issue_id
  JOIN signatures si ON si.id = i.signature_id
  LEFT JOIN copy_recalls r ON r.copy_id = c.copy_id
  LEFT JOIN signatures sr ON sr.id = r.signature_id`;

/** Every version's status on a day, keyed `docId version` (from the same date logic as every page). */
export async function versionStatusesOn(db: Queryable, on: string): Promise<Map<string, VersionStatus>> {
  const [versions, retirements] = await Promise.all([allVersions(db), allRetirementDates(db)]);
  const byDoc = new Map<string, typeof versions>();
  for (const v of versions) byDoc.set(v.docId, [...(byDoc.get(v.docId) ?? []), v]);
  const statuses = new Map<string, VersionStatus>();
  for (const [docId, list] of byDoc) {
    for (const s of versionStates(list, on, retirements.get(docId)?.effectiveFrom ?? null)) statuses.set(`${docId} ${s.version.version}`, s.status);
  }
  return statuses;
}

function toRow(r: RegisterSqlRow, statuses: Map<string, VersionStatus>): RegisterRow {
  const versionStatus = statuses.get(`${r.doc_id} ${r.version}`) ?? "approved";
  return {
    copyId: r.copy_id,
    issueId: r.issue_id,
    docId: r.doc_id,
    version: r.version,
    seq: r.seq,
    versionStatus,
    status: copyStatus(versionStatus, r.outcome !== null),
    recipient: r.recipient,
    location: r.location,
    reason: r.reason,
    issuedBy: r.issued_by,
    issuedByName: r.issued_by_name,
    issuedAt: r.issued_at,
    printedBy: r.printed_by,
    printedAt: r.printed_at,
    pages: r.pages,
    sha256: r.sha256,
    recall:
      r.outcome === null
        ? null
        : {
            outcome: r.outcome,
            closedOn: r.closed_on!,
            note: r.note ?? "",
            recordedBy: r.recorded_by!,
            recordedByName: r.recorded_by_name!,
            recordedAt: r.recorded_at!,
          },
  };
}

/** The register on a day, to-recall first, then by document, version and number. */
export async function listRegister(db: Queryable, filter: RegisterFilter, on: string): Promise<RegisterRow[]> {
  const rows = await db.all<RegisterSqlRow>(
    `${REGISTER_SELECT} ${filter.doc ? "WHERE c.doc_id = ?" : ""} ORDER BY c.doc_id, c.version, c.seq`,
    filter.doc ? [filter.doc] : [],
  );
  const statuses = await versionStatusesOn(db, on);
  const order: Record<CopyStatus, number> = { "to-recall": 0, outstanding: 1, closed: 2 };
  return rows
    .map((r) => toRow(r, statuses))
    .filter((r) => filter.status === null || r.status === filter.status)
    .sort((a, b) => order[a.status] - order[b.status]);
}

/** Counts by status on a day (for the register's banner and the document page). */
export function registerCounts(rows: readonly RegisterRow[]): Record<CopyStatus, number> {
  const counts: Record<CopyStatus, number> = { outstanding: 0, "to-recall": 0, closed: 0 };
  for (const r of rows) counts[r.status]++;
  return counts;
}

export async function getCopy(db: Queryable, copyId: string, on: string): Promise<RegisterRow | null> {
  const row = await db.get<RegisterSqlRow>(`${REGISTER_SELECT} WHERE c.copy_id = ?`, [copyId]);
  return row ? toRow(row, await versionStatusesOn(db, on)) : null;
}
