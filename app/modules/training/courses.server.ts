// Curriculum courses (SOP-TR-001 step 1): the part of a job function's curriculum that is not a
// controlled document, such as GCP training refreshed every 3 years and training on each computerised
// system. The training coordinator proposes adding or removing a course, with a reason; a quality
// manager other than the proposer approves it with an e-signature, or rejects it. Sessions (step 5)
// that deliver a course complete it for each attendee who completed the session.
// This module owns training_courses and curriculum_changes (migration 018).

import type { Database, Queryable, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { sha256 } from "~/modules/content/hash";
import { recordSignature, type VerifiedSigner } from "~/modules/signatures/signatures.server";
import type { Actor } from "~/modules/users/actor";

import { courseStanding, type CourseStanding } from "./courses";
import { isJobFunction } from "./job-functions.server";
import { TRAINING_RECORD_FORM, TrainingRecordRefused } from "./sessions.server";

export const CURRICULUM_REASON_MIN = 10;

export interface Course {
  id: number;
  title: string;
  refreshMonths: number | null;
}

export interface CurriculumProposal {
  jobFunction: string;
  action: "add" | "remove";
  reason: string;
  /** An existing course, or a new one to create with the proposal. */
  course: { id: number } | { title: string; refreshMonths: number | null };
}

export interface CurriculumChange {
  id: number;
  jobFunction: string;
  course: Course;
  action: "add" | "remove";
  reason: string;
  proposedBy: string;
  proposedAt: string;
  status: "proposed" | "approved" | "rejected";
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  signatureId: number | null;
}

export async function listCourses(db: Queryable): Promise<Course[]> {
  return (
    await db.all<{ id: number; title: string; refresh_months: number | null }>("SELECT id, title, refresh_months FROM training_courses ORDER BY title")
  ).map((c) => ({ id: c.id, title: c.title, refreshMonths: c.refresh_months }));
}

/** The courses in each job function's curriculum: for each function and course, the newest approved change adds it. */
export async function curriculumCourses(db: Queryable): Promise<Map<string, Course[]>> {
  const rows = await db.all<{ job_function: string; id: number; title: string; refresh_months: number | null }>(
    `SELECT c.job_function, t.id, t.title, t.refresh_months
       FROM curriculum_changes c JOIN training_courses t ON t.id = c.course_id
      WHERE c.status = 'approved' AND c.action = 'add'
        AND c.id = (SELECT max(d.id) FROM curriculum_changes d
                     WHERE d.status = 'approved' AND d.job_function = c.job_function AND d.course_id = c.course_id)
      ORDER BY t.title`,
  );
  const byFunction = new Map<string, Course[]>();
  for (const r of rows)
    byFunction.set(r.job_function, [...(byFunction.get(r.job_function) ?? []), { id: r.id, title: r.title, refreshMonths: r.refresh_months }]);
  return byFunction;
}

/** Each person's latest completion of each course: userId -> courseId -> the session's date. */
export async function courseCompletions(db: Queryable, userId?: string): Promise<Map<string, Map<number, string>>> {
  const rows = await db.all<{ user_id: string; course_id: number; held_on: string }>(
    `SELECT a.user_id, s.course_id, max(s.held_on) AS held_on
       FROM training_sessions s JOIN training_session_attendees a ON a.session_id = s.id AND a.completed = 1
      WHERE s.course_id IS NOT NULL${userId ? " AND a.user_id = ?" : ""}
      GROUP BY 1, 2`,
    userId ? [userId] : [],
  );
  const byUser = new Map<string, Map<number, string>>();
  for (const r of rows) byUser.set(r.user_id, (byUser.get(r.user_id) ?? new Map<number, string>()).set(r.course_id, r.held_on));
  return byUser;
}

export interface PersonCourse extends Course {
  jobFunctions: string[];
  completedOn: string | null;
  refreshDue: string | null;
  standing: CourseStanding;
}

/** The courses one person's functions require, and where each stands today. */
export async function coursesOfPerson(db: Queryable, userId: string, jobFunctions: readonly string[], today: string): Promise<PersonCourse[]> {
  const [curricula, completions] = await Promise.all([curriculumCourses(db), courseCompletions(db, userId)]);
  const byCourse = new Map<number, PersonCourse>();
  for (const fn of jobFunctions) {
    for (const course of curricula.get(fn) ?? []) {
      const known = byCourse.get(course.id);
      if (known) {
        known.jobFunctions.push(fn);
        continue;
      }
      const completedOn = completions.get(userId)?.get(course.id) ?? null;
      byCourse.set(course.id, { ...course, jobFunctions: [fn], completedOn, ...courseStanding(completedOn, course.refreshMonths, today) });
    }
  }
  return [...byCourse.values()].sort((a, b) => a.title.localeCompare(b.title));
}

/** The canonical text of a curriculum change: what the proposal's hash and the approval signature bind. */
function changeText(c: { jobFunction: string; action: string; course: Course; reason: string; proposedBy: string }): string {
  return JSON.stringify({
    form: "curriculum-change",
    jobFunction: c.jobFunction,
    action: c.action,
    course: { id: c.course.id, title: c.course.title, refreshMonths: c.course.refreshMonths },
    reason: c.reason,
    proposedBy: c.proposedBy,
  });
}

/** The training coordinator proposes adding or removing a course for a job function (audited). */
export async function proposeCurriculumChange(
  db: Database,
  actor: Actor & { userId: string; username: string },
  p: CurriculumProposal,
  at: Date,
): Promise<{ changeId: number; courseId: number }> {
  const reason = p.reason.trim();
  if (reason.length < CURRICULUM_REASON_MIN)
    throw new TrainingRecordRefused(`Give the reason for the change (at least ${CURRICULUM_REASON_MIN} characters).`, "reason");
  return db.transaction(async (tx) => {
    if (!(await isJobFunction(tx, p.jobFunction))) throw new TrainingRecordRefused(`There is no job function "${p.jobFunction}".`, "jobFunction");
    const course = await courseFor(tx, actor, p.course, at);
    const inCurriculum = ((await curriculumCourses(tx)).get(p.jobFunction) ?? []).some((c) => c.id === course.id);
    if (p.action === "add" && inCurriculum) throw new TrainingRecordRefused(`${course.title} is already in the ${p.jobFunction} curriculum.`, "course");
    if (p.action === "remove" && !inCurriculum) throw new TrainingRecordRefused(`${course.title} is not in the ${p.jobFunction} curriculum.`, "course");
    if (await tx.get("SELECT 1 FROM curriculum_changes WHERE job_function = ? AND course_id = ? AND status = 'proposed'", [p.jobFunction, course.id]))
      throw new TrainingRecordRefused(`A change to ${course.title} for ${p.jobFunction} already awaits a quality manager's decision.`, "course");
    const contentHash = sha256(changeText({ jobFunction: p.jobFunction, action: p.action, course, reason, proposedBy: actor.username }));
    const result = await tx.run(
      "INSERT INTO curriculum_changes (job_function, course_id, action, reason, proposed_by, proposed_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [p.jobFunction, course.id, p.action, reason, actor.userId, at.toISOString(), contentHash],
    );
    await recordAudit(
      tx,
      {
        ...actor,
        action: "training.curriculum.propose",
        objectType: "job-function",
        objectId: p.jobFunction,
        newValues: { change: result.lastID, action: p.action, course: course.title, refreshMonths: course.refreshMonths, reason, contentHash },
      },
      at,
    );
    return { changeId: result.lastID, courseId: course.id };
  });
}

async function courseFor(tx: Tx, actor: Actor & { userId: string }, ref: CurriculumProposal["course"], at: Date): Promise<Course> {
  if ("id" in ref) {
    const row = await tx.get<{ id: number; title: string; refresh_months: number | null }>(
      "SELECT id, title, refresh_months FROM training_courses WHERE id = ?",
      [ref.id],
    );
    if (!row) throw new TrainingRecordRefused(`There is no course ${ref.id}.`, "course");
    return { id: row.id, title: row.title, refreshMonths: row.refresh_months };
  }
  const title = ref.title.trim();
  if (title.length < 3) throw new TrainingRecordRefused("Give the new course a title (at least 3 characters).", "title");
  if (ref.refreshMonths !== null && !(Number.isInteger(ref.refreshMonths) && ref.refreshMonths >= 1 && ref.refreshMonths <= 120))
    throw new TrainingRecordRefused("The refresh interval is a whole number of months from 1 to 120, or empty for none.", "refreshMonths");
  if (await tx.get("SELECT 1 FROM training_courses WHERE title = ?", [title]))
    throw new TrainingRecordRefused(`A course called "${title}" exists already: choose it from the list.`, "title");
  const result = await tx.run("INSERT INTO training_courses (title, refresh_months, created_by, created_at) VALUES (?, ?, ?, ?)", [
    title,
    ref.refreshMonths,
    actor.userId,
    at.toISOString(),
  ]);
  return { id: result.lastID, title, refreshMonths: ref.refreshMonths };
}

/**
 * A quality manager decides a proposal (SOP-TR-001: "The quality manager approves the curricula").
 * Approval is an e-signature bound to the proposal's hash; rejection needs a note. Nobody decides
 * their own proposal (segregation of duties).
 */
export async function decideCurriculumChange(
  db: Database,
  qm: VerifiedSigner,
  id: number,
  decision: { approve: true } | { approve: false; note: string },
  at: Date,
): Promise<void> {
  if (!decision.approve && decision.note.trim().length < CURRICULUM_REASON_MIN)
    throw new TrainingRecordRefused(`Say why the change is rejected (at least ${CURRICULUM_REASON_MIN} characters).`, "note");
  await db.transaction(async (tx) => {
    const row = await tx.get<{ job_function: string; title: string; action: string; status: string; proposed_by: string; content_hash: string }>(
      "SELECT c.job_function, t.title, c.action, c.status, c.proposed_by, c.content_hash FROM curriculum_changes c JOIN training_courses t ON t.id = c.course_id WHERE c.id = ?",
      [id],
    );
    if (!row) throw new TrainingRecordRefused(`There is no curriculum change ${id}.`);
    if (row.status !== "proposed") throw new TrainingRecordRefused(`Curriculum change ${id} is already ${row.status}.`);
    if (row.proposed_by === qm.userId) throw new TrainingRecordRefused("You proposed this change: another quality manager decides it (segregation of duties).");
    const signatureId = decision.approve
      ? await recordSignature(tx, {
          crId: null,
          docId: TRAINING_RECORD_FORM,
          version: null,
          signer: qm,
          meaning: "Curriculum approved",
          contentHash: row.content_hash,
          commit: null,
          at,
        })
      : null;
    const note = decision.approve ? null : decision.note.trim();
    await tx.run(
      "UPDATE curriculum_changes SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?, signature_id = ? WHERE id = ? AND status = 'proposed'",
      [decision.approve ? "approved" : "rejected", qm.userId, at.toISOString(), note, signatureId, id],
    );
    await recordAudit(
      tx,
      {
        userId: qm.userId,
        username: qm.username,
        clientAddress: qm.clientAddress,
        action: decision.approve ? "training.curriculum.approve" : "training.curriculum.reject",
        objectType: "job-function",
        objectId: row.job_function,
        oldValues: { change: id, status: "proposed" },
        newValues: { status: decision.approve ? "approved" : "rejected", action: row.action, course: row.title, note, signatureId },
      },
      at,
    );
  });
}

/** Every curriculum change, newest first: the curriculum's history (superseded curricula kept, question 10). */
export async function curriculumChanges(db: Queryable): Promise<CurriculumChange[]> {
  const rows = await db.all<{
    id: number;
    job_function: string;
    course_id: number;
    title: string;
    refresh_months: number | null;
    action: "add" | "remove";
    reason: string;
    proposer: string;
    proposed_at: string;
    status: CurriculumChange["status"];
    decider: string | null;
    decided_at: string | null;
    decision_note: string | null;
    signature_id: number | null;
  }>(
    `SELECT c.id, c.job_function, c.course_id, t.title, t.refresh_months, c.action, c.reason, p.display_name AS proposer, c.proposed_at,
            c.status, d.display_name AS decider, c.decided_at, c.decision_note, c.signature_id
       FROM curriculum_changes c
       JOIN training_courses t ON t.id = c.course_id
       JOIN users p ON p.id = c.proposed_by
       LEFT JOIN users d ON d.id = c.decided_by
      ORDER BY c.id DESC`,
  );
  return rows.map((r) => ({
    id: r.id,
    jobFunction: r.job_function,
    course: { id: r.course_id, title: r.title, refreshMonths: r.refresh_months },
    action: r.action,
    reason: r.reason,
    proposedBy: r.proposer,
    proposedAt: r.proposed_at,
    status: r.status,
    decidedBy: r.decider,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    signatureId: r.signature_id,
  }));
}
