/**
 * Appends generated audit rows to a data folder's trail, fast: multi-row INSERTs in one
 * transaction, each row hashed and linked exactly as recordAudit would (rowHash, prev_hash), and
 * the recorded head moved to the last row. The result verifies as an intact trail.
 */
import sqlite3 from "sqlite3";

import { GENESIS_HASH, auditRowValues, canonicalJson, rowHash, type AuditRow } from "~/modules/audit/audit";
import { AUDIT_COLUMNS } from "~/modules/audit/audit.server";

/** Rows per INSERT statement: 13 parameters each, well under SQLite's 32,766 parameter limit. */
const ROWS_PER_STATEMENT = 500;

const USERS = ["qa", "admin", "author", "reviewer", "trainer", "cra1", "cra2", "dm1", "inspector", ...Array.from({ length: 16 }, (_, i) => `staff${i + 1}`)];

/** Actions and the object type each applies to, roughly in the proportions a busy site sees. */
const EVENTS: Array<{ action: string; objectType: string; weight: number }> = [
  { action: "auth.signin", objectType: "session", weight: 30 },
  { action: "auth.signout", objectType: "session", weight: 20 },
  { action: "auth.signin.failed", objectType: "user", weight: 4 },
  { action: "auth.session.expired", objectType: "session", weight: 6 },
  { action: "training.acknowledge", objectType: "training-assignment", weight: 12 },
  { action: "training.assign", objectType: "training-assignment", weight: 6 },
  { action: "document.view.pdf", objectType: "document", weight: 5 },
  { action: "change-request.open", objectType: "change-request", weight: 2 },
  { action: "change-request.draft.pushed", objectType: "change-request", weight: 3 },
  { action: "change-request.review.sign", objectType: "change-request", weight: 2 },
  { action: "change-request.approve", objectType: "change-request", weight: 1 },
  { action: "document.effective", objectType: "document", weight: 1 },
  { action: "signature.password.failed", objectType: "signature", weight: 1 },
  { action: "user.update", objectType: "user", weight: 1 },
  { action: "user.create", objectType: "user", weight: 1 },
  { action: "audit.export", objectType: "audit-trail", weight: 1 },
];
const WEIGHTED = EVENTS.flatMap((e) => Array.from({ length: e.weight }, () => e));

/** A deterministic sequence (mulberry32), so every run generates the same trail. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], next: () => number): T {
  return items[Math.floor(next() * items.length)]!;
}

function objectId(objectType: string, next: () => number): string | null {
  const n = Math.floor(next() * 400) + 1;
  switch (objectType) {
    case "session":
    case "audit-trail":
      return null;
    case "document":
      return `SOP-${pick(["DM", "QA", "CL", "DC", "TR"], next)}-${String(n).padStart(3, "0")}`;
    case "change-request":
      return `CR-${String(n).padStart(4, "0")}`;
    case "user":
      return pick(USERS, next);
    default:
      return `${objectType}-${n}`;
  }
}

export interface GeneratedTrail {
  /** Rows appended. */
  rows: number;
  /** The seq of the new head. */
  headSeq: number;
  milliseconds: number;
}

/**
 * Appends `count` rows after the trail's current head, one second apart from `from` on. The
 * database must not be in use by a server while this runs.
 */
export async function appendAuditRows(dbFile: string, count: number, from: Date): Promise<GeneratedTrail> {
  const started = performance.now();
  const db = await openDb(dbFile);
  try {
    // A large page cache for this one bulk transaction, so the indexes are not spilled mid-way.
    await exec(db, "PRAGMA journal_mode = WAL; PRAGMA cache_size = -400000; BEGIN IMMEDIATE;");
    try {
      const headSeq = await appendInTransaction(db, count, from);
      await exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
      return { rows: count, headSeq, milliseconds: performance.now() - started };
    } catch (error) {
      await exec(db, "ROLLBACK").catch(() => undefined);
      throw error;
    }
  } finally {
    await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
  }
}

async function appendInTransaction(db: sqlite3.Database, count: number, from: Date): Promise<number> {
  const next = random(9);
  const last = await get<{ seq: number; hash: string }>(db, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  // Indexes built once over the loaded rows are far faster than a million random inserts into
  // each; they are put back exactly as the migrations wrote them, before the transaction commits.
  const indexes = await all<{ name: string; sql: string }>(
    db,
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events' AND sql IS NOT NULL",
  );
  for (const index of indexes) await exec(db, `DROP INDEX "${index.name}"`);
  const placeholders = `(${AUDIT_COLUMNS.split(", ")
    .map(() => "?")
    .join(", ")})`;
  const insertSql = (n: number) => `INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES ${Array(n).fill(placeholders).join(", ")}`;
  const full = db.prepare(insertSql(ROWS_PER_STATEMENT));
  try {
    for (let done = 0; done < count;) {
      const n = Math.min(ROWS_PER_STATEMENT, count - done);
      const params: Array<string | number | null> = [];
      for (let i = 0; i < n; i++) {
        seq += 1;
        const event = pick(WEIGHTED, next);
        const username = event.action === "auth.signin.failed" && next() < 0.5 ? null : pick(USERS, next);
        const content: Omit<AuditRow, "hash"> = {
          seq,
          at: new Date(from.getTime() + (done + i) * 1000).toISOString(),
          user_id: username === null ? null : `id-${username}`,
          username,
          action: event.action,
          object_type: event.objectType,
          object_id: objectId(event.objectType, next),
          old_values: event.action === "user.update" ? canonicalJson({ roles: ["staff"] }) : null,
          new_values: event.action === "auth.signin" ? null : canonicalJson({ via: "bench", n: seq % 997 }),
          reason: event.action === "user.update" ? "Generated for the benchmark" : null,
          client_address: `10.0.${(seq >> 8) & 255}.${seq & 255}`,
          prev_hash: prevHash,
        };
        const hash = rowHash(content);
        params.push(...auditRowValues({ ...content, hash }));
        prevHash = hash;
      }
      if (n === ROWS_PER_STATEMENT) await runStatement(full, params);
      else await run(db, insertSql(n), params);
      done += n;
    }
  } finally {
    await new Promise<void>((resolve) => full.finalize(() => resolve()));
  }
  for (const index of indexes) await exec(db, index.sql);
  // What recordAudit keeps: the head, so the trail must end exactly here.
  await run(db, "INSERT INTO settings (key, value) VALUES ('audit_head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
    JSON.stringify({ seq, hash: prevHash }),
  ]);
  return seq;
}

// The sqlite3 package itself: the app's Database has no prepared statements, and a bulk load wants one.

function openDb(file: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (err) => (err ? reject(err) : resolve(db)));
  });
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
}

function run(db: sqlite3.Database, sql: string, params: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, params, (err: Error | null) => (err ? reject(err) : resolve())));
}

function runStatement(statement: sqlite3.Statement, params: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => statement.run(params, (err: Error | null) => (err ? reject(err) : resolve())));
}

function get<T>(db: sqlite3.Database, sql: string): Promise<T | undefined> {
  return new Promise((resolve, reject) => db.get(sql, (err: Error | null, row: T | undefined) => (err ? reject(err) : resolve(row))));
}

function all<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(sql, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows))));
}
