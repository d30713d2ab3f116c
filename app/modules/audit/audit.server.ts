import type { Database, Queryable, SqlParam, Tx } from "~/db/db.server";
import { auditHead, setAuditHead } from "~/modules/settings/settings.server";

import {
  AUDIT_FIELDS,
  ChainVerifier,
  GENESIS_HASH,
  auditRowValues,
  canonicalJson,
  rowHash,
  type AuditEventInput,
  type AuditRow,
  type ChainBreak,
  type ChainPoint,
  type ChainVerdict,
} from "./audit";
import { AUDIT_PAGE_SIZE, dayAfter, givenFilter, isActionPrefix, type AuditFilter } from "./audit-filter";

/**
 * The one audit writer. Call it inside the transaction that makes the change, so the change and its
 * audit row commit together or not at all. Transactions are serialised, so reading the last row
 * and appending the next cannot race.
 */
export async function recordAudit(tx: Tx, event: AuditEventInput, at: Date): Promise<number> {
  const last = await newestAuditRow(tx);
  const head = await auditHead(tx);
  const headSeq = head ? head.seq : 0;
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
  await tx.run(`INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (${AUDIT_FIELDS.map(() => "?").join(", ")})`, auditRowValues({ ...content, hash }));
  // The head lets `audit verify` notice the removal of the newest rows, which a chain alone cannot.
  await setAuditHead(tx, { seq: content.seq, hash });
  return content.seq;
}

export const AUDIT_COLUMNS = AUDIT_FIELDS.join(", ");

/** The newest row's number and hash (null for an empty trail): where the next row links, and what an anchor records. */
export async function newestAuditRow(db: Queryable): Promise<ChainPoint | null> {
  return (await db.get<ChainPoint>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")) ?? null;
}

/** Rows read per statement while verifying: about a MB at a time, whatever the trail's length (5,000 doubled the CLI's peak RSS at a million rows for no gain in time). */
export const VERIFY_BATCH_ROWS = 1000;

function batchAfter(db: Queryable, seq: number, limit: number): Promise<AuditRow[]> {
  return db.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`, [seq, limit]);
}

/** Lets other requests' callbacks run between batches, so a long verification never holds the event loop. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Streams the rows after `start` (or all rows) through a ChainVerifier in seq-ordered batches,
 * holding one batch at a time (the next is read while this one is hashed). On a break, `count` is
 * the number of rows in the table, as a reviewer counting them would find.
 */
async function walkChain(db: Queryable, start: ChainPoint | null, batchRows: number): Promise<ChainVerdict> {
  const verifier = new ChainVerifier(await auditHead(db), start);
  let after = start?.seq ?? 0;
  let next = batchAfter(db, after, batchRows);
  for (;;) {
    const batch = await next;
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.seq;
    next = batchAfter(db, after, batchRows);
    // The head is re-read after the batch was: an event recorded meanwhile moved it in the same
    // transaction as its row, so only a row beyond the re-read head was appended by hand.
    if (verifier.beyondHead(after)) verifier.updateHead(await auditHead(db));
    for (const row of batch) if (verifier.push(row)) break;
    if (verifier.failure) {
      await next.catch(() => undefined);
      break;
    }
    await yieldToEventLoop();
  }
  const verdict = verifier.finish();
  if (verdict.ok) return verdict;
  const total = await db.get<{ n: number }>("SELECT count(*) AS n FROM audit_events");
  return { ...verdict, count: total?.n ?? verdict.count };
}

/**
 * Verifies the whole trail from row 1 (Part 11 §11.10(e)), streaming it with flat memory, and
 * checks that it ends exactly at the recorded head. Reads only: see verifyAndCheckpoint for the
 * variant that records a checkpoint.
 */
export async function verifyAuditTrail(db: Queryable, options: { batchRows?: number } = {}): Promise<ChainVerdict> {
  return walkChain(db, null, options.batchRows ?? VERIFY_BATCH_ROWS);
}

// ---------------------------------------------------------------------------------------------
// Checkpoints: heads a verification reached, so the page re-verifies only the rows since.

export interface AuditCheckpoint {
  seq: number;
  hash: string;
  verifiedAt: string;
}

const CHECKPOINT_COLUMNS = "seq, hash, verified_at AS verifiedAt";

/** The newest checkpoint (highest seq, then the latest recorded), or null when none was recorded. */
export async function latestCheckpoint(db: Queryable): Promise<AuditCheckpoint | null> {
  const row = await db.get<AuditCheckpoint>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY seq DESC, id DESC LIMIT 1`);
  return row ?? null;
}

/** Every checkpoint, oldest first: each one's hash must still equal its row's hash. */
export async function allCheckpoints(db: Queryable): Promise<AuditCheckpoint[]> {
  return db.all<AuditCheckpoint>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY id`);
}

/** The stored hash of the row with this seq, or null when there is no such row. */
export async function auditHashAt(db: Queryable, seq: number): Promise<string | null> {
  const row = await db.get<{ hash: string }>("SELECT hash FROM audit_events WHERE seq = ?", [seq]);
  return row?.hash ?? null;
}

/**
 * Records that a verification reached this head. A derived row, not a change to the quality
 * system, so it is not itself audited: an audit row would move the head past the checkpoint.
 */
export async function recordCheckpoint(db: Database, point: ChainPoint, at: Date): Promise<void> {
  await db.transaction((tx) => tx.run("INSERT INTO audit_checkpoints (seq, hash, verified_at) VALUES (?, ?, ?)", [point.seq, point.hash, at.toISOString()]));
}

/** A full verification that records a checkpoint at the head when the trail is intact (`quire audit verify`). */
export async function verifyAndCheckpoint(db: Database, at: Date, options: { batchRows?: number } = {}): Promise<ChainVerdict> {
  const verdict = await verifyAuditTrail(db, options);
  if (verdict.ok && verdict.headSeq > 0) await recordCheckpoint(db, { seq: verdict.headSeq, hash: verdict.head }, at);
  return verdict;
}

/** What the page checked, so a reviewer can tell a full verification from one since a checkpoint. */
export interface ChainCheck {
  verdict: ChainVerdict;
  /** The checkpoint the verification started from, or null when it verified from row 1. */
  checkpoint: AuditCheckpoint | null;
  /** The first row verified now (checkpoint + 1, or 1). */
  verifiedFrom: number;
}

/**
 * Verifies the rows after the latest checkpoint, after checking that the checkpoint's row is still
 * the row that was verified (its stored hash equals the checkpoint's, and its content its hash);
 * records a new checkpoint when the rows since pass. Rows before the checkpoint are not re-read:
 * `quire audit verify` re-verifies everything.
 */
export async function verifySinceCheckpoint(db: Database, at: Date, options: { batchRows?: number } = {}): Promise<ChainCheck> {
  const checkpoint = await latestCheckpoint(db);
  const batchRows = options.batchRows ?? VERIFY_BATCH_ROWS;
  if (!checkpoint) {
    const verdict = await walkChain(db, null, batchRows);
    if (verdict.ok && verdict.headSeq > 0) await recordCheckpoint(db, { seq: verdict.headSeq, hash: verdict.head }, at);
    return { verdict, checkpoint: null, verifiedFrom: 1 };
  }
  const broken = await checkpointBreak(db, checkpoint);
  if (broken) return { verdict: broken, checkpoint, verifiedFrom: checkpoint.seq };
  const verdict = await walkChain(db, checkpoint, batchRows);
  if (verdict.ok && verdict.headSeq > checkpoint.seq) await recordCheckpoint(db, { seq: verdict.headSeq, hash: verdict.head }, at);
  return { verdict, checkpoint, verifiedFrom: checkpoint.seq + 1 };
}

const checksInFlight = new WeakMap<Database, Promise<ChainCheck>>();

/**
 * verifySinceCheckpoint for the audit page: views that arrive while a check runs share it, so a
 * burst of views (or the first view after an upgrade, which verifies from row 1) walks the rows once.
 */
export function checkAuditChain(db: Database, at: Date): Promise<ChainCheck> {
  const running = checksInFlight.get(db);
  if (running) return running;
  const check = verifySinceCheckpoint(db, at).finally(() => checksInFlight.delete(db));
  checksInFlight.set(db, check);
  return check;
}

/** The break at a checkpoint's row: gone, no longer the row that was verified, or changed since. */
async function checkpointBreak(db: Queryable, checkpoint: AuditCheckpoint): Promise<ChainBreak | null> {
  const row = await db.get<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE seq = ?`, [checkpoint.seq]);
  const when = `verified ${checkpoint.verifiedAt.slice(0, 10)}`;
  let problem: Pick<ChainBreak, "problem" | "message"> | null = null;
  if (!row) {
    problem = { problem: "removed", message: `row ${checkpoint.seq} was removed (it is the checkpoint ${when})` };
  } else if (row.hash !== checkpoint.hash) {
    problem = { problem: "changed", message: `row ${checkpoint.seq} was replaced (its hash differs from the checkpoint ${when})` };
  } else {
    const { hash, ...content } = row;
    if (rowHash(content) !== hash) problem = { problem: "changed", message: `row ${checkpoint.seq} was changed (its content no longer matches its hash)` };
  }
  if (!problem) return null;
  const total = await db.get<{ n: number }>("SELECT count(*) AS n FROM audit_events");
  return { ok: false, count: total?.n ?? 0, seq: checkpoint.seq, ...problem };
}

/**
 * The WHERE clause of a filter, with parameters only: filter values never become SQL text.
 * `scan`: write each column as `+column`, which tells SQLite not to use its index, so it walks the
 * rows newest first instead of sorting every match (see queryAudit).
 */
function auditWhere(filter: AuditFilter, scan = false): { sql: string; params: SqlParam[] } {
  const c = (column: string) => (scan ? `+${column}` : column);
  const clauses: string[] = [];
  const params: SqlParam[] = [];
  if (filter.user !== undefined) {
    clauses.push(`${c("username")} = ? COLLATE NOCASE`);
    params.push(filter.user);
  }
  if (filter.action !== undefined) {
    if (isActionPrefix(filter.action)) {
      // A range rather than LIKE: no wildcard escaping, case-sensitive like the exact match, and
      // it reads the action index. Every action starting "auth." lies in ["auth.", "auth/").
      clauses.push(`${c("action")} >= ? AND ${c("action")} < ?`);
      params.push(filter.action, prefixUpperBound(filter.action));
    } else {
      clauses.push(`${c("action")} = ?`);
      params.push(filter.action);
    }
  }
  if (filter.objectType !== undefined) {
    clauses.push(`${c("object_type")} = ?`);
    params.push(filter.objectType);
  }
  if (filter.objectId !== undefined) {
    clauses.push(`${c("object_id")} = ?`);
    params.push(filter.objectId);
  }
  if (filter.doc !== undefined) {
    const doc = documentEvents(filter.doc, c);
    clauses.push(doc.sql);
    params.push(...doc.params);
  }
  // `at` is always toISOString() (UTC, fixed width), so string comparison is time comparison.
  if (filter.from !== undefined) {
    clauses.push(`${c("at")} >= ?`);
    params.push(`${filter.from}T00:00:00.000Z`);
  }
  if (filter.to !== undefined) {
    clauses.push(`${c("at")} < ?`);
    params.push(dayAfter(filter.to));
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/**
 * The events about one document, linked on read: the rows themselves are never changed (they are
 * hash-chained), and each was filed under the object it acted on, so a document's story is spread
 * over several objects. An inspector asking "show me everything about SOP-CM-001" (Part 11
 * §11.10(e); Annex 11 §9) gets, beside the rows whose object is the document (versions recorded,
 * read-and-understood signatures, periodic reviews, retirement, PDF and copy issues):
 * - its change requests' events (open, draft, submit, signatures, approve, withdraw...), from
 *   change_requests.doc_id;
 * - its versions' training (`SOP-CM-001 v2.0` objects: assigned, notified);
 * - its training assignments' events (knowledge checks, completion), from training_assignments;
 * - its controlled copies' events (recall, download), from controlled_copies;
 * - foreign refs on its version tags (refs/tags/SOP-CM-001/...);
 * - any row whose values name it as `docId` (at any depth: a session's documents), found in the
 *   canonical JSON the row stores (no spaces, keys quoted), so no row needs to be parsed;
 * - notices read that include one of its versions.
 * Cross-module reads by design: the links are the tables that own them.
 */
function documentEvents(doc: string, c: (column: string) => string): { sql: string; params: SqlParam[] } {
  const docIdJson = `"docId":${JSON.stringify(doc)}`;
  const sql = `(
    (${c("object_type")} = 'document' AND ${c("object_id")} = ?)
    OR (${c("object_type")} = 'document-version' AND ${c("object_id")} >= ? AND ${c("object_id")} < ?)
    OR (${c("object_type")} = 'change-request' AND ${c("object_id")} IN (SELECT id FROM change_requests WHERE doc_id = ?))
    OR (${c("object_type")} = 'training-assignment' AND ${c("object_id")} IN (SELECT CAST(id AS TEXT) FROM training_assignments WHERE doc_id = ?))
    OR (${c("object_type")} = 'controlled-copy' AND ${c("object_id")} IN (SELECT copy_id FROM controlled_copies WHERE doc_id = ?))
    OR (${c("object_type")} = 'content-ref' AND ${c("object_id")} >= ? AND ${c("object_id")} < ?)
    OR instr(new_values, ?) > 0 OR instr(old_values, ?) > 0
    OR (${c("action")} = 'training.notice.read' AND json_valid(new_values)
        AND EXISTS (SELECT 1 FROM json_each(new_values, '$.notices') WHERE instr(value, ?) > 0))
  )`;
  // "SOP-CM-001 v" up to "SOP-CM-001 w": every version of the document, by the object index.
  return {
    sql,
    params: [doc, `${doc} v`, `${doc} w`, doc, doc, doc, `refs/tags/${doc}/`, `refs/tags/${doc}0`, docIdJson, docIdJson, ` ${doc} v`],
  };
}

/** Every event about one object (an action, say), oldest first, as stored. */
export async function eventsAbout(db: Queryable, objectType: string, objectId: string): Promise<AuditRow[]> {
  return db.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE object_type = ? AND object_id = ? ORDER BY seq`, [objectType, objectId]);
}

/** An audit row as a page lists it: without the user id and the chain's hashes. */
export type ListedAuditRow = Omit<AuditRow, "user_id" | "prev_hash" | "hash">;

/**
 * The newest events about one object (say a user account) or done by one user (null: none), newest
 * first; for the administrator's account page.
 */
export async function eventsAboutOrBy(
  db: Queryable,
  about: { objectType: string; objectId: string },
  byUserId: string | null,
  limit: number,
): Promise<ListedAuditRow[]> {
  return db.all<ListedAuditRow>(
    `SELECT seq, at, username, action, object_type, object_id, old_values, new_values, reason, client_address
     FROM audit_events
     WHERE (object_type = ? AND object_id = ?) OR user_id = ?
     ORDER BY seq DESC
     LIMIT ?`,
    [about.objectType, about.objectId, byUserId, limit],
  );
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

/**
 * Above this many matches, a page walks the rows newest first (by seq, within the span of the
 * matches) rather than reading every match from an index and sorting them: at a million rows a
 * broad filter (an action prefix, a date range) would otherwise sort hundreds of thousands.
 */
const SORT_AT_MOST = 10_000;

/** One page of the trail, newest first. */
export async function queryAudit(db: Queryable, filter: AuditFilter, page: number): Promise<AuditPage> {
  const where = auditWhere(filter);
  const count = await db.get<{ total: number }>(`SELECT count(*) AS total FROM audit_events ${where.sql}`, where.params);
  const total = count?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const shown = Math.min(Math.max(1, page), pageCount);
  const paging = [AUDIT_PAGE_SIZE, (shown - 1) * AUDIT_PAGE_SIZE];
  const rows =
    where.sql !== "" && total > SORT_AT_MOST
      ? await newestMatchesByScan(db, filter, paging)
      : await db.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events ${where.sql} ORDER BY seq DESC LIMIT ? OFFSET ?`, [...where.params, ...paging]);
  return { rows, total, page: shown, pageCount, pageSize: AUDIT_PAGE_SIZE };
}

/**
 * A page of a broad filter's matches: the rows walked newest first, within the seq span of the
 * date range when there is one (found from the `at` index alone), testing each against the filter.
 */
async function newestMatchesByScan(db: Queryable, filter: AuditFilter, paging: number[]): Promise<AuditRow[]> {
  const scan = auditWhere(filter, true);
  const conditions = scan.sql === "" ? [] : [scan.sql.slice("WHERE ".length)];
  const params: SqlParam[] = [...scan.params];
  if (filter.from !== undefined || filter.to !== undefined) {
    const dates = auditWhere({ from: filter.from, to: filter.to });
    const span = await db.get<{ first: number | null; last: number | null }>(
      `SELECT min(seq) AS first, max(seq) AS last FROM audit_events ${dates.sql}`,
      dates.params,
    );
    if (span?.first != null && span.last != null) {
      conditions.unshift("seq BETWEEN ? AND ?");
      params.unshift(span.first, span.last);
    }
  }
  return db.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${conditions.join(" AND ")} ORDER BY seq DESC LIMIT ? OFFSET ?`, [
    ...params,
    ...paging,
  ]);
}

export interface AuditFilterOptions {
  users: string[];
  actions: string[];
  objectTypes: string[];
}

/** The values the filter selects offer: those that occur in the trail (kept by a trigger, migration 005). */
export async function auditFilterOptions(db: Queryable): Promise<AuditFilterOptions> {
  const rows = await db.all<{ kind: keyof typeof OPTION_LISTS; value: string }>(
    "SELECT kind, value FROM audit_filter_values ORDER BY kind, value COLLATE NOCASE, value",
  );
  const options: AuditFilterOptions = { users: [], actions: [], objectTypes: [] };
  for (const r of rows) options[OPTION_LISTS[r.kind]].push(r.value);
  // Actions and object types in plain code-point order, as before; user names ignore case.
  options.actions.sort(byCodePoint);
  options.objectTypes.sort(byCodePoint);
  return options;
}

const OPTION_LISTS = { user: "users", action: "actions", objectType: "objectTypes" } as const;

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first string after every string that starts with `prefix`: its last character, plus one. */
function prefixUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
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
