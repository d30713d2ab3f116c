// The CSV files KPI owners import from trial systems (SOP-KP-001, "Collect and check the data": each
// owner provides the previous month's results, checked for plausibility before they are published).
// Pure: one row's cells and its line number in, a typed row or the problems found out, each naming
// the line (the header is line 1), the column and the value. kpi-import.server.ts streams the file.
import { isPeriod, periodOf, type KpiDefinition, type Period } from "./kpi";

/** The columns, in this order; numerator and denominator come as a pair or not at all. */
export const KPI_CSV_COLUMNS = ["kpi", "period", "study", "site", "value", "numerator", "denominator"] as const;
export type KpiCsvColumn = (typeof KPI_CSV_COLUMNS)[number];

/** The header without, and with, the numerator and denominator columns. */
export const KPI_CSV_HEADERS = [KPI_CSV_COLUMNS.slice(0, 5).join(","), KPI_CSV_COLUMNS.join(",")] as const;

/** Problems collected before the check stops reading: enough to show a pattern, never a flood. */
export const MAX_KPI_CSV_PROBLEMS = 50;

/** Longest study or site identifier accepted (trial systems use short codes: STUDY-001, FR-012). */
export const MAX_KPI_NAME_LENGTH = 64;

/** A letter or digit first, then letters, digits, spaces and . _ - / # (no quotes, commas or control characters). */
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._/#-]*$/u;

/** A plain decimal number: digits with an optional sign, point and exponent (no "12,5", "0x10" or "1 000"). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One problem of a file: `line 14, column value: "12,5" is not a number`. */
export interface KpiCsvProblem {
  line: number;
  /** null: the problem is the line's (its number of cells) or the file's, not one cell's. */
  column: KpiCsvColumn | null;
  message: string;
}

/** One checked row: the figure for a KPI, month, study and site. */
export interface KpiCsvRow {
  line: number;
  kpi: string;
  period: Period;
  study: string;
  site: string;
  value: number;
  numerator: number | null;
  denominator: number | null;
}

export type KpiCsvRowResult = { ok: true; row: KpiCsvRow } | { ok: false; problems: KpiCsvProblem[] };

/** What a row is checked against. */
export interface KpiCsvContext {
  /** The KPI catalogue, by id (from the SOPs' <Kpi> components). */
  definitions: ReadonlyMap<string, KpiDefinition>;
  /** Months after this one's are in the future (UTC). */
  now: Date;
  /** The header's number of columns: 5, or 7 with numerator and denominator. */
  columns: number;
}

/** A cell as a message quotes it: in double quotes, cut short when long. */
function quoted(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);
}

function problem(line: number, column: KpiCsvColumn | null, text: string): KpiCsvProblem {
  return { line, column, message: column === null ? `line ${line}: ${text}` : `line ${line}, column ${column}: ${text}` };
}

function cellProblem(line: number, column: KpiCsvColumn, cell: string, text: string): KpiCsvProblem {
  return problem(line, column, `${quoted(cell)} ${text}`);
}

/** The header's problem, or null when it is exactly one of KPI_CSV_HEADERS. */
export function kpiCsvHeaderProblem(cells: readonly string[] | null): KpiCsvProblem | null {
  if (cells === null) return problem(1, null, `the file is empty: it must start with the header ${KPI_CSV_HEADERS[0]} (optionally ,numerator,denominator)`);
  const header = cells.join(",");
  if ((KPI_CSV_HEADERS as readonly string[]).includes(header)) return null;
  return problem(1, null, `the header must be exactly ${KPI_CSV_HEADERS[0]} or ${KPI_CSV_HEADERS[1]}, not ${quoted(header)}`);
}

/** The problem of a file with a header and no rows: an import of nothing is refused. */
export function noRowsProblem(): KpiCsvProblem {
  return problem(2, null, "the file has a header but no rows");
}

/** The problem of text that is not CSV (an unclosed quote, say), at the line the parser stopped. */
export function malformedCsvProblem(line: number, reason: string): KpiCsvProblem {
  return problem(Math.max(line, 1), null, `not readable as CSV: ${reason}`);
}

/** The latest month that can be reported on `now`: this month (UTC); later ones are in the future. */
export function latestReportablePeriod(now: Date): Period {
  return periodOf(now.toISOString());
}

function nameProblem(line: number, column: "study" | "site", cell: string): KpiCsvProblem | null {
  if (cell === "") return cellProblem(line, column, cell, `is empty: every row names its ${column}`);
  if (cell.length > MAX_KPI_NAME_LENGTH) return cellProblem(line, column, cell, `is longer than ${MAX_KPI_NAME_LENGTH} characters`);
  if (!NAME.test(cell))
    return cellProblem(line, column, cell, "has characters other than letters, digits, spaces and . _ - / # (or does not start with a letter or digit)");
  return null;
}

/** A cell as a finite number, or the problem with it. */
function numberCell(line: number, column: KpiCsvColumn, cell: string, problems: KpiCsvProblem[]): number | null {
  if (!DECIMAL.test(cell)) {
    problems.push(cellProblem(line, column, cell, cell === "" ? "is empty: a number is needed" : "is not a number"));
    return null;
  }
  const value = Number(cell);
  if (!Number.isFinite(value)) {
    problems.push(cellProblem(line, column, cell, "is not a finite number"));
    return null;
  }
  return value;
}

const UNIT_WORDS = { "%": "a percentage", days: "a number of days", count: "a count" } as const;

/** The value's range by unit: a percentage 0..100, days and counts not negative. */
function valueRangeProblem(line: number, def: KpiDefinition, cell: string, value: number): KpiCsvProblem | null {
  if (def.unit === "%" && (value < 0 || value > 100)) return cellProblem(line, "value", cell, `is out of range: ${def.id} is a percentage, between 0 and 100`);
  if (value < 0) return cellProblem(line, "value", cell, `is negative: ${def.id} is ${UNIT_WORDS[def.unit]}, which cannot be negative`);
  return null;
}

/** Numerator and denominator: both or neither; required for a ratio; not negative; a positive denominator. */
function ratioCells(
  line: number,
  def: KpiDefinition | null,
  numeratorCell: string | undefined,
  denominatorCell: string | undefined,
  problems: KpiCsvProblem[],
): { numerator: number | null; denominator: number | null } {
  const none = { numerator: null, denominator: null };
  const requiredWhy = def?.aggregation === "ratio" ? `${def.id} is aggregated as a ratio, so numerator and denominator are required` : null;
  if (numeratorCell === undefined || denominatorCell === undefined) {
    if (requiredWhy) problems.push(problem(line, "numerator", `${requiredWhy}: the file has no numerator and denominator columns`));
    return none;
  }
  if (numeratorCell === "" && denominatorCell === "") {
    if (requiredWhy) problems.push(cellProblem(line, "numerator", numeratorCell, `is empty: ${requiredWhy}`));
    return none;
  }
  if (numeratorCell === "" || denominatorCell === "") {
    const [empty, given]: [KpiCsvColumn, KpiCsvColumn] = numeratorCell === "" ? ["numerator", "denominator"] : ["denominator", "numerator"];
    problems.push(cellProblem(line, empty, "", `is empty but the ${given} is given: give both or neither`));
    return none;
  }
  const before = problems.length;
  const numerator = numberCell(line, "numerator", numeratorCell, problems);
  const denominator = numberCell(line, "denominator", denominatorCell, problems);
  if (numerator !== null && numerator < 0) problems.push(cellProblem(line, "numerator", numeratorCell, "is negative: a numerator cannot be negative"));
  if (denominator !== null && denominator <= 0) problems.push(cellProblem(line, "denominator", denominatorCell, "must be greater than 0"));
  if (problems.length > before || numerator === null || denominator === null) return none;
  if (def?.unit === "%" && numerator > denominator)
    problems.push(cellProblem(line, "numerator", numeratorCell, `is greater than the denominator ${denominatorCell}: ${def.id} is a percentage`));
  return { numerator, denominator };
}

/** The KPI's definition when it can be imported, or the problem with the cell. */
function importableKpi(line: number, cell: string, definitions: ReadonlyMap<string, KpiDefinition>): KpiDefinition | KpiCsvProblem {
  const def = definitions.get(cell);
  if (!def) return cellProblem(line, "kpi", cell, cell === "" ? "is empty: every row names its KPI by id" : "is not the id of a KPI in the catalogue");
  if (def.source !== "imported")
    return cellProblem(line, "kpi", cell, `is computed by Quire from its own records, so it cannot be imported (defined in ${def.docId})`);
  return def;
}

/**
 * Checks one data row (`line` as the file numbers it, the header being line 1) and returns it typed,
 * or every problem found in it. Cells are taken as they are (the reader trims surrounding spaces).
 */
export function parseKpiCsvRow(cells: readonly string[], line: number, context: KpiCsvContext): KpiCsvRowResult {
  if (cells.length !== context.columns) {
    return { ok: false, problems: [problem(line, null, `${cells.length} ${cells.length === 1 ? "cell" : "cells"} where the header has ${context.columns}`)] };
  }
  const [kpiCell, periodCell, study, site, valueCell, numeratorCell, denominatorCell] = cells as [string, string, string, string, string, string?, string?];
  const problems: KpiCsvProblem[] = [];

  const found = importableKpi(line, kpiCell, context.definitions);
  const def = "message" in found ? null : found;
  if ("message" in found) problems.push(found);

  if (!isPeriod(periodCell)) problems.push(cellProblem(line, "period", periodCell, "is not a month written YYYY-MM (e.g. 2026-03)"));
  else if (periodCell > latestReportablePeriod(context.now))
    problems.push(cellProblem(line, "period", periodCell, `is in the future: the latest month that can be reported is ${latestReportablePeriod(context.now)}`));

  for (const [column, cell] of [
    ["study", study],
    ["site", site],
  ] as const) {
    const p = nameProblem(line, column, cell);
    if (p) problems.push(p);
  }

  const value = numberCell(line, "value", valueCell, problems);
  if (value !== null && def) {
    const p = valueRangeProblem(line, def, valueCell, value);
    if (p) problems.push(p);
  }
  const { numerator, denominator } = ratioCells(line, def, numeratorCell, denominatorCell, problems);

  if (problems.length > 0 || value === null) return { ok: false, problems };
  return { ok: true, row: { line, kpi: kpiCell, period: periodCell, study, site, value, numerator, denominator } };
}

/** What identifies a figure: one value per KPI, month, study and site. */
export function kpiValueKey(row: Pick<KpiCsvRow, "kpi" | "period" | "study" | "site">): string {
  return `${row.kpi}\u0000${row.period}\u0000${row.study}\u0000${row.site}`;
}

/**
 * A check for the same key twice in one file (which figure would count?), naming both lines. Holds
 * one short key and a line number per row: about 100 bytes a row, the only state a read keeps.
 */
export function duplicateKeyCheck(): (row: KpiCsvRow) => KpiCsvProblem | null {
  const seen = new Map<string, number>();
  return (row) => {
    const key = kpiValueKey(row);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, row.line);
      return null;
    }
    return problem(
      row.line,
      null,
      `repeats line ${first}: the same kpi, period, study and site (${row.kpi}, ${row.period}, ${row.study}, ${row.site}) twice in one file`,
    );
  };
}
