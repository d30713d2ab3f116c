// Knowledge checks (SOP-TR-001 step 4): the quiz that belongs to a version is the `.quiz.yaml`
// beside the document in the version's commit. Attempts are graded here, on the server, and kept;
// the browser only ever sees presentQuiz's questions. This module owns quiz_attempts and quiz_resets.

import { boundedCache } from "~/cache";
import type { Queryable, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { sha256 } from "~/modules/content/hash";
import type { ContentRepository } from "~/modules/content/repository.server";
import { versionsOf } from "~/modules/documents/versions.server";
import type { Actor } from "~/modules/users/actor";

import { QuizAnswerError, gradeQuiz, parseQuiz, presentQuiz, quizPathFor, type PresentedQuiz, type Quiz, type QuizGrade } from "./quiz";
import type { Assignment } from "./training";

/** The knowledge check of one version: its quiz and the SHA-256 of the file, or null when the version has none. */
export interface VersionQuiz {
  quiz: Quiz;
  hash: string;
  path: string;
}

/** A version's quiz never changes (its commit is fixed), so each is read from git once. */
const quizzes = boundedCache<Promise<string | null>>("version-quizzes", 2000);

function quizSource(repo: ContentRepository, commit: string, path: string): Promise<string | null> {
  const key = `${repo.dir}\u0000${commit}\u0000${path}`;
  let hit = quizzes.get(key);
  if (!hit) {
    hit = repo.readFileOrNull(commit, path);
    hit.catch(() => quizzes.delete(key));
    quizzes.set(key, hit);
  }
  return hit;
}

export async function quizOfVersion(repo: ContentRepository, v: { commit: string; path: string }): Promise<VersionQuiz | null> {
  const path = quizPathFor(v.path);
  const source = await quizSource(repo, v.commit, path);
  if (source === null) return null;
  const parsed = parseQuiz(path, source);
  // Approved content was validated; a quiz that no longer parses is a fault to report, not to skip.
  if (!parsed.ok) throw new Error(`${path} at ${v.commit.slice(0, 12)} does not parse: ${parsed.problems[0]?.message ?? ""}`);
  return { quiz: parsed.quiz, hash: sha256(source), path };
}

/** The knowledge check of the version an assignment is on, or null when it has none (or no such version). */
export async function quizOfAssignment(q: { db: Queryable; repo: ContentRepository }, a: { docId: string; version: string }): Promise<VersionQuiz | null> {
  const v = (await versionsOf(q.db, a.docId)).find((x) => x.version === a.version);
  return v ? quizOfVersion(q.repo, v) : null;
}

export interface QuizState {
  /** Resets so far: each starts a new round of attempts. */
  round: number;
  /** Attempts used in this round. */
  used: number;
  maxAttempts: number;
  passed: boolean;
  locked: boolean;
  lastScore: number | null;
  passMark: number;
}

export async function quizState(db: Queryable, assignmentId: number, quiz: Quiz): Promise<QuizState> {
  const round = (await db.get<{ n: number }>("SELECT count(*) AS n FROM quiz_resets WHERE assignment_id = ?", [assignmentId]))!.n;
  const attempts = await db.all<{ round: number; score: number; passed: number }>(
    "SELECT round, score, passed FROM quiz_attempts WHERE assignment_id = ? ORDER BY round, attempt",
    [assignmentId],
  );
  const passed = attempts.some((a) => a.passed === 1);
  const used = attempts.filter((a) => a.round === round).length;
  return {
    round,
    used,
    maxAttempts: quiz.maxAttempts,
    passed,
    locked: !passed && used >= quiz.maxAttempts,
    lastScore: attempts.at(-1)?.score ?? null,
    passMark: quiz.passMark,
  };
}

/** The questions for the next attempt, in an order of its own (a reload shows the same order). */
export function nextAttemptQuestions(assignmentId: number, state: QuizState, quiz: Quiz): { attempt: number; presented: PresentedQuiz } {
  const attempt = state.used + 1;
  return { attempt, presented: presentQuiz(quiz, `${assignmentId}:${state.round}:${attempt}`) };
}

export class QuizRefused extends Error {}

export interface QuizSubmission {
  assignment: Assignment;
  vq: VersionQuiz;
  /** What the page said it was: the attempt number and the quiz file's hash. */
  attempt: number;
  quizHash: string;
  answers: Record<string, string[]>;
  actor: Actor;
  at: Date;
}

/**
 * Grades and records one attempt (with its audit row) in the caller's transaction. Refused, with
 * nothing recorded: an assignment not open, already passed or locked; answers for another version's
 * quiz or another attempt (a second tab, a resubmitted form); an unknown question or option.
 */
export async function recordQuizAttempt(tx: Tx, s: QuizSubmission): Promise<QuizGrade & { attempt: number; state: QuizState }> {
  const a = s.assignment;
  if (a.status !== "open") throw new QuizRefused(`This training on ${a.docId} v${a.version} is ${a.status}; there is no knowledge check to take.`);
  if (s.quizHash !== s.vq.hash) throw new QuizRefused(`These answers are for another knowledge check than ${a.docId} v${a.version}'s; reload the page.`);
  const state = await quizState(tx, a.id, s.vq.quiz);
  if (state.passed) throw new QuizRefused(`You have already passed the knowledge check on ${a.docId} v${a.version}.`);
  if (state.locked) {
    throw new QuizRefused(`You have used all ${state.maxAttempts} attempts at this knowledge check; it is locked until a training coordinator resets it.`);
  }
  if (s.attempt !== state.used + 1)
    throw new QuizRefused(`These answers are for attempt ${s.attempt}, but attempt ${state.used + 1} is next; reload the page.`);
  let grade: QuizGrade;
  try {
    grade = gradeQuiz(s.vq.quiz, s.answers);
  } catch (error) {
    if (error instanceof QuizAnswerError) throw new QuizRefused(`${error.message}; nothing was recorded. Reload the page.`);
    throw error;
  }
  await tx.run("INSERT INTO quiz_attempts (assignment_id, round, attempt, quiz_hash, answers, score, passed, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
    a.id,
    state.round,
    s.attempt,
    s.vq.hash,
    JSON.stringify(s.answers),
    grade.score,
    grade.passed ? 1 : 0,
    s.at.toISOString(),
  ]);
  const after: QuizState = {
    ...state,
    used: state.used + 1,
    passed: grade.passed,
    lastScore: grade.score,
    locked: !grade.passed && state.used + 1 >= state.maxAttempts,
  };
  await recordAudit(
    tx,
    {
      ...s.actor,
      action: grade.passed ? "training.quiz.passed" : after.locked ? "training.quiz.locked" : "training.quiz.failed",
      objectType: "training-assignment",
      objectId: String(a.id),
      newValues: {
        docId: a.docId,
        version: a.version,
        round: state.round,
        attempt: s.attempt,
        score: grade.score,
        passMark: s.vq.quiz.passMark,
        quizHash: s.vq.hash,
      },
    },
    s.at,
  );
  return { ...grade, attempt: s.attempt, state: after };
}

/** A training coordinator unlocks a locked knowledge check: a new round of attempts, with the reason audited. */
export async function resetQuiz(tx: Tx, a: Assignment, quiz: Quiz, by: Actor & { userId: string }, reason: string, at: Date): Promise<void> {
  const state = await quizState(tx, a.id, quiz);
  if (!state.locked) throw new QuizRefused(`The knowledge check on ${a.docId} v${a.version} is not locked, so there is nothing to reset.`);
  if (reason.trim().length < 5) throw new QuizRefused("Give the reason for the reset (at least 5 characters).");
  await tx.run("INSERT INTO quiz_resets (assignment_id, reset_by, reason, reset_at) VALUES (?, ?, ?, ?)", [a.id, by.userId, reason.trim(), at.toISOString()]);
  await recordAudit(
    tx,
    {
      ...by,
      action: "training.quiz.reset",
      objectType: "training-assignment",
      objectId: String(a.id),
      oldValues: { round: state.round, used: state.used, locked: true },
      newValues: { round: state.round + 1, docId: a.docId, version: a.version },
      reason: reason.trim(),
    },
    at,
  );
}

/** Why a version with a knowledge check cannot be acknowledged yet, or null when it can. */
export async function quizBlocksSigning(db: Queryable, assignmentId: number, vq: VersionQuiz | null): Promise<string | null> {
  if (!vq) return null;
  const state = await quizState(db, assignmentId, vq.quiz);
  if (state.passed) return null;
  if (state.locked) return "The knowledge check is locked after too many failed attempts: a training coordinator must reset it before you can sign.";
  return `Pass the knowledge check (pass mark ${vq.quiz.passMark}%) before you sign read and understood.`;
}
