import type { AuditRow } from "./audit";

// How the audit page shows a row's stored values and its reason (Part 11 §11.10(e), Annex 11 §9: the
// trail must be available for review, which means readable). Pure: the page and the tests share it.
// The CSV export keeps every value exactly as stored; only the page shortens and labels.

/** One stored value, as the page shows it. */
export type ShownValue =
  | { kind: "text"; text: string }
  /** null, an empty string or an empty list: said in words, set apart from real text. */
  | { kind: "nothing"; text: string }
  /** A SHA-256 or git commit id: its first 12 characters, the whole in a title. */
  | { kind: "hash"; short: string; full: string }
  /** An instant (ISO, UTC) as the page prints times: YYYY-MM-DD HH:MM:SS UTC. */
  | { kind: "time"; iso: string; text: string }
  | { kind: "list"; items: ShownValue[] }
  | { kind: "record"; fields: ShownField[] };

export interface ShownField {
  key: string;
  label: string;
  value: ShownValue;
}

const HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;
/** How many characters of a hash the page shows: enough to tell hashes apart by eye, as git does. */
export const SHORT_HASH = 12;

/** Labels where splitting the key's words would not read well. */
const LABELS: Record<string, string> = {
  docId: "Document",
  crId: "Change request",
  contentHash: "Content SHA-256",
  quizHash: "Quiz SHA-256",
  recordHash: "Record SHA-256",
  sha256: "SHA-256",
  capaRef: "CAPA reference",
  causeRef: "Cause reference",
  displayName: "Full name",
  throughSeq: "Up to seq",
  urgentJustification: "Why urgent",
};

const WORDS: Record<string, string> = { id: "ID", ids: "IDs", pdf: "PDF", cr: "CR", csv: "CSV", utc: "UTC", url: "URL", sha256: "SHA-256", ip: "IP" };

/** A readable label for a stored key: `effectiveFrom` → "Effective from", `reviewerIds` → "Reviewer IDs". */
export function valueLabel(key: string): string {
  const known = LABELS[key];
  if (known) return known;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_-]+/)
    .filter((w) => w !== "")
    .map((w) => WORDS[w.toLowerCase()] ?? w.toLowerCase());
  const text = words.join(" ");
  return text === "" ? key : text.charAt(0).toUpperCase() + text.slice(1);
}

/** One JSON value as shown: hashes shortened, instants as UTC times, lists and objects kept whole. */
export function shownValue(value: unknown): ShownValue {
  if (value === null || value === undefined) return { kind: "nothing", text: "(none)" };
  if (typeof value === "string") {
    if (value === "") return { kind: "nothing", text: "(empty)" };
    if (HASH.test(value)) return { kind: "hash", short: value.slice(0, SHORT_HASH), full: value };
    if (INSTANT.test(value)) return { kind: "time", iso: value, text: `${value.slice(0, 10)} ${value.slice(11, 19)} UTC` };
    return { kind: "text", text: value };
  }
  if (typeof value === "boolean") return { kind: "text", text: value ? "yes" : "no" };
  if (typeof value === "number") return { kind: "text", text: String(value) };
  if (Array.isArray(value)) return value.length === 0 ? { kind: "nothing", text: "(none)" } : { kind: "list", items: value.map(shownValue) };
  if (typeof value === "object") {
    const fields = shownFields(value as Record<string, unknown>);
    return fields.length === 0 ? { kind: "nothing", text: "(none)" } : { kind: "record", fields };
  }
  return { kind: "text", text: String(value) };
}

function shownFields(object: Record<string, unknown>, omit: string | null = null): ShownField[] {
  return Object.entries(object)
    .filter(([key]) => key !== omit)
    .map(([key, value]) => ({ key, label: valueLabel(key), value: shownValue(value) }));
}

/**
 * A row's stored old or new values as labelled fields, or null when none were recorded. `omit`
 * leaves out the key the Reason column shows already. A value that is not a JSON object (a scalar,
 * or text that is not JSON) is one field, "Value".
 */
export function shownValues(stored: string | null, omit: string | null = null): ShownField[] | null {
  if (stored === null || stored === "null") return null;
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return [{ key: "value", label: "Value", value: { kind: "text", text: stored } }];
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const fields = shownFields(value as Record<string, unknown>, omit);
    return fields.length === 0 && omit === null ? [{ key: "value", label: "Value", value: { kind: "nothing", text: "(none)" } }] : fields;
  }
  return [{ key: "value", label: "Value", value: shownValue(value) }];
}

/** Keys under which a row's values carry the reason someone gave, in the order they are looked for. */
const REASON_KEYS = ["reason", "urgentJustification", "why", "note", "comment"] as const;

export interface RowReason {
  text: string;
  /** Where it is recorded: the row's reason column, or a key of its new or old values. */
  source: { column: "reason" } | { column: "new_values" | "old_values"; key: string };
}

function reasonIn(stored: string | null): { text: string; key: string } | null {
  if (stored === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  for (const key of REASON_KEYS) {
    const text = (value as Record<string, unknown>)[key];
    if (typeof text === "string" && text.trim() !== "") return { text, key };
  }
  return null;
}

/**
 * The reason given for a row, where one was: the reason column (rejections, withdrawals, reviewer
 * changes, urgent approvals, account changes), else a reason recorded in its values (a change
 * request's reason for change, a refused sign-in, a curriculum decision's note).
 */
export function rowReason(row: Pick<AuditRow, "reason" | "new_values" | "old_values">): RowReason | null {
  if (row.reason !== null && row.reason.trim() !== "") return { text: row.reason, source: { column: "reason" } };
  const inNew = reasonIn(row.new_values);
  if (inNew) return { text: inNew.text, source: { column: "new_values", key: inNew.key } };
  const inOld = reasonIn(row.old_values);
  if (inOld) return { text: inOld.text, source: { column: "old_values", key: inOld.key } };
  return null;
}
