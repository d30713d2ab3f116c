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

/** A scalar column as canonicalJson writes it (rows hold only strings, numbers and NULL). */
function scalarJson(value: string | number | null): string {
  return value === null ? "null" : JSON.stringify(value);
}

/** The values a row's hash covers, in their order (what an export reader re-hashes: see the README). */
const HASHED_FIELDS = [
  "seq",
  "at",
  "user_id",
  "username",
  "action",
  "object_type",
  "object_id",
  "old_values",
  "new_values",
  "reason",
  "client_address",
  "prev_hash",
] as const satisfies readonly (keyof AuditRow)[];

/** Every column of a stored row, in the order AUDIT_COLUMNS names them: the hashed values, then the hash. */
export const AUDIT_FIELDS = [...HASHED_FIELDS, "hash"] as const;

/** A row's values in AUDIT_FIELDS order, for an INSERT. */
export function auditRowValues(row: AuditRow): (string | number | null)[] {
  return AUDIT_FIELDS.map((field) => row[field]);
}

/**
 * The SHA-256 of a row's canonical content, including the previous row's hash (the chain link).
 * Equal to hashing canonicalJson of the twelve values as an array, written out by hand because a
 * full verification hashes every row of the trail (a million at a time).
 */
export function rowHash(row: Omit<AuditRow, "hash">): string {
  const content = `[${HASHED_FIELDS.map((field) => scalarJson(row[field])).join(",")}]`;
  // The one-shot form: the same digest, without a Hash object per row.
  return crypto.hash("sha256", content, "hex");
}

/** A point of the chain: a row's sequence number and hash (the recorded head, a checkpoint). */
export interface ChainPoint {
  seq: number;
  hash: string;
}

export type ChainProblem = "changed" | "removed" | "inserted" | "appended";

export type ChainBreak = { ok: false; count: number; seq: number; problem: ChainProblem; message: string };

export type ChainVerdict =
  | {
      ok: true;
      count: number;
      head: string;
      /** The seq of the head row: 0 for an empty trail. */
      headSeq: number;
    }
  | ChainBreak;

/**
 * Walks the chain one row at a time, in sequence order, so a caller can stream a trail of any
 * length through it with flat memory (Part 11 §11.10(e): changes must not obscure earlier records).
 * It names the first row that was changed (its hash no longer matches its content), removed (a gap
 * in the sequence, or the trail ends before the recorded head), inserted out of order (it does not
 * link to its predecessor's hash) or appended after the recorded head.
 *
 * It may start after a verified point (a checkpoint): the caller has checked that row itself.
 * `count` is the rows the walk accounts for: those before the start point plus those pushed.
 */
export class ChainVerifier {
  private prev: ChainPoint | null;
  private pushed = 0;
  private broken: ChainBreak | null = null;

  constructor(
    private recordedHead: ChainPoint | null,
    private readonly start: ChainPoint | null = null,
  ) {
    this.prev = start;
  }

  /** The row the walk has reached, or the start point (null before the first row). */
  get last(): ChainPoint | null {
    return this.prev;
  }

  /** The first break found, once there is one; later rows are then ignored. */
  get failure(): ChainBreak | null {
    return this.broken;
  }

  /** True when a row with this seq lies beyond the recorded head, so the caller should re-read it. */
  beyondHead(seq: number): boolean {
    return this.recordedHead !== null && seq > this.recordedHead.seq;
  }

  /**
   * A newer recorded head, read after the rows being pushed were read: new events recorded while
   * the walk goes on move the head forward in the same transaction as their row, so only a row
   * beyond the newest head is one that was appended behind the audit writer's back.
   */
  updateHead(head: ChainPoint | null): void {
    if (head && (!this.recordedHead || head.seq >= this.recordedHead.seq)) this.recordedHead = head;
  }

  /** Checks one row; returns the break it reveals (and keeps it), or null. */
  push(row: AuditRow): ChainBreak | null {
    if (this.broken) return this.broken;
    this.pushed += 1;
    const prev = this.prev;
    const expectedSeq = prev ? prev.seq + 1 : 1;
    if (row.seq !== expectedSeq) {
      return this.fail(expectedSeq, "removed", `row ${expectedSeq} was removed (the sequence jumps from ${expectedSeq - 1} to ${row.seq})`);
    }
    const { hash, ...content } = row;
    if (rowHash(content) !== hash) {
      return this.fail(row.seq, "changed", `row ${row.seq} was changed (its content no longer matches its hash)`);
    }
    if (row.prev_hash !== (prev ? prev.hash : GENESIS_HASH)) {
      return this.fail(row.seq, "inserted", `row ${row.seq} does not link to row ${row.seq - 1}: a row was inserted or replaced out of order`);
    }
    // A row that hashes and links correctly but lies beyond the head was not written by recordAudit,
    // which moves the head in the same transaction as its row.
    const head = this.recordedHead;
    if (head && row.seq > head.seq) {
      return this.fail(row.seq, "appended", `row ${row.seq} was appended after the recorded head, row ${head.seq}`);
    }
    if (head && row.seq === head.seq && hash !== head.hash) {
      return this.fail(row.seq, "changed", `row ${row.seq} was replaced (its hash differs from the recorded head)`);
    }
    this.prev = { seq: row.seq, hash };
    return null;
  }

  /** The verdict once every row has been pushed. */
  finish(): ChainVerdict {
    if (this.broken) return this.broken;
    const prev = this.prev;
    const head = this.recordedHead;
    if (head && (!prev || prev.seq < head.seq)) {
      const missing = prev ? prev.seq + 1 : 1;
      return this.fail(missing, "removed", `row ${missing} was removed (the trail ends before the recorded head, row ${head.seq})`);
    }
    // Only when starting from a checkpoint beyond the head: the head was moved back by hand.
    if (head && prev && prev.seq > head.seq) {
      return this.fail(head.seq + 1, "appended", `row ${head.seq + 1} was appended after the recorded head, row ${head.seq}`);
    }
    return { ok: true, count: this.count(), head: prev ? prev.hash : GENESIS_HASH, headSeq: prev ? prev.seq : 0 };
  }

  private count(): number {
    return (this.start?.seq ?? 0) + this.pushed;
  }

  private fail(seq: number, problem: ChainProblem, message: string): ChainBreak {
    this.broken = { ok: false, count: this.count(), seq, problem, message };
    return this.broken;
  }
}

/**
 * Verifies rows already in memory (an exported CSV, a test). `count` is the number of rows given,
 * whatever the verdict.
 */
export function verifyChain(rows: readonly AuditRow[], recordedHead: ChainPoint | null): ChainVerdict {
  const verifier = new ChainVerifier(recordedHead);
  for (const row of rows) if (verifier.push(row)) break;
  return { ...verifier.finish(), count: rows.length };
}
