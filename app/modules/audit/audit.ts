import crypto from "node:crypto";

/** An audit event as written: who did what to which object, old and new values, why, from where. */
export interface AuditEventInput {
  userId: string | null;
  username: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  oldValues?: unknown;
  newValues?: unknown;
  reason?: string | null;
  clientAddress?: string | null;
}

export interface AuditRow {
  seq: number;
  at: string;
  user_id: string | null;
  username: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  old_values: string | null;
  new_values: string | null;
  reason: string | null;
  client_address: string | null;
  prev_hash: string;
  hash: string;
}

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted, so the same values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The SHA-256 of a row's canonical content, including the previous row's hash (the chain link). */
export function rowHash(row: Omit<AuditRow, "hash">): string {
  const content = canonicalJson([
    row.seq,
    row.at,
    row.user_id,
    row.username,
    row.action,
    row.object_type,
    row.object_id,
    row.old_values,
    row.new_values,
    row.reason,
    row.client_address,
    row.prev_hash,
  ]);
  return crypto.createHash("sha256").update(content, "utf8").digest("hex");
}

export type ChainVerdict =
  | { ok: true; count: number; head: string }
  | { ok: false; count: number; seq: number; problem: "changed" | "removed" | "inserted"; message: string };

/**
 * Walks the chain in sequence order (Part 11 §11.10(e): changes must not obscure earlier records).
 * Names the first row that was changed (its hash no longer matches its content), removed (a gap in
 * the sequence, or fewer rows than the recorded head) or inserted out of order (it does not link
 * to its predecessor's hash).
 */
export function verifyChain(rows: readonly AuditRow[], recordedHead: { seq: number; hash: string } | null): ChainVerdict {
  let prev: AuditRow | null = null;
  for (const row of rows) {
    const expectedSeq = prev ? prev.seq + 1 : 1;
    if (row.seq !== expectedSeq) {
      return { ok: false, count: rows.length, seq: expectedSeq, problem: "removed", message: `row ${expectedSeq} was removed (the sequence jumps from ${expectedSeq - 1} to ${row.seq})` };
    }
    const { hash, ...content } = row;
    if (rowHash(content) !== hash) {
      return { ok: false, count: rows.length, seq: row.seq, problem: "changed", message: `row ${row.seq} was changed (its content no longer matches its hash)` };
    }
    if (row.prev_hash !== (prev ? prev.hash : GENESIS_HASH)) {
      return { ok: false, count: rows.length, seq: row.seq, problem: "inserted", message: `row ${row.seq} does not link to row ${row.seq - 1}: a row was inserted or replaced out of order` };
    }
    prev = row;
  }
  if (recordedHead && (!prev || prev.seq < recordedHead.seq)) {
    const missing = prev ? prev.seq + 1 : 1;
    return { ok: false, count: rows.length, seq: missing, problem: "removed", message: `row ${missing} was removed (the trail ends before the recorded head, row ${recordedHead.seq})` };
  }
  if (recordedHead && prev && prev.seq === recordedHead.seq && prev.hash !== recordedHead.hash) {
    return { ok: false, count: rows.length, seq: prev.seq, problem: "changed", message: `row ${prev.seq} was replaced (its hash differs from the recorded head)` };
  }
  return { ok: true, count: rows.length, head: prev ? prev.hash : GENESIS_HASH };
}
