// What a trainee sees: their assignments (due, overdue, completed) and notices, and one training
// task (the version to read and sign). Pages ask for these; nothing here writes.

import { versionHtml } from "~/modules/documents/library.server";
import { acknowledgementsOf } from "~/modules/signatures/signatures.server";
import type { Quire } from "~/quire";

import { assignmentsOf, getAssignment, noticesOf, type Notice } from "./assignments.server";
import { QuizRefused, nextAttemptQuestions, quizOfAssignment, quizOfVersion, quizState, recordQuizAttempt, type QuizState } from "./knowledge-check.server";
import type { PresentedQuiz } from "./quiz";
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

/** What the library page tells a person first: their open training, and notices not yet seen. */
export async function trainingSummary(q: Quire, userId: string, today: string): Promise<{ due: number; overdue: number; notices: number }> {
  const row = await q.db.get<{ due: number; overdue: number }>(
    "SELECT coalesce(sum(due_on >= ?), 0) AS due, coalesce(sum(due_on < ?), 0) AS overdue FROM training_assignments WHERE user_id = ? AND status = 'open'",
    [today, today, userId],
  );
  const notices = await q.db.get<{ n: number }>("SELECT count(*) AS n FROM training_notices WHERE user_id = ? AND read_at IS NULL", [userId]);
  return { due: row!.due, overdue: row!.overdue, notices: notices!.n };
}

/** How many open training items a person has (the count beside "My training" in the menu). */
export async function openTrainingCount(q: Quire, userId: string): Promise<number> {
  return (await q.db.get<{ n: number }>("SELECT count(*) AS n FROM training_assignments WHERE user_id = ? AND status = 'open'", [userId]))!.n;
}

/** A version's knowledge check as the trainee's page shows it: never the answers. */
export interface TrainingQuiz {
  hash: string;
  state: QuizState;
  /** The next attempt's questions, when one can be taken (not passed, not locked, assignment open). */
  next: { attempt: number; presented: PresentedQuiz } | null;
}

export interface TrainingTask {
  assignment: AssignmentView;
  contentHash: string;
  commit: string;
  effectiveFrom: string;
  html: string;
  quiz: TrainingQuiz | null;
}

/** One of the person's own assignments with the version to read; null when there is none of theirs by that id. */
export async function trainingTask(q: Quire, userId: string, assignmentId: number, today: string): Promise<TrainingTask | null> {
  const a = await getAssignment(q.db, assignmentId);
  if (!a || a.userId !== userId) return null;
  const body = await versionHtml(q, a.docId, a.version);
  if (!body) return null;
  const acks = a.signatureId === null ? [] : await acknowledgementsOf(q.db, userId, a.docId);
  const vq = await quizOfVersion(q.repo, body.version);
  let quiz: TrainingQuiz | null = null;
  if (vq) {
    const state = await quizState(q.db, a.id, vq.quiz);
    const canTake = a.status === "open" && !state.passed && !state.locked;
    quiz = { hash: vq.hash, state, next: canTake ? nextAttemptQuestions(a.id, state, vq.quiz) : null };
  }
  return {
    assignment: view(a, today, new Map(acks.map((s) => [s.id, s.signedAt]))),
    contentHash: body.version.contentHash,
    commit: body.version.commit,
    effectiveFrom: body.version.effectiveFrom,
    html: body.html,
    quiz,
  };
}

/** Grades the trainee's answers to their own assignment's knowledge check (refusals: QuizRefused). */
export async function submitQuiz(
  q: Quire,
  user: { id: string; username: string; clientAddress: string | null },
  assignmentId: number,
  form: { attempt: number; quizHash: string; answers: Record<string, string[]> },
  at: Date,
) {
  const a = await getAssignment(q.db, assignmentId);
  if (!a || a.userId !== user.id) throw new QuizRefused(`You have no training assignment ${assignmentId}.`);
  const vq = await quizOfAssignment(q, a);
  if (!vq) throw new QuizRefused(`${a.docId} v${a.version} has no knowledge check.`);
  return q.db.transaction(async (tx) => {
    // Read again inside the transaction: a second tab may have submitted meanwhile.
    const fresh = (await getAssignment(tx, assignmentId))!;
    return recordQuizAttempt(tx, {
      assignment: fresh,
      vq,
      ...form,
      actor: { userId: user.id, username: user.username, clientAddress: user.clientAddress },
      at,
    });
  });
}
