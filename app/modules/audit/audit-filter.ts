import { z } from "zod";

/**
 * What a reviewer can ask of the audit trail (Part 11 §11.10(e), Annex 11 §9: the trail must be
 * available for review): who, what action, which object, when. Pure: the page, the CSV export and
 * the tests share it; audit.server.ts turns it into SQL.
 */
export interface AuditFilter {
  /** A user name, matched without regard to case. */
  user?: string;
  /** An exact action (`auth.signin`) or, ending in ".", a prefix (`user.` matches every user.* action). */
  action?: string;
  objectType?: string;
  objectId?: string;
  /**
   * A document id (SOP-CM-001): every event about the document, whatever object it is filed under
   * (its change requests, versions, signatures, training, copies; see auditWhere).
   */
  doc?: string;
  /** First UTC day included, YYYY-MM-DD. */
  from?: string;
  /** Last UTC day included, YYYY-MM-DD. */
  to?: string;
}

export const AUDIT_PAGE_SIZE = 50;

/** The filter keys in the order they appear in links, so the same filter always gives the same URL. */
export const AUDIT_FILTER_KEYS = ["user", "action", "objectType", "objectId", "doc", "from", "to"] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];

export const AUDIT_FILTER_LABELS: Record<AuditFilterKey | "page", string> = {
  user: "user",
  action: "action",
  objectType: "object type",
  objectId: "object id",
  doc: "document",
  from: "from date",
  to: "to date",
  page: "page",
};

const IsoDay = z.iso.date({ error: "not a date in the form YYYY-MM-DD" });

/** One schema per filter value, so a bad value is reported and dropped on its own. */
export const AuditFilterSchema = z.object({
  user: z.string().trim().min(1).max(64, "longer than any user name"),
  action: z
    .string()
    .trim()
    .min(1)
    .max(100, "longer than any action")
    .regex(/^[A-Za-z0-9._*-]+$/, "actions are words joined by dots, such as auth.signin or user.")
    // "user.*" is the spelling people try first; it means the prefix "user.".
    .transform((a) => (a.endsWith(".*") ? a.slice(0, -1) : a)),
  objectType: z.string().trim().min(1).max(64, "longer than any object type"),
  objectId: z.string().trim().min(1).max(200, "longer than any object id"),
  // Document ids are upper case (SOP-DC-001); a lower-case one typed into the box means the same.
  doc: z
    .string()
    .trim()
    .min(1)
    .max(40, "longer than any document id")
    .regex(/^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/, "not a document id such as SOP-DM-001")
    .transform((d) => d.toUpperCase()),
  from: IsoDay,
  to: IsoDay,
});

export const PageSchema = z.coerce
  .number({ error: "not a page number" })
  .int("not a whole page number")
  .min(1, "pages are numbered from 1")
  .max(1_000_000, "beyond any page");

export interface ParsedAuditQuery {
  filter: AuditFilter;
  /** The page asked for, 1-based; the caller clamps it to the last page. */
  page: number;
  /** Plain-language notes about values that were ignored, for the page to show. */
  ignored: string[];
}

/**
 * Reads the filter from a URL's query. A value that does not parse is ignored with a note, never
 * an error: a mistyped link still shows the trail.
 */
export function parseAuditQuery(params: URLSearchParams): ParsedAuditQuery {
  const filter: AuditFilter = {};
  const ignored: string[] = [];
  for (const key of AUDIT_FILTER_KEYS) {
    const raw = params.get(key);
    if (raw === null || raw.trim() === "") continue;
    const parsed = AuditFilterSchema.shape[key].safeParse(raw);
    if (parsed.success) filter[key] = parsed.data;
    else ignored.push(`Ignored the ${AUDIT_FILTER_LABELS[key]} “${shorten(raw)}”: ${parsed.error.issues[0]?.message ?? "not valid"}.`);
  }
  if (filter.from && filter.to && filter.from > filter.to) {
    ignored.push(`Ignored the date range: the from date ${filter.from} is after the to date ${filter.to}.`);
    delete filter.from;
    delete filter.to;
  }
  let page = 1;
  const rawPage = params.get("page");
  if (rawPage !== null && rawPage.trim() !== "") {
    const parsed = PageSchema.safeParse(rawPage);
    if (parsed.success) page = parsed.data;
    else ignored.push(`Ignored the page “${shorten(rawPage)}”: ${parsed.error.issues[0]?.message ?? "not valid"}.`);
  }
  return { filter, page, ignored };
}

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** True when the action filter is a prefix ("user.") rather than one exact action. */
export function isActionPrefix(action: string): boolean {
  return action.endsWith(".");
}

/** The query string for a filter (and optionally a page), for paging links and the CSV link. */
export function auditQueryString(filter: AuditFilter, page?: number): string {
  const params = new URLSearchParams();
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filter[key];
    if (value !== undefined) params.set(key, value);
  }
  if (page !== undefined && page > 1) params.set("page", String(page));
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** Only the filter values that were given, as the export's audit row records them. */
export function givenFilter(filter: AuditFilter): Partial<Record<AuditFilterKey, string>> {
  const given: Partial<Record<AuditFilterKey, string>> = {};
  for (const key of AUDIT_FILTER_KEYS) if (filter[key] !== undefined) given[key] = filter[key];
  return given;
}

/** The first instant after a UTC day, for an inclusive "to" date compared with ISO timestamps. */
export function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();
}

/**
 * `quire-audit-<from>-<to>.csv`: the filter's dates, or else the first exported event's day and
 * the day of the export, so the file name always tells the period it covers.
 */
export function exportFileName(filter: AuditFilter, firstEventAt: string | null, exportedOn: string): string {
  const from = filter.from ?? firstEventAt?.slice(0, 10) ?? exportedOn;
  const to = filter.to ?? exportedOn;
  return `quire-audit-${from}-${to}.csv`;
}

/** How the page shows a stored old/new value: nothing, key: value pairs, or indented JSON. */
export type ValueDisplay = { kind: "none" } | { kind: "pairs"; pairs: Array<[string, string]> } | { kind: "json"; text: string };

/**
 * Stored values are canonical JSON. Flat objects (the usual case) read best as key: value lines;
 * anything nested is shown as indented JSON so nothing is hidden or reinterpreted.
 */
export function displayValues(stored: string | null): ValueDisplay {
  if (stored === null || stored === "null") return { kind: "none" };
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return { kind: "json", text: stored };
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > 0 && entries.every(([, v]) => isFlat(v))) {
      return { kind: "pairs", pairs: entries.map(([k, v]) => [k, flatText(v)]) };
    }
  }
  if (isScalar(value)) return { kind: "pairs", pairs: [["value", flatText(value)]] };
  return { kind: "json", text: JSON.stringify(value, null, 2) };
}

function isScalar(v: unknown): boolean {
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

function isFlat(v: unknown): boolean {
  return isScalar(v) || (Array.isArray(v) && v.every(isScalar));
}

function flatText(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? "(none)" : v.map(flatText).join(", ");
  if (v === null) return "(none)";
  if (typeof v === "string") return v === "" ? "(empty)" : v;
  return String(v);
}
