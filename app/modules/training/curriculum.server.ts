// A person's curriculum (SOP-TR-001 step 1): every controlled document whose audience includes one
// of their job functions. Gaining a function assigns its documents, losing one cancels what is no
// longer theirs, deactivation cancels everything open. Called inside the transaction that changes
// the person, so the person and their training change together.

import type { Queryable, Tx } from "~/db/db.server";
import { versionStates, type DocumentVersion } from "~/modules/documents/documents";
import { allRetirementDates } from "~/modules/documents/retirement-dates.server";
import { allVersions } from "~/modules/documents/versions.server";
import type { Actor } from "~/modules/users/actor";

import { assignVersion, cancelOpenAssignments, openAssignmentDocs, type Assignee } from "./assignments.server";
import { inAudience, inductionDueOn, trainingNeed, type AssignmentCause } from "./training";

/**
 * The version of each document someone joining its audience today trains on: the newest one that
 * is in force or approved to come into force (not superseded, not retired), when it needs training.
 */
export async function curriculumVersions(db: Queryable, today: string): Promise<DocumentVersion[]> {
  const versions = await allVersions(db);
  const retirements = await allRetirementDates(db);
  const byDoc = new Map<string, DocumentVersion[]>();
  for (const v of versions) byDoc.set(v.docId, [...(byDoc.get(v.docId) ?? []), v]);
  const current: DocumentVersion[] = [];
  for (const [docId, list] of byDoc) {
    const live = versionStates(list, today, retirements.get(docId)?.effectiveFrom ?? null).find((s) => s.status === "approved" || s.status === "effective");
    // versionStates lists newest first: the first live one is the newest approved or effective.
    if (live && trainingNeed(live.version) !== "none") current.push(live.version);
  }
  return current;
}

export interface CurriculumChange {
  person: Assignee;
  before: readonly string[];
  after: readonly string[];
  /** A new person (induction) or a person whose functions changed. */
  cause: Extract<AssignmentCause, "induction" | "function-gained">;
  actor: Actor;
  at: Date;
  today: string;
  inductionWorkingDays?: number;
}

/** Assigns what a person's new job functions add and cancels open training no longer theirs. */
export async function changeCurriculum(tx: Tx, c: CurriculumChange): Promise<{ assigned: number; cancelled: number }> {
  const gained = c.after.filter((f) => !c.before.includes(f));
  const lost = c.before.filter((f) => !c.after.includes(f));
  let assigned = 0;
  let cancelled = 0;
  const versions = gained.length > 0 || lost.length > 0 ? await curriculumVersions(tx, c.today) : [];
  if (gained.length > 0) {
    const due = inductionDueOn(c.today, c.inductionWorkingDays);
    for (const v of versions) {
      const audience = v.frontmatter.audience;
      if (!inAudience(audience, gained)) continue;
      const dueOn = v.effectiveFrom > due ? v.effectiveFrom : due;
      const { assigned: who } = await assignVersion(tx, {
        docId: v.docId,
        version: v.version,
        dueOn,
        cause: c.cause,
        causeRef: gained.join(", "),
        people: [c.person],
        actor: c.actor,
        at: c.at,
      });
      assigned += who.length;
    }
  }
  if (lost.length > 0) {
    const open = new Set(await openAssignmentDocs(tx, c.person.id));
    const noLongerTheirs = versions.filter((v) => open.has(v.docId) && !inAudience(v.frontmatter.audience, c.after)).map((v) => v.docId);
    cancelled = await cancelOpenAssignments(
      tx,
      c.person,
      noLongerTheirs,
      `No longer in the audience: job function(s) ${lost.join(", ")} removed.`,
      c.actor,
      c.at,
    );
  }
  return { assigned, cancelled };
}

/** A deactivated person's open training is cancelled (SOP-TR-001 step 8: the record is closed the same day). */
export function closeTrainingOfLeaver(tx: Tx, person: Assignee, actor: Actor, at: Date): Promise<number> {
  return cancelOpenAssignments(tx, person, "all", "The account was deactivated.", actor, at);
}
