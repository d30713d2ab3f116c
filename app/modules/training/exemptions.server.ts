// Exemptions for absence (SOP-TR-001 step 8): due dates falling in an approved absence, or within
// the training window after it, move to 10 working days after return. This module owns
// training_exemptions; due dates change through it, audited with their old values.

import type { Queryable, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import type { Actor } from "~/modules/users/actor";

import { addWorkingDays } from "./working-days";

/** Working days after return by which training falling due in an absence must be done. */
export const RETURN_WINDOW_WORKING_DAYS = 10;

export class ExemptionRefused extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export interface Exemption {
  id: number;
  userId: string;
  username: string;
  absentFrom: string;
  returnsOn: string;
  reason: string;
  status: "requested" | "approved" | "rejected";
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  /** The due dates an approval moved: assignment id, document, version, from, to. */
  moved: { assignmentId: number; docId: string; version: string; from: string; to: string }[];
  newDueOn: string;
}

interface ExemptionRow {
  id: number;
  user_id: string;
  username: string;
  absent_from: string;
  returns_on: string;
  reason: string;
  status: Exemption["status"];
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  moved: string | null;
}

const SELECT = `SELECT e.id, e.user_id, u.username, e.absent_from, e.returns_on, e.reason, e.status, r.username AS requested_by, e.requested_at,
       d.username AS decided_by, e.decided_at, e.decision_note, e.moved
  FROM training_exemptions e JOIN users u ON u.id = e.user_id JOIN users r ON r.id = e.requested_by LEFT JOIN users d ON d.id = e.decided_by`;

function toExemption(r: ExemptionRow): Exemption {
  return {
    id: r.id,
    userId: r.user_id,
    username: r.username,
    absentFrom: r.absent_from,
    returnsOn: r.returns_on,
    reason: r.reason,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    moved: r.moved ? (JSON.parse(r.moved) as Exemption["moved"]) : [],
    newDueOn: addWorkingDays(r.returns_on, RETURN_WINDOW_WORKING_DAYS),
  };
}

export async function exemptionsOf(db: Queryable, userId: string): Promise<Exemption[]> {
  return (await db.all<ExemptionRow>(`${SELECT} WHERE e.user_id = ? ORDER BY e.absent_from DESC, e.id DESC`, [userId])).map(toExemption);
}

export async function pendingExemptions(db: Queryable): Promise<Exemption[]> {
  return (await db.all<ExemptionRow>(`${SELECT} WHERE e.status = 'requested' ORDER BY e.requested_at`)).map(toExemption);
}

/** A training coordinator records an absence for a quality manager to approve. */
export async function requestExemption(
  tx: Tx,
  input: { person: { id: string; username: string }; absentFrom: string; returnsOn: string; reason: string },
  by: Actor & { userId: string },
  at: Date,
): Promise<number> {
  if (input.returnsOn <= input.absentFrom) throw new ExemptionRefused("The return date must be after the first day of absence.", "returnsOn");
  if (input.reason.trim().length < 5) throw new ExemptionRefused("Say why the person is absent (at least 5 characters).", "absenceReason");
  if (by.userId === input.person.id) throw new ExemptionRefused("You cannot record an exemption for yourself.");
  const overlapping = await tx.get<{ id: number }>(
    "SELECT id FROM training_exemptions WHERE user_id = ? AND status <> 'rejected' AND absent_from < ? AND returns_on > ?",
    [input.person.id, input.returnsOn, input.absentFrom],
  );
  if (overlapping) throw new ExemptionRefused(`This absence overlaps exemption ${overlapping.id} already recorded for ${input.person.username}.`);
  const result = await tx.run(
    "INSERT INTO training_exemptions (user_id, absent_from, returns_on, reason, requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?)",
    [input.person.id, input.absentFrom, input.returnsOn, input.reason.trim(), by.userId, at.toISOString()],
  );
  await recordAudit(
    tx,
    {
      ...by,
      action: "training.exemption.request",
      objectType: "user",
      objectId: input.person.username,
      newValues: { exemption: result.lastID, absentFrom: input.absentFrom, returnsOn: input.returnsOn },
      reason: input.reason.trim(),
    },
    at,
  );
  return result.lastID;
}

/**
 * A quality manager decides. Approval moves every open assignment of the person due before the
 * new due date (10 working days after return) to that date, and keeps what it moved.
 */
export async function decideExemption(
  tx: Tx,
  id: number,
  decision: "approved" | "rejected",
  note: string,
  by: Actor & { userId: string },
  at: Date,
): Promise<Exemption> {
  const row = await tx.get<ExemptionRow>(`${SELECT} WHERE e.id = ?`, [id]);
  if (!row) throw new ExemptionRefused(`There is no exemption ${id}.`);
  const e = toExemption(row);
  if (e.status !== "requested") throw new ExemptionRefused(`Exemption ${id} was already ${e.status}.`);
  if (e.userId === by.userId) throw new ExemptionRefused("You cannot decide an exemption for yourself.");
  const requester = await tx.get<{ requested_by: string }>("SELECT requested_by FROM training_exemptions WHERE id = ?", [id]);
  if (requester?.requested_by === by.userId) throw new ExemptionRefused("The person who recorded the absence cannot also approve it (segregation of duties).");
  if (decision === "rejected" && note.trim().length < 5) throw new ExemptionRefused("Say why the exemption is rejected (at least 5 characters).", "note");
  let moved: Exemption["moved"] = [];
  if (decision === "approved") {
    const open = await tx.all<{ id: number; doc_id: string; version: string; due_on: string }>(
      "SELECT id, doc_id, version, due_on FROM training_assignments WHERE user_id = ? AND status = 'open' AND due_on >= ? AND due_on < ? ORDER BY id",
      [e.userId, e.absentFrom, e.newDueOn],
    );
    moved = open.map((a) => ({ assignmentId: a.id, docId: a.doc_id, version: a.version, from: a.due_on, to: e.newDueOn }));
    if (open.length > 0) {
      await tx.run(`UPDATE training_assignments SET due_on = ? WHERE id IN (${open.map(() => "?").join(", ")})`, [e.newDueOn, ...open.map((a) => a.id)]);
    }
  }
  await tx.run("UPDATE training_exemptions SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?, moved = ? WHERE id = ?", [
    decision,
    by.userId,
    at.toISOString(),
    note.trim() || null,
    JSON.stringify(moved),
    id,
  ]);
  await recordAudit(
    tx,
    {
      ...by,
      action: decision === "approved" ? "training.exemption.approve" : "training.exemption.reject",
      objectType: "user",
      objectId: e.username,
      oldValues: { exemption: id, status: "requested", due: moved.map((m) => `${m.docId} v${m.version} ${m.from}`) },
      newValues: { status: decision, newDueOn: decision === "approved" ? e.newDueOn : null, moved: moved.length },
      reason: note.trim() || null,
    },
    at,
  );
  return { ...e, status: decision, moved };
}

/** The due date to give a new assignment of a person with an approved absence covering `dueOn` (or `dueOn` itself). */
export async function dueDateAfterAbsence(db: Queryable, userId: string, dueOn: string): Promise<string> {
  const e = await db.get<{ returns_on: string; absent_from: string }>(
    "SELECT absent_from, returns_on FROM training_exemptions WHERE user_id = ? AND status = 'approved' AND absent_from <= ? ORDER BY returns_on DESC LIMIT 1",
    [userId, dueOn],
  );
  if (!e) return dueOn;
  const after = addWorkingDays(e.returns_on, RETURN_WINDOW_WORKING_DAYS);
  return dueOn < after ? after : dueOn;
}

/** After new assignments on a version: those of people on an approved absence move to 10 working days after return. */
export async function moveDueDatesForAbsence(tx: Tx, docId: string, version: string): Promise<number> {
  const rows = await tx.all<{ id: number; due_on: string; returns_on: string }>(
    `SELECT a.id, a.due_on, max(e.returns_on) AS returns_on FROM training_assignments a
       JOIN training_exemptions e ON e.user_id = a.user_id AND e.status = 'approved' AND e.absent_from <= a.due_on
      WHERE a.doc_id = ? AND a.version = ? AND a.status = 'open' GROUP BY a.id`,
    [docId, version],
  );
  let moved = 0;
  for (const r of rows) {
    const after = addWorkingDays(r.returns_on, RETURN_WINDOW_WORKING_DAYS);
    if (r.due_on >= after) continue;
    await tx.run("UPDATE training_assignments SET due_on = ? WHERE id = ?", [after, r.id]);
    moved++;
  }
  return moved;
}
