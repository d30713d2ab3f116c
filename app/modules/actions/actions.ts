// The register of actions and CAPAs (SOP-KP-001, "Act on red KPIs" and "Record and follow up";
// SOP-CA-001, "Initiate the CAPA"): numbers, the derived "overdue", the forms and the register's
// filters; and the red-KPI cause analysis's due date and signed text. Pure: actions.server.ts and
// kpi-analysis.server.ts keep them in SQLite.
import { z } from "zod";

import { CR_ID_PATTERN } from "~/modules/change-control/change-control";
import { addMonths, isPeriod } from "~/modules/kpi/kpi";
import { addWorkingDays } from "~/modules/training/working-days";

export const ACTION_KINDS = ["action", "capa"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const ACTION_KIND_LABELS: Record<ActionKind, string> = { action: "Action", capa: "CAPA" };

export const ACTION_SOURCES = ["kpi", "audit-finding", "deviation", "management-review"] as const;
export type ActionSource = (typeof ACTION_SOURCES)[number];
export const ACTION_SOURCE_LABELS: Record<ActionSource, string> = {
  kpi: "KPI",
  "audit-finding": "Audit finding",
  deviation: "Deviation",
  "management-review": "Management review",
};

/** What is stored. */
export const ACTION_STATUSES = ["open", "closed"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** What is shown: "overdue" is derived from the due date on the day, never stored. */
export const SHOWN_STATUSES = ["open", "overdue", "closed"] as const;
export type ShownStatus = (typeof SHOWN_STATUSES)[number];
export const SHOWN_STATUS_LABELS: Record<ShownStatus, string> = { open: "Open", overdue: "Overdue", closed: "Closed" };

const PREFIX: Record<ActionKind, string> = { action: "ACT", capa: "CAPA" };

/** An item's number: ACT-0001, CAPA-0001; a sequence per kind, four digits at least, never reused (items are never deleted). */
export function actionId(kind: ActionKind, seq: number): string {
  if (!Number.isInteger(seq) || seq < 1) throw new Error(`an action's sequence must be a positive whole number, not ${seq}`);
  return `${PREFIX[kind]}-${String(seq).padStart(4, "0")}`;
}

const ACTION_ID = /^(ACT|CAPA)-(\d{4,})$/;

/** The kind and sequence of an item's number, or null when the text is not one. */
export function parseActionId(text: string): { kind: ActionKind; seq: number } | null {
  const m = ACTION_ID.exec(text);
  if (!m) return null;
  const kind: ActionKind = m[1] === "ACT" ? "action" : "capa";
  const seq = Number(m[2]);
  if (seq < 1 || actionId(kind, seq) !== text) return null;
  return { kind, seq };
}

/** Open and due before today (SOP-KP-001 "Record and follow up": tracked in Quire until closed). Due today is not yet overdue. */
export function isOverdue(item: { status: ActionStatus; dueOn: string }, today: string): boolean {
  return item.status === "open" && item.dueOn < today;
}

export function shownStatus(item: { status: ActionStatus; dueOn: string }, today: string): ShownStatus {
  if (item.status === "closed") return "closed";
  return isOverdue(item, today) ? "overdue" : "open";
}

/** A KPI's id as the catalogue writes it (lower-case words joined by hyphens, kpi.ts). */
export const KPI_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The source reference kept for a KPI item: the KPI and the month it was red. */
export function kpiSourceRef(kpiId: string, period: string): string {
  return `${kpiId} ${period}`;
}

/**
 * A due date people can be held to: a real calendar date, not before today (an extension moves it
 * later; SOP-CA-001 "Implement the actions"). Null when it is fine, else the message.
 */
export function dueDateProblem(dueOn: string, today: string): string | null {
  if (!isCalendarDate(dueOn)) return `The due date ${dueOn} is not a date (YYYY-MM-DD).`;
  if (dueOn < today) return `The due date ${dueOn} is in the past; give today (${today}) or a later date.`;
  return null;
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

// ---------------------------------------------------------------------------------------------
// Forms

const text = (label: string, max: number) =>
  z
    .string({ error: `Give the ${label}.` })
    .trim()
    .min(1, `Give the ${label}.`)
    .max(max, `The ${label} is at most ${max} characters.`);

const dueDate = z.iso.date({ message: "Give the due date (YYYY-MM-DD)." });
const ownerId = z.string({ error: "Choose the owner." }).trim().min(1, "Choose the owner.");

/**
 * The new-item form. A KPI item names the KPI and the month (YYYY-MM) it was red; any other source
 * names its reference in free text (an audit report, a deviation, the management review's date).
 */
export const NewActionForm = z
  .object({
    kind: z.enum(ACTION_KINDS, { error: "Say whether this is an action or a CAPA." }),
    source: z.enum(ACTION_SOURCES, { error: "Choose where the item comes from." }),
    sourceRef: z.string().trim().max(200, "The source reference is at most 200 characters.").default(""),
    kpiId: z.string().trim().default(""),
    period: z.string().trim().default(""),
    description: text("description", 2000),
    ownerId,
    dueOn: dueDate,
  })
  .superRefine((f, ctx) => {
    if (f.source === "kpi") {
      if (!KPI_ID_PATTERN.test(f.kpiId))
        ctx.addIssue({ code: "custom", path: ["kpiId"], message: "Give the KPI's id, e.g. query-resolution-time (lower-case words joined by hyphens)." });
      if (!isPeriod(f.period)) ctx.addIssue({ code: "custom", path: ["period"], message: "Give the month the KPI was red (YYYY-MM)." });
    } else if (f.sourceRef === "") {
      ctx.addIssue({ code: "custom", path: ["sourceRef"], message: "Give the source reference, e.g. the audit report or deviation number." });
    }
  });
export type NewActionInput = z.infer<typeof NewActionForm>;

/** An edit: what changes, and why (Part 11 §11.10(e): the reason is kept with the change). */
export const EditActionForm = z.object({
  description: text("description", 2000),
  ownerId,
  dueOn: dueDate,
  reason: text("reason for the change", 500),
});
export type EditActionInput = z.infer<typeof EditActionForm>;

/** Closing needs objective evidence of completion (SOP-CA-001, "Implement the actions"). */
export const CloseActionForm = z.object({
  evidence: text("evidence of completion", 2000),
});

export const LinkChangeForm = z.object({
  crId: z
    .string({ error: "Give the change request's number, e.g. CR-2026-0012." })
    .trim()
    .toUpperCase()
    .regex(CR_ID_PATTERN, "Give the change request's number, e.g. CR-2026-0012."),
});

// ---------------------------------------------------------------------------------------------
// The register's filters

export interface ActionFilter {
  kind: ActionKind | null;
  status: ShownStatus | null;
  source: ActionSource | null;
  /** A user name. */
  owner: string | null;
}

function pick<T extends string>(value: string, allowed: readonly T[], label: string, problems: string[]): T | null {
  if (value === "") return null;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`The ${label} “${value.slice(0, 40)}” was not used: it is one of ${allowed.join(", ")}.`);
  return null;
}

/**
 * The register's filters from the query string. A value that is not valid is named in `problems`
 * and left out; the page answers 400 and the CSV exports nothing, never silently everything.
 */
export function parseActionFilter(params: URLSearchParams): ActionFilter & { problems: string[] } {
  const problems: string[] = [];
  const get = (key: string) => params.get(key)?.trim() ?? "";
  const kind = pick(get("kind"), ACTION_KINDS, "kind", problems);
  const status = pick(get("status"), SHOWN_STATUSES, "status", problems);
  const source = pick(get("source"), ACTION_SOURCES, "source", problems);
  const ownerText = get("owner").toLowerCase();
  const owner = /^[a-z0-9._-]{1,64}$/.test(ownerText) ? ownerText : null;
  if (ownerText !== "" && owner === null) problems.push(`The owner “${ownerText.slice(0, 40)}” was not used: give a user name.`);
  return { kind, status, source, owner, problems };
}

// ---------------------------------------------------------------------------------------------
// Red-KPI cause analysis (SOP-KP-001, "Act on red KPIs")

/** What the analysis needs of a KPI's definition (the catalogue's, passed in). */
export interface KpiRef {
  id: string;
  name: string;
  /** The owner job function. */
  owner: string;
}

/**
 * When a red month's analysis is due: "within 10 working days" of the month's reporting, which ends
 * with the month; counted with addWorkingDays from the first day of the following month.
 */
export function analysisDueOn(period: string): string {
  if (!isPeriod(period)) throw new Error(`Not a period (YYYY-MM): ${period}`);
  return addWorkingDays(`${addMonths(period, 1)}-01`, 10);
}

export interface PlannedAction {
  description: string;
  /** The owner's user id. */
  owner: string;
  /** ISO date. */
  due: string;
}

export const KpiAnalysisForm = z.object({
  period: z.string().trim().refine(isPeriod, "Give the month the KPI was red (YYYY-MM)."),
  cause: text("analysis of the cause", 4000),
  password: z.string({ error: "Enter your password to sign." }).min(1, "Enter your password to sign."),
});

/** The canonical text of an analysis: what the recorder's signature is bound to (Part 11 §11.70). */
export function analysisRecordText(r: {
  kpi: KpiRef;
  period: string;
  cause: string;
  dueOn: string;
  recordedBy: string;
  created: readonly { id: string; description: string; ownerId: string; dueOn: string }[];
  linked: readonly string[];
}): string {
  return JSON.stringify({
    record: "kpi-cause-analysis",
    kpiId: r.kpi.id,
    kpiName: r.kpi.name,
    ownerFunction: r.kpi.owner,
    period: r.period,
    cause: r.cause,
    dueOn: r.dueOn,
    recordedBy: r.recordedBy,
    actions: r.created.map((a) => ({ id: a.id, description: a.description, ownerId: a.ownerId, dueOn: a.dueOn })),
    linked: [...r.linked],
  });
}
