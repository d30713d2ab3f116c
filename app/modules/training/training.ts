// Training rules (SOP-TR-001), pure: what an approval asks of a document's audience, the state of
// an assignment on a day, and whether a person was trained on the version in force on a day.
// app/modules/training/assignments.server.ts records assignments; these rules decide them.

import { compareVersions, effectiveOn, type DocumentVersion } from "~/modules/documents/documents";

import { addWorkingDays, daysBetween } from "./working-days";

/** New staff and staff gaining a job function complete its curriculum within this many working days (SOP-TR-001 step 2). */
export const INDUCTION_WORKING_DAYS = 20;

/**
 * Job functions whose qualification also needs a practical competence sign-off (SOP-TR-001 step 6:
 * "For clinical research associates, data managers and site start-up specialists").
 */
export const PRACTICAL_SIGNOFF_FUNCTIONS: readonly string[] = ["cra", "data-manager", "site-start-up-specialist"];

export const ASSIGNMENT_CAUSES = ["approval", "induction", "function-gained", "replaces"] as const;
export type AssignmentCause = (typeof ASSIGNMENT_CAUSES)[number];
export type AssignmentStatus = "open" | "completed" | "superseded" | "cancelled";

/** An assignment as pages show it: open ones are due or overdue, depending on the day. */
export type TrainingState = "due" | "overdue" | "completed" | "superseded" | "cancelled";

export interface Assignment {
  id: number;
  userId: string;
  docId: string;
  version: string;
  title: string;
  cause: AssignmentCause;
  causeRef: string | null;
  assignedAt: string;
  dueOn: string;
  status: AssignmentStatus;
  closedAt: string | null;
  signatureId: number | null;
}

export const CAUSE_LABELS: Record<AssignmentCause, string> = {
  approval: "New or revised version approved",
  induction: "Induction curriculum",
  "function-gained": "New job function",
  replaces: "Replaces training on an earlier version",
};

export function trainingState(a: Pick<Assignment, "status" | "dueOn">, today: string): TrainingState {
  if (a.status !== "open") return a.status;
  return a.dueOn < today ? "overdue" : "due";
}

/** Calendar days past the due date (0 when not overdue): SOP-TR-001's escalation ladder counts these. */
export function daysOverdue(a: Pick<Assignment, "status" | "dueOn">, today: string): number {
  return a.status === "open" && a.dueOn < today ? daysBetween(a.dueOn, today) : 0;
}

/**
 * What approving a version asks of the people in its audience (SOP-TR-001 step 4):
 * - `retrain`: read-and-understood training, due on the effective date: a first issue, every major
 *   revision, and a minor one when the change request says training is needed (or did not record it);
 * - `notify`: a minor revision the quality manager decided needs no training: a notice, no assignment;
 * - `none`: the document is read-only (`training: read-only`).
 */
export type TrainingNeed = "retrain" | "notify" | "none";

export function trainingNeed(v: Pick<DocumentVersion, "minor" | "frontmatter" | "retrainingRequired">): TrainingNeed {
  if (v.frontmatter.training !== "required") return "none";
  if (v.minor === 0) return "retrain";
  return v.retrainingRequired === false ? "notify" : "retrain";
}

export function inAudience(audience: readonly string[], functions: readonly string[]): boolean {
  return functions.some((f) => audience.includes(f));
}

/** The due date of induction training or of a newly gained function's curriculum. */
export function inductionDueOn(startedOn: string, workingDays = INDUCTION_WORKING_DAYS): string {
  return addWorkingDays(startedOn, workingDays);
}

/**
 * The version a person must have acknowledged to be trained on `inForce`: itself, or, for a minor
 * revision that needed no retraining, the latest earlier version that did.
 */
export function trainingBaseline(versions: readonly DocumentVersion[], inForce: DocumentVersion): DocumentVersion {
  const older = [...versions].filter((v) => compareVersions(v, inForce) <= 0).sort((a, b) => compareVersions(b, a));
  return older.find((v) => trainingNeed(v) !== "notify") ?? inForce;
}

export interface Acknowledgement {
  version: string;
  signedAt: string;
  signatureId: number;
}

export interface PointInTimeAnswer {
  /** The version in force on the day, or null when none was. */
  version: string | null;
  /** The version whose acknowledgement counts for it (see trainingBaseline). */
  trainedOn: string | null;
  trained: boolean;
  acknowledgedAt: string | null;
  signatureId: number | null;
}

/**
 * Inspection question 9: had the person acknowledged the version in force on `on` before the end
 * of that day (UTC)? A read-and-understood signature on that version counts, or, when it is a minor
 * revision that needed no retraining, one on its training baseline or a minor revision between
 * (unless the person was assigned training on a later minor revision: then that one is their
 * baseline); an acknowledgement of a later version, or one signed after the day, does not.
 */
export function trainedAsOf(
  versions: readonly DocumentVersion[],
  retiredFrom: string | null,
  acknowledgements: readonly Acknowledgement[],
  on: string,
  /** Versions the person was assigned training on (not cancelled): a minor revision they were told to retrain on is their baseline. */
  assignedVersions: readonly string[] = [],
): PointInTimeAnswer {
  const inForce = effectiveOn(versions, on, retiredFrom)?.version ?? null;
  if (!inForce) return { version: null, trainedOn: null, trained: false, acknowledgedAt: null, signatureId: null };
  const byFlags = trainingBaseline(versions, inForce);
  const assigned = versions
    .filter((v) => assignedVersions.includes(v.version) && compareVersions(v, byFlags) > 0 && compareVersions(v, inForce) <= 0)
    .sort((a, b) => compareVersions(b, a))[0];
  const baseline = assigned ?? byFlags;
  // The baseline's text, or a later minor revision's up to the one in force, counts.
  const counting = new Set(versions.filter((v) => compareVersions(v, baseline) >= 0 && compareVersions(v, inForce) <= 0).map((v) => v.version));
  const endOfDay = `${on}T23:59:59.999Z`;
  const ack = acknowledgements
    .filter((a) => counting.has(a.version) && a.signedAt <= endOfDay)
    .sort((a, b) => a.signedAt.localeCompare(b.signedAt))
    .at(0);
  return {
    version: inForce.version,
    trainedOn: baseline.version,
    trained: ack !== undefined,
    acknowledgedAt: ack?.signedAt ?? null,
    signatureId: ack?.signatureId ?? null,
  };
}
