// Training assignments and notices (SOP-TR-001). This module owns training_assignments and
// training_notices; every change to them is written here, with its audit row, inside the caller's
// transaction, so an assignment and what caused it (an approval, a new job function) commit together.

import type { Queryable, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import type { Actor } from "~/modules/users/actor";

import { moveDueDatesForAbsence } from "./exemptions.server";
import type { Assignment, AssignmentCause, AssignmentStatus } from "./training";

interface AssignmentRow {
  id: number;
  user_id: string;
  doc_id: string;
  version: string;
  title: string;
  cause: AssignmentCause;
  cause_ref: string | null;
  assigned_at: string;
  due_on: string;
  status: AssignmentStatus;
  closed_at: string | null;
  signature_id: number | null;
}

const SELECT = `SELECT a.id, a.user_id, a.doc_id, a.version, v.title, a.cause, a.cause_ref, a.assigned_at, a.due_on, a.status, a.closed_at, a.signature_id
  FROM training_assignments a JOIN document_versions v ON v.doc_id = a.doc_id AND v.version = a.version`;

function toAssignment(r: AssignmentRow): Assignment {
  return {
    id: r.id,
    userId: r.user_id,
    docId: r.doc_id,
    version: r.version,
    title: r.title,
    cause: r.cause,
    causeRef: r.cause_ref,
    assignedAt: r.assigned_at,
    dueOn: r.due_on,
    status: r.status,
    closedAt: r.closed_at,
    signatureId: r.signature_id,
  };
}

export async function getAssignment(db: Queryable, id: number): Promise<Assignment | null> {
  const row = await db.get<AssignmentRow>(`${SELECT} WHERE a.id = ?`, [id]);
  return row ? toAssignment(row) : null;
}

/** One person's assignments: open ones by due date first, then closed ones, newest first. */
export async function assignmentsOf(db: Queryable, userId: string): Promise<Assignment[]> {
  const rows = await db.all<AssignmentRow>(
    `${SELECT} WHERE a.user_id = ? ORDER BY a.status <> 'open', CASE WHEN a.status = 'open' THEN a.due_on END, CASE WHEN a.status = 'open' THEN a.doc_id END, coalesce(a.closed_at, a.assigned_at) DESC, a.id DESC`,
    [userId],
  );
  return rows.map(toAssignment);
}

/** Every assignment on one version (who must be trained on it, who is). */
export async function assignmentsOfVersion(db: Queryable, docId: string, version: string): Promise<Assignment[]> {
  return (await db.all<AssignmentRow>(`${SELECT} WHERE a.doc_id = ? AND a.version = ? ORDER BY a.id`, [docId, version])).map(toAssignment);
}

/** Who is assigned and how, as the audit trail names them. */
export interface Assignee {
  id: string;
  username: string;
}

export interface NewAssignments {
  docId: string;
  version: string;
  dueOn: string;
  cause: AssignmentCause;
  causeRef: string | null;
  people: readonly Assignee[];
  actor: Actor;
  at: Date;
  /** The due date to keep for someone whose open assignment on an earlier version this replaces. */
  keepEarlierDueDate?: boolean;
}

const BATCH = 400;

/**
 * Assigns read-and-understood training on one version to each person who has no live assignment on
 * it yet. An open assignment of the same person on an earlier version of the document is closed as
 * superseded and points at the new one. One audit row names everyone assigned.
 */
export async function assignVersion(tx: Tx, a: NewAssignments): Promise<{ assigned: string[]; superseded: number }> {
  if (a.people.length === 0) return { assigned: [], superseded: 0 };
  const stamp = a.at.toISOString();
  const live = new Set(
    (
      await tx.all<{ user_id: string }>("SELECT user_id FROM training_assignments WHERE doc_id = ? AND version = ? AND status IN ('open', 'completed')", [
        a.docId,
        a.version,
      ])
    ).map((r) => r.user_id),
  );
  const earlierDue = new Map<string, string>();
  if (a.keepEarlierDueDate) {
    const rows = await tx.all<{ user_id: string; due_on: string }>(
      "SELECT user_id, due_on FROM training_assignments WHERE doc_id = ? AND version <> ? AND status = 'open'",
      [a.docId, a.version],
    );
    for (const r of rows) earlierDue.set(r.user_id, r.due_on);
  }
  const people = a.people.filter((p) => !live.has(p.id));
  for (let i = 0; i < people.length; i += BATCH) {
    const chunk = people.slice(i, i + BATCH);
    await tx.run(
      `INSERT INTO training_assignments (user_id, doc_id, version, cause, cause_ref, assigned_at, due_on) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
      chunk.flatMap((p) => [p.id, a.docId, a.version, a.cause, a.causeRef, stamp, earlierDue.get(p.id) ?? a.dueOn]),
    );
  }
  const superseded = await tx.run(
    `UPDATE training_assignments AS old SET status = 'superseded', closed_at = ?,
            replaced_by = (SELECT n.id FROM training_assignments n WHERE n.user_id = old.user_id AND n.doc_id = old.doc_id AND n.version = ? AND n.status = 'open')
      WHERE old.doc_id = ? AND old.version <> ? AND old.status = 'open'
        AND EXISTS (SELECT 1 FROM training_assignments n WHERE n.user_id = old.user_id AND n.doc_id = old.doc_id AND n.version = ? AND n.status = 'open')`,
    [stamp, a.version, a.docId, a.version, a.version],
  );
  // Someone on an approved absence has until 10 working days after return (SOP-TR-001 step 8).
  const movedForAbsence = people.length > 0 ? await moveDueDatesForAbsence(tx, a.docId, a.version) : 0;
  if (people.length > 0 || superseded.changes > 0) {
    await recordAudit(
      tx,
      {
        ...a.actor,
        action: "training.assign",
        objectType: "document-version",
        objectId: `${a.docId} v${a.version}`,
        newValues: {
          cause: a.cause,
          causeRef: a.causeRef,
          dueOn: a.dueOn,
          assigned: people.map((p) => p.username),
          superseded: superseded.changes,
          ...(movedForAbsence > 0 ? { dueAfterAbsence: movedForAbsence } : {}),
        },
      },
      a.at,
    );
  }
  return { assigned: people.map((p) => p.username), superseded: superseded.changes };
}

/**
 * Closes the open assignments of one person as cancelled (deactivated, or no longer in the
 * audience of the document): all of them, or those on the given documents.
 */
export async function cancelOpenAssignments(tx: Tx, person: Assignee, docIds: readonly string[] | "all", why: string, actor: Actor, at: Date): Promise<number> {
  if (docIds !== "all" && docIds.length === 0) return 0;
  const open = await tx.all<{ id: number; doc_id: string; version: string }>(
    `SELECT id, doc_id, version FROM training_assignments WHERE user_id = ? AND status = 'open'${
      docIds === "all" ? "" : ` AND doc_id IN (${docIds.map(() => "?").join(", ")})`
    } ORDER BY id`,
    docIds === "all" ? [person.id] : [person.id, ...docIds],
  );
  if (open.length === 0) return 0;
  await tx.run(`UPDATE training_assignments SET status = 'cancelled', closed_at = ? WHERE id IN (${open.map(() => "?").join(", ")})`, [
    at.toISOString(),
    ...open.map((o) => o.id),
  ]);
  await recordAudit(
    tx,
    {
      ...actor,
      action: "training.cancel",
      objectType: "user",
      objectId: person.username,
      oldValues: { open: open.map((o) => `${o.doc_id} v${o.version}`) },
      newValues: { status: "cancelled" },
      reason: why,
    },
    at,
  );
  return open.length;
}

/** Marks an open assignment completed by a read-and-understood signature (the caller records the signature). */
export async function completeAssignment(tx: Tx, assignment: Assignment, signatureId: number, actor: Actor, at: Date): Promise<void> {
  const done = await tx.run("UPDATE training_assignments SET status = 'completed', closed_at = ?, signature_id = ? WHERE id = ? AND status = 'open'", [
    at.toISOString(),
    signatureId,
    assignment.id,
  ]);
  if (done.changes !== 1) throw new Error(`assignment ${assignment.id} is no longer open`);
  await recordAudit(
    tx,
    {
      ...actor,
      action: "training.complete",
      objectType: "training-assignment",
      objectId: String(assignment.id),
      oldValues: { status: "open" },
      newValues: { status: "completed", docId: assignment.docId, version: assignment.version, signatureId, dueOn: assignment.dueOn },
    },
    at,
  );
}

export interface Notice {
  id: number;
  kind: string;
  docId: string | null;
  version: string | null;
  message: string;
  createdAt: string;
  readAt: string | null;
}

/** Tells each person something without asking them to train (a minor revision that needs no retraining). */
export async function notifyPeople(
  tx: Tx,
  n: { kind: string; docId: string; version: string; message: string; people: readonly Assignee[]; actor: Actor; at: Date },
): Promise<void> {
  if (n.people.length === 0) return;
  await insertNotices(
    tx,
    n.people.map((p) => ({ userId: p.id, kind: n.kind, docId: n.docId, version: n.version, message: n.message })),
    n.at,
  );
  await recordAudit(
    tx,
    {
      ...n.actor,
      action: "training.notify",
      objectType: "document-version",
      objectId: `${n.docId} v${n.version}`,
      newValues: { kind: n.kind, message: n.message, notified: n.people.map((p) => p.username) },
    },
    n.at,
  );
}

/** The person has seen their notices (question 12: how the people affected found out): recorded with the time. */
export async function markNoticesRead(tx: Tx, person: Assignee, actor: Actor, at: Date): Promise<number> {
  const unread = await tx.all<{ id: number; doc_id: string | null; version: string | null }>(
    "SELECT id, doc_id, version FROM training_notices WHERE user_id = ? AND read_at IS NULL ORDER BY id",
    [person.id],
  );
  if (unread.length === 0) return 0;
  await tx.run(`UPDATE training_notices SET read_at = ? WHERE id IN (${unread.map(() => "?").join(", ")})`, [at.toISOString(), ...unread.map((n) => n.id)]);
  await recordAudit(
    tx,
    {
      ...actor,
      action: "training.notice.read",
      objectType: "user",
      objectId: person.username,
      newValues: { notices: unread.map((n) => (n.doc_id ? `${n.id} ${n.doc_id} v${n.version ?? ""}` : String(n.id))) },
    },
    at,
  );
  return unread.length;
}

export interface NewNotice {
  userId: string;
  kind: string;
  docId: string | null;
  version: string | null;
  message: string;
}

/**
 * Writes in-app notices without an audit row of their own: for callers whose one audit row covers
 * them (notifyPeople, a reminder run).
 */
export async function insertNotices(tx: Tx, notices: readonly NewNotice[], at: Date): Promise<void> {
  const stamp = at.toISOString();
  for (let i = 0; i < notices.length; i += BATCH) {
    const chunk = notices.slice(i, i + BATCH);
    await tx.run(
      `INSERT INTO training_notices (user_id, kind, doc_id, version, message, created_at) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}`,
      chunk.flatMap((n) => [n.userId, n.kind, n.docId, n.version, n.message, stamp]),
    );
  }
}

/** Every open assignment, by due date. */
export async function openAssignments(db: Queryable): Promise<Assignment[]> {
  return (await db.all<AssignmentRow>(`${SELECT} WHERE a.status = 'open' ORDER BY a.due_on, a.doc_id, a.id`)).map(toAssignment);
}

/** A person's notices, unread first, newest first. */
export async function noticesOf(db: Queryable, userId: string, limit = 20): Promise<Notice[]> {
  const rows = await db.all<{
    id: number;
    kind: string;
    doc_id: string | null;
    version: string | null;
    message: string;
    created_at: string;
    read_at: string | null;
  }>(
    "SELECT id, kind, doc_id, version, message, created_at, read_at FROM training_notices WHERE user_id = ? ORDER BY read_at IS NOT NULL, created_at DESC, id DESC LIMIT ?",
    [userId, limit],
  );
  return rows.map((r) => ({ id: r.id, kind: r.kind, docId: r.doc_id, version: r.version, message: r.message, createdAt: r.created_at, readAt: r.read_at }));
}

/** The document ids a person has open assignments on. */
export async function openAssignmentDocs(db: Queryable, userId: string): Promise<string[]> {
  return (await db.all<{ doc_id: string }>("SELECT DISTINCT doc_id FROM training_assignments WHERE user_id = ? AND status = 'open'", [userId])).map(
    (r) => r.doc_id,
  );
}
