// What a trainee sees: their assignments (due, overdue, completed) and notices, and one training
// task (the version to read and sign). Pages ask for these; nothing here writes.

import type { Quire } from "~/context.server";
import { versionHtml } from "~/modules/documents/library.server";
import { acknowledgementsOf } from "~/modules/signatures/signatures.server";

import { assignmentsOf, getAssignment, noticesOf, type Notice } from "./assignments.server";
import { CAUSE_LABELS, daysOverdue, trainingState, type Assignment, type TrainingState } from "./training";

export interface AssignmentView extends Assignment {
  state: TrainingState;
  daysOverdue: number;
  causeLabel: string;
  signedAt: string | null;
}

export interface MyTraining {
  open: AssignmentView[];
  completed: AssignmentView[];
  notices: Notice[];
  counts: { due: number; overdue: number; completed: number };
}

function view(a: Assignment, today: string, signedAt: Map<number, string>): AssignmentView {
  return {
    ...a,
    state: trainingState(a, today),
    daysOverdue: daysOverdue(a, today),
    causeLabel: CAUSE_LABELS[a.cause],
    signedAt: a.signatureId === null ? null : (signedAt.get(a.signatureId) ?? null),
  };
}

export async function myTraining(q: Quire, userId: string, today: string): Promise<MyTraining> {
  const [assignments, acks, notices] = await Promise.all([assignmentsOf(q.db, userId), acknowledgementsOf(q.db, userId), noticesOf(q.db, userId)]);
  const signedAt = new Map(acks.map((s) => [s.id, s.signedAt]));
  const views = assignments.map((a) => view(a, today, signedAt));
  const open = views.filter((a) => a.status === "open");
  const completed = views.filter((a) => a.status === "completed");
  return {
    open,
    completed,
    notices,
    counts: { due: open.filter((a) => a.state === "due").length, overdue: open.filter((a) => a.state === "overdue").length, completed: completed.length },
  };
}

/** How many open training items a person has (the count beside "My training" in the menu). */
export async function openTrainingCount(q: Quire, userId: string): Promise<number> {
  return (await q.db.get<{ n: number }>("SELECT count(*) AS n FROM training_assignments WHERE user_id = ? AND status = 'open'", [userId]))!.n;
}

export interface TrainingTask {
  assignment: AssignmentView;
  contentHash: string;
  commit: string;
  effectiveFrom: string;
  html: string;
}

/** One of the person's own assignments with the version to read; null when there is none of theirs by that id. */
export async function trainingTask(q: Quire, userId: string, assignmentId: number, today: string): Promise<TrainingTask | null> {
  const a = await getAssignment(q.db, assignmentId);
  if (!a || a.userId !== userId) return null;
  const body = await versionHtml(q, a.docId, a.version);
  if (!body) return null;
  const acks = a.signatureId === null ? [] : await acknowledgementsOf(q.db, userId, a.docId);
  return {
    assignment: view(a, today, new Map(acks.map((s) => [s.id, s.signedAt]))),
    contentHash: body.version.contentHash,
    commit: body.version.commit,
    effectiveFrom: body.version.effectiveFrom,
    html: body.html,
  };
}
