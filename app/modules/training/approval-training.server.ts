// What an approval asks of a document's audience (SOP-TR-001 step 4), recorded in the approval's
// own transaction: read-and-understood assignments due on the effective date, or a notice for a
// minor revision that needs no retraining. Open training on an earlier version is superseded by
// the new version, and cancelled for people the new version's audience no longer names.

import type { Tx } from "~/db/db.server";
import type { DocumentVersion } from "~/modules/documents/documents";
import { activePeopleIn, type Actor, type Trainee } from "~/modules/users/users.server";

import { assignVersion, cancelOpenAssignments, notifyPeople } from "./assignments.server";
import type { FunctionDecision, ImpactDecision } from "./impact";
import { trainingNeed } from "./training";

export type ApprovedVersion = Pick<DocumentVersion, "docId" | "version" | "minor" | "title" | "frontmatter" | "retrainingRequired" | "effectiveFrom">;

const RANK: Record<ImpactDecision, number> = { none: 0, notify: 1, retrain: 2 };

export async function trainAudienceOnApproval(
  tx: Tx,
  v: ApprovedVersion,
  crId: string | null,
  actor: Actor,
  at: Date,
  /** The approver's decision per job function; without it (older intents), the version's own rule for everyone. */
  decisions?: Record<string, FunctionDecision>,
): Promise<{ need: ReturnType<typeof trainingNeed>; assigned: number; notified: number; cancelled: number }> {
  const need = trainingNeed(v);
  const audience = await activePeopleIn(tx, v.frontmatter.audience);
  // Each person gets the strongest decision among their job functions in the audience.
  const decisionFor = (p: Trainee): ImpactDecision => {
    if (!decisions || Object.keys(decisions).length === 0) return need === "retrain" ? "retrain" : need === "notify" ? "notify" : "none";
    return p.jobFunctions.map((f) => decisions[f]?.decided ?? "none").reduce((a, b) => (RANK[b] > RANK[a] ? b : a), "none" as ImpactDecision);
  };
  if (decisions) {
    for (const [fn, d] of Object.entries(decisions)) {
      await tx.run("INSERT INTO version_training_decisions (doc_id, version, job_function, proposed, decided, reason, cr_id) VALUES (?, ?, ?, ?, ?, ?, ?)", [
        v.docId,
        v.version,
        fn,
        d.proposed,
        d.decided,
        d.reason,
        crId,
      ]);
    }
  }
  const retrain = audience.filter((p) => decisionFor(p) === "retrain");
  const rest = audience.filter((p) => decisionFor(p) !== "retrain");
  let assigned = 0;
  let notified = 0;
  if (retrain.length > 0) {
    assigned += (
      await assignVersion(tx, { docId: v.docId, version: v.version, dueOn: v.effectiveFrom, cause: "approval", causeRef: crId, people: retrain, actor, at })
    ).assigned.length;
  }
  if (rest.length > 0 && v.frontmatter.training === "required") {
    // Open training on an earlier version moves to this one, keeping its due date; the others to notify are told.
    const open = new Set(
      (
        await tx.all<{ user_id: string }>("SELECT DISTINCT user_id FROM training_assignments WHERE doc_id = ? AND version <> ? AND status = 'open'", [
          v.docId,
          v.version,
        ])
      ).map((r) => r.user_id),
    );
    const moving = rest.filter((p) => open.has(p.id));
    assigned += (
      await assignVersion(tx, {
        docId: v.docId,
        version: v.version,
        dueOn: v.effectiveFrom,
        cause: "replaces",
        causeRef: crId,
        people: moving,
        actor,
        at,
        keepEarlierDueDate: true,
      })
    ).assigned.length;
    const told = rest.filter((p) => !open.has(p.id) && decisionFor(p) === "notify");
    await notifyPeople(tx, {
      kind: "minor-revision",
      docId: v.docId,
      version: v.version,
      message: `${v.docId} ${v.title} v${v.version} takes effect on ${v.effectiveFrom}. It is a minor revision that needs no retraining; read it before you next use it.`,
      people: told,
      actor,
      at,
    });
    notified = told.length;
  }
  // People holding open training on this document whom the new version's audience no longer names.
  const inAudience = new Set(audience.map((p) => p.id));
  const leftOut = await tx.all<{ user_id: string; username: string }>(
    "SELECT DISTINCT a.user_id, u.username FROM training_assignments a JOIN users u ON u.id = a.user_id WHERE a.doc_id = ? AND a.version <> ? AND a.status = 'open'",
    [v.docId, v.version],
  );
  let cancelled = 0;
  for (const p of leftOut.filter((r) => !inAudience.has(r.user_id) || v.frontmatter.training !== "required")) {
    cancelled += await cancelOpenAssignments(
      tx,
      { id: p.user_id, username: p.username },
      [v.docId],
      `${v.docId} v${v.version} no longer needs their training.`,
      actor,
      at,
    );
  }
  return { need, assigned, notified, cancelled };
}
