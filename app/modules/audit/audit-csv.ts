import type { AuditRow } from "./audit";

/**
 * The export's columns: every stored column, the chain's prev_hash and hash included, under their
 * database names, so an inspector can recompute each row's hash and re-verify the chain outside
 * Quire (Part 11 §11.10(b): accurate and complete copies in human-readable and electronic form).
 */
export const AUDIT_CSV_COLUMNS = [
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
  "hash",
] as const satisfies ReadonlyArray<keyof AuditRow>;

/**
 * One RFC 4180 field. A field holding a comma, quote, CR or LF is quoted, with quotes doubled.
 * NULL is an empty unquoted field and an empty string a quoted one (`""`), the convention of
 * PostgreSQL's CSV COPY: the difference matters, because the hash covers it.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return text === "" || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, terminated by CRLF as RFC 4180 prescribes. */
export function csvRecord(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/**
 * The audit rows as CSV, header first, values exactly as stored: nothing is trimmed, reformatted or
 * escaped for spreadsheets, since any change would break the hash check.
 */
export function auditCsv(rows: readonly AuditRow[]): string {
  let out = csvRecord(AUDIT_CSV_COLUMNS);
  for (const row of rows) out += csvRecord(AUDIT_CSV_COLUMNS.map((c) => row[c]));
  return out;
}
