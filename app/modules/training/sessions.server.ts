// Classroom, virtual and on-the-job training (SOP-TR-001 step 5) and practical competence
// sign-off (step 6), recorded the way FRM-TR-001 lays them out and e-signed through the signature
// service. This module owns training_sessions, training_session_attendees and competence_signoffs.

import type { Database, Queryable } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { sha256 } from "~/modules/content/hash";
import { recordSignature, type VerifiedSigner } from "~/modules/signatures/signatures.server";

import { PRACTICAL_SIGNOFF_FUNCTIONS } from "./training";

/** The controlled form these records implement (their signatures name it as the document signed). */
export const TRAINING_RECORD_FORM = "FRM-TR-001";

export const SESSION_KINDS = ["classroom", "virtual", "on-the-job"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

export class TrainingRecordRefused extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export interface NewSession {
  title: string;
  kind: SessionKind;
  heldOn: string;
  durationMinutes: number;
  content: string;
  /** Controlled documents the session covered, e.g. SOP-CM-001 v2.0. */
  documents: { docId: string; version: string }[];
  attendees: { userId: string; completed: boolean }[];
  /** The curriculum course the session delivers (e.g. GCP training), if any: attendees who complete it complete the course. */
  courseId?: number | null;
}

/** The canonical text of a session record: what the trainer's signature is bound to (§11.70). */
export function sessionRecordText(s: NewSession & { trainer: string }): string {
  return JSON.stringify({
    form: TRAINING_RECORD_FORM,
    title: s.title,
    kind: s.kind,
    heldOn: s.heldOn,
    durationMinutes: s.durationMinutes,
    content: s.content,
    trainer: s.trainer,
    documents: [...s.documents].sort((a, b) => a.docId.localeCompare(b.docId)),
    attendees: [...s.attendees].sort((a, b) => a.userId.localeCompare(b.userId)),
    // Only when there is one, so records signed before courses existed keep their hash.
    ...(s.courseId ? { courseId: s.courseId } : {}),
  });
}

/** The trainer records and signs a session they delivered ("Training delivered"), with its attendance. */
export async function recordSession(db: Database, trainer: VerifiedSigner, s: NewSession, today: string, at: Date): Promise<number> {
  if (s.title.trim().length < 3) throw new TrainingRecordRefused("Give the session a title.", "title");
  if (s.content.trim().length < 10) throw new TrainingRecordRefused("Describe what was covered (at least 10 characters).", "content");
  if (s.heldOn > today) throw new TrainingRecordRefused(`The session date ${s.heldOn} is in the future; record a session once it has been held.`, "heldOn");
  if (s.attendees.length === 0) throw new TrainingRecordRefused("Name at least one attendee.", "attendees");
  if (s.attendees.some((a) => a.userId === trainer.userId))
    throw new TrainingRecordRefused("The trainer is not an attendee of their own session.", "attendees");
  return db.transaction(async (tx) => {
    for (const d of s.documents) {
      if (!(await tx.get("SELECT 1 FROM document_versions WHERE doc_id = ? AND version = ?", [d.docId, d.version]))) {
        throw new TrainingRecordRefused(`${d.docId} has no approved version ${d.version}.`, "documents");
      }
    }
    if (s.courseId && !(await tx.get("SELECT 1 FROM training_courses WHERE id = ?", [s.courseId])))
      throw new TrainingRecordRefused(`There is no course ${s.courseId}.`, "courseId");
    for (const a of s.attendees) {
      if (!(await tx.get("SELECT 1 FROM users WHERE id = ? AND active = 1", [a.userId])))
        throw new TrainingRecordRefused("An attendee is not an active user.", "attendees");
    }
    const text = sessionRecordText({ ...s, trainer: trainer.username });
    const contentHash = sha256(text);
    const signatureId = await recordSignature(tx, {
      crId: null,
      docId: TRAINING_RECORD_FORM,
      version: null,
      signer: trainer,
      meaning: "Training delivered",
      contentHash,
      commit: null,
      at,
    });
    const result = await tx.run(
      "INSERT INTO training_sessions (title, kind, held_on, duration_minutes, content, documents, trainer_id, recorded_at, content_hash, signature_id, course_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [
        s.title.trim(),
        s.kind,
        s.heldOn,
        s.durationMinutes,
        s.content.trim(),
        JSON.stringify(s.documents),
        trainer.userId,
        at.toISOString(),
        contentHash,
        signatureId,
        s.courseId ?? null,
      ],
    );
    for (const a of s.attendees) {
      await tx.run("INSERT INTO training_session_attendees (session_id, user_id, completed) VALUES (?, ?, ?)", [result.lastID, a.userId, a.completed ? 1 : 0]);
    }
    await recordAudit(
      tx,
      {
        userId: trainer.userId,
        username: trainer.username,
        clientAddress: trainer.clientAddress,
        action: "training.session.record",
        objectType: "training-session",
        objectId: String(result.lastID),
        newValues: { ...JSON.parse(text), signatureId, contentHash },
      },
      at,
    );
    return result.lastID;
  });
}

export interface SessionView {
  id: number;
  title: string;
  kind: SessionKind;
  heldOn: string;
  durationMinutes: number;
  content: string;
  documents: { docId: string; version: string }[];
  trainer: string;
  trainerName: string;
  recordedAt: string;
  contentHash: string;
  signatureId: number;
  /** The curriculum course the session delivered, if any. */
  course: string | null;
  attendees: { username: string; displayName: string; completed: boolean }[];
}

/** Sessions, newest first: all of them, or those a person delivered or attended. */
export async function listSessions(db: Queryable, userId?: string): Promise<SessionView[]> {
  const rows = await db.all<{
    id: number;
    title: string;
    kind: SessionKind;
    held_on: string;
    duration_minutes: number;
    content: string;
    documents: string;
    trainer: string;
    trainer_name: string;
    recorded_at: string;
    content_hash: string;
    signature_id: number;
    course: string | null;
  }>(
    `SELECT s.id, s.title, s.kind, s.held_on, s.duration_minutes, s.content, s.documents, t.username AS trainer, t.display_name AS trainer_name,
            s.recorded_at, s.content_hash, s.signature_id, c.title AS course
       FROM training_sessions s JOIN users t ON t.id = s.trainer_id LEFT JOIN training_courses c ON c.id = s.course_id
      ${userId ? "WHERE s.trainer_id = ? OR EXISTS (SELECT 1 FROM training_session_attendees a WHERE a.session_id = s.id AND a.user_id = ?)" : ""}
      ORDER BY s.held_on DESC, s.id DESC`,
    userId ? [userId, userId] : [],
  );
  const attendees = await db.all<{ session_id: number; username: string; display_name: string; completed: number }>(
    "SELECT a.session_id, u.username, u.display_name, a.completed FROM training_session_attendees a JOIN users u ON u.id = a.user_id ORDER BY u.username",
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    kind: r.kind,
    heldOn: r.held_on,
    durationMinutes: r.duration_minutes,
    content: r.content,
    documents: JSON.parse(r.documents) as { docId: string; version: string }[],
    trainer: r.trainer,
    trainerName: r.trainer_name,
    recordedAt: r.recorded_at,
    contentHash: r.content_hash,
    signatureId: r.signature_id,
    course: r.course,
    attendees: attendees.filter((a) => a.session_id === r.id).map((a) => ({ username: a.username, displayName: a.display_name, completed: a.completed === 1 })),
  }));
}

// Practical competence (SOP-TR-001 step 6).

export interface NewCompetence {
  traineeId: string;
  jobFunction: string;
  task: string;
  observedOn: string;
}

/** Whether a person has completed every curriculum item of a function (a "qualified" colleague may assess others). */
async function curriculumComplete(db: Queryable, userId: string, fn: string): Promise<boolean> {
  const open = await db.get<{ n: number }>(
    `SELECT count(*) AS n FROM training_assignments a WHERE a.user_id = ? AND a.status = 'open'
        AND EXISTS (SELECT 1 FROM document_versions v, json_each(v.frontmatter, '$.audience') j WHERE v.doc_id = a.doc_id AND v.version = a.version AND j.value = ?)`,
    [userId, fn],
  );
  return open!.n === 0;
}

export function competenceRecordText(c: NewCompetence & { trainee: string; assessor: string }): string {
  return JSON.stringify({
    form: TRAINING_RECORD_FORM,
    trainee: c.trainee,
    jobFunction: c.jobFunction,
    task: c.task,
    observedOn: c.observedOn,
    assessor: c.assessor,
  });
}

/** A qualified senior colleague signs "Competence assessed"; the sign-off then awaits the trainee's line manager. */
export async function assessCompetence(db: Database, assessor: VerifiedSigner, c: NewCompetence, today: string, at: Date): Promise<number> {
  if (!PRACTICAL_SIGNOFF_FUNCTIONS.includes(c.jobFunction)) {
    throw new TrainingRecordRefused(`SOP-TR-001 asks for a practical sign-off only for ${PRACTICAL_SIGNOFF_FUNCTIONS.join(", ")}.`, "jobFunction");
  }
  if (c.task.trim().length < 10) throw new TrainingRecordRefused("Describe the tasks observed (at least 10 characters).", "task");
  if (c.observedOn > today) throw new TrainingRecordRefused("The observation date is in the future.", "observedOn");
  if (c.traineeId === assessor.userId) throw new TrainingRecordRefused("Nobody assesses their own competence.", "traineeId");
  return db.transaction(async (tx) => {
    const trainee = await tx.get<{ username: string; manager_id: string | null }>("SELECT username, manager_id FROM users WHERE id = ? AND active = 1", [
      c.traineeId,
    ]);
    if (!trainee) throw new TrainingRecordRefused("The trainee is not an active user.", "traineeId");
    const holds = await tx.get("SELECT 1 FROM user_job_functions WHERE user_id = ? AND job_function_id = ?", [c.traineeId, c.jobFunction]);
    if (!holds) throw new TrainingRecordRefused(`${trainee.username} does not hold the job function ${c.jobFunction}.`, "jobFunction");
    const assessorHolds = await tx.get("SELECT 1 FROM user_job_functions WHERE user_id = ? AND job_function_id = ?", [assessor.userId, c.jobFunction]);
    if (!assessorHolds || !(await curriculumComplete(tx, assessor.userId, c.jobFunction))) {
      throw new TrainingRecordRefused(`Only a colleague qualified as ${c.jobFunction} (every curriculum item complete) can sign off this competence.`);
    }
    if (!trainee.manager_id)
      throw new TrainingRecordRefused(`${trainee.username} has no line manager recorded to approve the sign-off; an administrator sets one first.`);
    const text = competenceRecordText({ ...c, trainee: trainee.username, assessor: assessor.username });
    const contentHash = sha256(text);
    const signatureId = await recordSignature(tx, {
      crId: null,
      docId: TRAINING_RECORD_FORM,
      version: null,
      signer: assessor,
      meaning: "Competence assessed",
      contentHash,
      commit: null,
      at,
    });
    const result = await tx.run(
      "INSERT INTO competence_signoffs (user_id, job_function, task, observed_on, assessor_id, assessor_signature_id, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [c.traineeId, c.jobFunction, c.task.trim(), c.observedOn, assessor.userId, signatureId, contentHash],
    );
    await recordAudit(
      tx,
      {
        userId: assessor.userId,
        username: assessor.username,
        clientAddress: assessor.clientAddress,
        action: "training.competence.assess",
        objectType: "user",
        objectId: trainee.username,
        newValues: { signoff: result.lastID, ...JSON.parse(text), signatureId },
      },
      at,
    );
    return result.lastID;
  });
}

/** The trainee's line manager signs "Competence approved". */
export async function approveCompetence(db: Database, manager: VerifiedSigner, id: number, at: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await tx.get<{ user_id: string; username: string; manager_id: string | null; status: string; content_hash: string }>(
      "SELECT c.user_id, u.username, u.manager_id, c.status, c.content_hash FROM competence_signoffs c JOIN users u ON u.id = c.user_id WHERE c.id = ?",
      [id],
    );
    if (!row) throw new TrainingRecordRefused(`There is no competence sign-off ${id}.`);
    if (row.status !== "awaiting-approval") throw new TrainingRecordRefused(`Competence sign-off ${id} is already approved.`);
    if (row.manager_id !== manager.userId) throw new TrainingRecordRefused(`Only ${row.username}'s line manager approves this sign-off.`);
    const signatureId = await recordSignature(tx, {
      crId: null,
      docId: TRAINING_RECORD_FORM,
      version: null,
      signer: manager,
      meaning: "Competence approved",
      contentHash: row.content_hash,
      commit: null,
      at,
    });
    await tx.run(
      "UPDATE competence_signoffs SET status = 'approved', approver_id = ?, approver_signature_id = ?, approved_at = ? WHERE id = ? AND status = 'awaiting-approval'",
      [manager.userId, signatureId, at.toISOString(), id],
    );
    await recordAudit(
      tx,
      {
        userId: manager.userId,
        username: manager.username,
        clientAddress: manager.clientAddress,
        action: "training.competence.approve",
        objectType: "user",
        objectId: row.username,
        oldValues: { signoff: id, status: "awaiting-approval" },
        newValues: { status: "approved", signatureId },
      },
      at,
    );
  });
}

export interface CompetenceView {
  id: number;
  trainee: string;
  traineeName: string;
  jobFunction: string;
  task: string;
  observedOn: string;
  assessor: string;
  assessorName: string;
  status: "awaiting-approval" | "approved";
  approver: string | null;
  approvedAt: string | null;
  /** True when the viewer is the trainee's line manager and it awaits approval. */
  mine: boolean;
}

/** Competence sign-offs: one person's, or those awaiting a line manager's approval. */
export async function competenceSignoffs(db: Queryable, filter: { userId?: string; awaitingManager?: string }): Promise<CompetenceView[]> {
  const rows = await db.all<{
    id: number;
    trainee: string;
    trainee_name: string;
    manager_id: string | null;
    job_function: string;
    task: string;
    observed_on: string;
    assessor: string;
    assessor_name: string;
    status: CompetenceView["status"];
    approver: string | null;
    approved_at: string | null;
  }>(
    `SELECT c.id, u.username AS trainee, u.display_name AS trainee_name, u.manager_id, c.job_function, c.task, c.observed_on,
            a.username AS assessor, a.display_name AS assessor_name, c.status, m.username AS approver, c.approved_at
       FROM competence_signoffs c JOIN users u ON u.id = c.user_id JOIN users a ON a.id = c.assessor_id LEFT JOIN users m ON m.id = c.approver_id
      WHERE ${filter.userId ? "c.user_id = ?" : "c.status = 'awaiting-approval' AND u.manager_id = ?"}
      ORDER BY c.observed_on DESC, c.id DESC`,
    [filter.userId ?? filter.awaitingManager ?? ""],
  );
  return rows.map((r) => ({
    id: r.id,
    trainee: r.trainee,
    traineeName: r.trainee_name,
    jobFunction: r.job_function,
    task: r.task,
    observedOn: r.observed_on,
    assessor: r.assessor,
    assessorName: r.assessor_name,
    status: r.status,
    approver: r.approver,
    approvedAt: r.approved_at,
    mine: r.status === "awaiting-approval" && filter.awaitingManager !== undefined && r.manager_id === filter.awaitingManager,
  }));
}

/** The functions each person is practically signed off for (approved), for "Qualified". */
export async function approvedCompetence(db: Queryable): Promise<Map<string, Set<string>>> {
  const rows = await db.all<{ user_id: string; job_function: string }>(
    "SELECT DISTINCT user_id, job_function FROM competence_signoffs WHERE status = 'approved'",
  );
  const map = new Map<string, Set<string>>();
  for (const r of rows) map.set(r.user_id, (map.get(r.user_id) ?? new Set()).add(r.job_function));
  return map;
}
