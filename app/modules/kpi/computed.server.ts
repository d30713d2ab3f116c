// KPIs Quire computes from its own records, month by month, by the formulas their SOPs give
// (SOP-TR-001 and SOP-DC-001, Performance Indicators). Each month gives one observation with its
// numerator and denominator, so the definition's unit decides the figure: a percentage is
// 100 x numerator / denominator, a count is the numerator. A month with nothing to measure has no
// observation ("no data", never zero). A computed KPI whose id Quire has no formula for has no data.
import { boundedCache } from "~/cache";
import { listLibrary } from "~/modules/documents/library.server";
import { workingDaysBetween } from "~/modules/training/working-days";
import type { Quire } from "~/quire";

import { addMonths, aggregate, periodOf, type KpiDefinition, type KpiObservation, type Period } from "./kpi";

export type MonthlyObservations = Map<Period, KpiObservation>;

type Reader = Pick<Quire, "db" | "repo">;

/** The last calendar day of a month. */
export function monthEnd(period: Period): string {
  const first = new Date(`${addMonths(period, 1)}-01T00:00:00Z`);
  first.setUTCDate(0);
  return first.toISOString().slice(0, 10);
}

/** The calendar day after an ISO date. */
function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** A month's end, or `today` while the month is still running: nothing is measured ahead of today. */
function measuredOn(period: Period, today: string): string {
  const end = monthEnd(period);
  return end < today ? end : today;
}

/**
 * One month's figure: a percentage keeps its numerator and denominator (aggregation weights by
 * them); a count is the numerator alone, so nothing reads it as a ratio.
 */
function observation(numerator: number, denominator: number, unit: KpiDefinition["unit"]): KpiObservation | null {
  if (denominator === 0) return null;
  return unit === "%" ? { value: (100 * numerator) / denominator, numerator, denominator } : { value: numerator };
}

/**
 * Training compliance (SOP-TR-001): items completed on or before their due date divided by items due
 * in the month. Cancelled items, and items superseded by a newer version before they fell due, are
 * not due: the newer version's item counts instead.
 */
async function trainingCompliance(q: Reader, months: readonly Period[], def: KpiDefinition): Promise<MonthlyObservations> {
  const rows = await q.db.all<{ period: string; due: number; on_time: number }>(
    `SELECT substr(due_on, 1, 7) AS period, COUNT(*) AS due,
            SUM(status = 'completed' AND substr(closed_at, 1, 10) <= due_on) AS on_time
       FROM training_assignments
      WHERE due_on >= ? AND due_on <= ? AND status <> 'cancelled'
        AND NOT (status = 'superseded' AND substr(closed_at, 1, 10) <= due_on)
      GROUP BY period`,
    [`${months[0]}-01`, monthEnd(months[months.length - 1]!)],
  );
  const result: MonthlyObservations = new Map();
  for (const r of rows) {
    const o = observation(r.on_time, r.due, def.unit);
    if (o) result.set(r.period, o);
  }
  return result;
}

/**
 * Overdue training (SOP-TR-001): at the end of the month, open items past their due date divided by
 * open items. "Open at the end of the month" is read from the record as it stood then: assigned by
 * that day and not yet closed (completed, superseded or cancelled) on it.
 */
async function trainingOverdue(q: Reader, months: readonly Period[], def: KpiDefinition, today: string): Promise<MonthlyObservations> {
  const result: MonthlyObservations = new Map();
  for (const period of months) {
    const on = measuredOn(period, today);
    // A month that ended before today keeps its figure: it reads timestamps up to its end only, and
    // records are never back-dated (assignments, completions and closures are stamped when they happen).
    const closedKey = on < today ? `${q.repo.dir}\n${def.id}\n${def.unit}\n${on}` : null;
    const known = closedKey === null ? undefined : closedMonths.get(closedKey);
    if (known !== undefined) {
      if (known.o) result.set(period, known.o);
      continue;
    }
    // Timestamps compared as written (ISO strings sort in time order) so the index serves the
    // query: "by the end of `on`" is "before the next day".
    const next = nextDay(on);
    const row = await q.db.get<{ open: number; overdue: number | null }>(
      `SELECT COUNT(*) AS open, SUM(due_on < ?) AS overdue
         FROM training_assignments
        WHERE assigned_at < ? AND (closed_at IS NULL OR closed_at >= ?)`,
      [on, next, next],
    );
    const o = observation(row?.overdue ?? 0, row?.open ?? 0, def.unit);
    if (o) result.set(period, o);
    if (closedKey !== null) rememberClosedMonth(closedKey, o);
  }
  return result;
}

/** Figures of months already ended, by data folder, KPI, unit and day (bounded: oldest dropped first). */
const closedMonths = boundedCache<{ o: KpiObservation | null }>("kpi-closed-months", 2000);

function rememberClosedMonth(key: string, o: KpiObservation | null): void {
  closedMonths.set(key, { o });
}

/**
 * Approval cycle time (SOP-DC-001): median working days from submission for review (the change
 * request's first submission) to the final approval signature, for versions approved in the month.
 */
async function approvalCycleTime(q: Reader, months: readonly Period[]): Promise<MonthlyObservations> {
  const rows = await q.db.all<{ approved_at: string; submitted_at: string }>(
    `SELECT v.approved_at, MIN(e.at) AS submitted_at
       FROM document_versions v
       JOIN audit_events e ON e.action = 'change-request.submit' AND e.object_id = v.cr_id
      WHERE v.cr_id IS NOT NULL AND v.approved_at >= ? AND v.approved_at < ?
      GROUP BY v.doc_id, v.version`,
    [`${months[0]}-01`, `${addMonths(months[months.length - 1]!, 1)}-01`],
  );
  const byMonth = new Map<Period, KpiObservation[]>();
  for (const r of rows) {
    const days = workingDaysBetween(r.submitted_at.slice(0, 10), r.approved_at.slice(0, 10));
    const list = byMonth.get(periodOf(r.approved_at)) ?? [];
    list.push({ value: days });
    byMonth.set(periodOf(r.approved_at), list);
  }
  const result: MonthlyObservations = new Map();
  for (const [period, list] of byMonth) result.set(period, { value: aggregate({ aggregation: "median", unit: "days" }, list)! });
  return result;
}

/**
 * Documents past periodic review (SOP-DC-001): at the end of the month, effective documents whose
 * periodic review date has passed, against the effective documents.
 */
async function documentsPastReview(q: Reader, months: readonly Period[], def: KpiDefinition, today: string): Promise<MonthlyObservations> {
  const result: MonthlyObservations = new Map();
  for (const period of months) {
    const on = measuredOn(period, today);
    const effective = (await listLibrary(q, on)).filter((e) => e.status === "effective");
    const past = effective.filter((e) => e.nextReview !== null && e.nextReview < on).length;
    const o = observation(past, effective.length, def.unit);
    if (o) result.set(period, o);
  }
  return result;
}

/**
 * Training before effective date (SOP-TR-001): people trained on a new version by its effective date
 * divided by people assigned training on that version, for versions effective in the month.
 */
async function trainingBeforeEffective(q: Reader, months: readonly Period[], def: KpiDefinition, today: string): Promise<MonthlyObservations> {
  const last = monthEnd(months[months.length - 1]!);
  // Per version (a few hundred), each count read from the index on (doc_id, version, cause, status,
  // closed_at) (migration 027) rather than joining a million assignments.
  const rows = await q.db.all<{ period: string; assigned: number; done: number }>(
    `SELECT substr(v.effective_from, 1, 7) AS period,
            SUM((SELECT COUNT(*) FROM training_assignments a
                  WHERE a.doc_id = v.doc_id AND a.version = v.version AND a.cause = 'approval' AND a.status IN ('open', 'completed', 'superseded'))) AS assigned,
            SUM((SELECT COUNT(*) FROM training_assignments a
                  WHERE a.doc_id = v.doc_id AND a.version = v.version AND a.cause = 'approval' AND a.status = 'completed'
                    AND a.closed_at < date(v.effective_from, '+1 day'))) AS done
       FROM document_versions v
      WHERE v.effective_from >= ? AND v.effective_from <= ?
      GROUP BY period
     HAVING assigned > 0`,
    [`${months[0]}-01`, today < last ? today : last],
  );
  const result: MonthlyObservations = new Map();
  for (const r of rows) {
    const o = observation(r.done, r.assigned, def.unit);
    if (o) result.set(r.period, o);
  }
  return result;
}

type Formula = (q: Reader, months: readonly Period[], def: KpiDefinition, today: string) => Promise<MonthlyObservations>;

/** The formulas Quire computes, by KPI id. */
export const COMPUTED_FORMULAS: Readonly<Record<string, Formula>> = {
  "training-compliance": trainingCompliance,
  "training-overdue": trainingOverdue,
  "approval-cycle-time": (q, months) => approvalCycleTime(q, months),
  "documents-past-review": documentsPastReview,
  "training-before-effective": trainingBeforeEffective,
};

/** True when Quire knows how to compute this KPI. */
export function isComputable(id: string): boolean {
  return Object.hasOwn(COMPUTED_FORMULAS, id);
}

/**
 * A computed KPI's observations for the given consecutive months (oldest first), read once per
 * database state: the dashboard asks for every KPI on every view.
 */
export async function computedObservations(q: Reader, def: KpiDefinition, months: readonly Period[], today: string): Promise<MonthlyObservations> {
  if (months.length === 0 || !isComputable(def.id)) return new Map();
  const formula = COMPUTED_FORMULAS[def.id]!;
  return q.db.cached(`kpi:${def.id}:${def.unit}:${months[0]}:${months[months.length - 1]}:${today}`, () => formula(q, months, def, today));
}
