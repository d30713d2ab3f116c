import type { Database, Queryable, SqlParam, Tx } from "~/db/db.server";

import { GENESIS_HASH, canonicalJson, rowHash, verifyChain, type AuditEventInput, type AuditRow, type ChainVerdict } from "./audit";
import { AUDIT_PAGE_SIZE, dayAfter, givenFilter, isActionPrefix, type AuditFilter } from "./audit-filter";

const HEAD_KEY = "audit_head";

/**
 * The one audit writer. Call it inside the transaction that makes the change, so the change and its
 * audit row commit together or not at all. Transactions are serialised, so reading the last row
 * and appending the next cannot race.
 */
export async function recordAudit(tx: Tx, event: AuditEventInput, at: Date): Promise<number> {
  const last = await tx.get<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
  const head = await tx.get<{ value: string }>("SELECT value FROM settings WHERE key = ?", [HEAD_KEY]);
  const headSeq = head ? (JSON.parse(head.value) as { seq: number }).seq : 0;
  const content: Omit<AuditRow, "hash"> = {
    // Numbered after the recorded head too: if the newest rows were deleted, the next row leaves
    // the gap visible instead of quietly reusing their numbers.
    seq: Math.max(last?.seq ?? 0, headSeq) + 1,
    at: at.toISOString(),
    user_id: event.userId,
    username: event.username,
    action: event.action,
    object_type: event.objectType,
    object_id: event.objectId,
    old_values: event.oldValues === undefined ? null : canonicalJson(event.oldValues),
    new_values: event.newValues === undefined ? null : canonicalJson(event.newValues),
    reason: event.reason ?? null,
    client_address: event.clientAddress ?? null,
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const hash = rowHash(content);
  await tx.run(
    `INSERT INTO audit_events (seq, at, user_id, username, action, object_type, object_id, old_values, new_values, reason, client_address, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [content.seq, content.at, content.user_id, content.username, content.action, content.object_type, content.object_id, content.old_values, content.new_values, content.reason, content.client_address, content.prev_hash, hash],
  );
  // The head lets `audit verify` notice the removal of the newest rows, which a chain alone cannot.
  await tx.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
    HEAD_KEY,
    JSON.stringify({ seq: content.seq, hash }),
  ]);
  return content.seq;
}

export const AUDIT_COLUMNS =
  "seq, at, user_id, username, action, object_type, object_id, old_values, new_values, reason, client_address, prev_hash, hash";

export async function verifyAuditTrail(db: Queryable): Promise<ChainVerdict> {
  const rows = await db.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events ORDER BY seq`);
  const head = await db.get<{ value: string }>("SELECT value FROM settings WHERE key = ?", [HEAD_KEY]);
  return verifyChain(rows, head ? (JSON.parse(head.value) as { seq: number; hash: string }) : null);
}

/** The WHERE clause of a filter, with parameters only: filter values never become SQL text. */
function auditWhere(filter: AuditFilter): { sql: string; params: SqlParam[] } {
  const clauses: string[] = [];
  const params: SqlParam[] = [];
  if (filter.user !== undefined) {
    clauses.push("username = ? COLLATE NOCASE");
    params.push(filter.user);
  }
  if (filter.action !== undefined) {
    if (isActionPrefix(filter.action)) {
      // substr rather than LIKE: no wildcard escaping, and case-sensitive like the exact match.
      clauses.push("substr(action, 1, length(?)) = ?");
      params.push(filter.action, filter.action);
    } else {
      clauses.push("action = ?");
      params.push(filter.action);
    }
  }
  if (filter.objectType !== undefined) {
    clauses.push("object_type = ?");
    params.push(filter.objectType);
  }
  if (filter.objectId !== undefined) {
    clauses.push("object_id = ?");
    params.push(filter.objectId);
  }
  // `at` is always toISOString() (UTC, fixed width), so string comparison is time comparison.
  if (filter.from !== undefined) {
    clauses.push("at >= ?");
    params.push(`${filter.from}T00:00:00.000Z`);
  }
  if (filter.to !== undefined) {
    clauses.push("at < ?");
    params.push(dayAfter(filter.to));
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

export interface AuditPage {
  rows: AuditRow[];
  /** Rows matching the filter, on all pages. */
  total: number;
  /** The page shown: the one asked for, or the last page when that was beyond the end. */
  page: number;
  pageCount: number;
  pageSize: number;
}

/** One page of the trail, newest first. */
export async function queryAudit(db: Queryable, filter: AuditFilter, page: number): Promise<AuditPage> {
  const where = auditWhere(filter);
  const count = await db.get<{ total: number }>(`SELECT count(*) AS total FROM audit_events ${where.sql}`, where.params);
  const total = count?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const shown = Math.min(Math.max(1, page), pageCount);
  const rows = await db.all<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_events ${where.sql} ORDER BY seq DESC LIMIT ? OFFSET ?`,
    [...where.params, AUDIT_PAGE_SIZE, (shown - 1) * AUDIT_PAGE_SIZE],
  );
  return { rows, total, page: shown, pageCount, pageSize: AUDIT_PAGE_SIZE };
}

export interface AuditFilterOptions {
  users: string[];
  actions: string[];
  objectTypes: string[];
}

/** The values the filter selects offer: those that actually occur in the trail. */
export async function auditFilterOptions(db: Queryable): Promise<AuditFilterOptions> {
  const [users, actions, objectTypes] = await Promise.all([
    db.all<{ v: string }>("SELECT DISTINCT username AS v FROM audit_events WHERE username IS NOT NULL ORDER BY username COLLATE NOCASE"),
    db.all<{ v: string }>("SELECT DISTINCT action AS v FROM audit_events ORDER BY action"),
    db.all<{ v: string }>("SELECT DISTINCT object_type AS v FROM audit_events ORDER BY object_type"),
  ]);
  return { users: users.map((r) => r.v), actions: actions.map((r) => r.v), objectTypes: objectTypes.map((r) => r.v) };
}

/**
 * Every row matching the filter, oldest first, for the CSV export. The rows are read and the
 * export is audited in one transaction, so the `audit.export` row records exactly what left the
 * system: the filter, the number of rows and the last sequence number the export covers
 * (Part 11 §11.10(e); Annex 11 §9: who did what, when, including copies taken of the trail).
 */
export async function exportAudit(
  db: Database,
  filter: AuditFilter,
  actor: Pick<AuditEventInput, "userId" | "username" | "clientAddress">,
  at: Date,
): Promise<{ rows: AuditRow[]; exportSeq: number }> {
  const where = auditWhere(filter);
  return db.transaction(async (tx) => {
    const rows = await tx.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events ${where.sql} ORDER BY seq`, where.params);
    const exportSeq = await recordAudit(
      tx,
      {
        ...actor,
        action: "audit.export",
        objectType: "audit-trail",
        objectId: null,
        newValues: { ...givenFilter(filter), format: "csv", rows: rows.length, throughSeq: rows.at(-1)?.seq ?? null },
      },
      at,
    );
    return { rows, exportSeq };
  });
}
