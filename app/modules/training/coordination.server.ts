// What a training coordinator does to someone else's training: reset a locked knowledge check.
// Authorised by the caller (training.manage) and audited here, in the same transaction.

import type { Actor } from "~/modules/users/actor";
import type { Quire } from "~/quire";

import { getAssignment } from "./assignments.server";
import { QuizRefused, quizOfAssignment, quizState, resetQuiz } from "./knowledge-check.server";

/** Unlocks a knowledge check locked after its maximum of failed attempts: the trainee gets a new round. */
export async function resetKnowledgeCheck(q: Quire, by: Actor & { userId: string }, assignmentId: number, reason: string, at: Date): Promise<void> {
  const a = await getAssignment(q.db, assignmentId);
  if (!a) throw new QuizRefused(`There is no training assignment ${assignmentId}.`);
  const vq = await quizOfAssignment(q, a);
  if (!vq) throw new QuizRefused(`${a.docId} v${a.version} has no knowledge check.`);
  await q.db.transaction(async (tx) => {
    const fresh = (await getAssignment(tx, assignmentId))!;
    if (fresh.status !== "open") throw new QuizRefused(`This training on ${a.docId} v${a.version} is ${fresh.status}; there is nothing to reset.`);
    await resetQuiz(tx, fresh, vq.quiz, by, reason, at);
  });
}

/** The ids, among a person's open assignments, whose knowledge check is locked. */
export async function lockedKnowledgeChecks(
  q: Quire,
  assignments: readonly { assignmentId: number; docId: string; version: string; status: string }[],
): Promise<number[]> {
  const locked: number[] = [];
  for (const a of assignments) {
    if (a.status !== "open") continue;
    const attempted = await q.db.get("SELECT 1 FROM quiz_attempts WHERE assignment_id = ? LIMIT 1", [a.assignmentId]);
    if (!attempted) continue;
    const vq = await quizOfAssignment(q, a);
    if (vq && (await quizState(q.db, a.assignmentId, vq.quiz)).locked) locked.push(a.assignmentId);
  }
  return locked;
}
