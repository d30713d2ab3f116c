// The register of actions and CAPAs (SOP-KP-001, "Record and follow up": "Each action has an owner and
// a due date, and is tracked in Quire until closed"; SOP-CA-001, the CAPA register). The actions module
// owns actions and action_change_requests (migration 026). A register of work, not a signed record:
// each change is an audited update with its reason, in the transaction that makes it; closing, with
// its evidence, is final (the table's trigger refuses any later change).
import type { Database, Queryable, Tx } from "~/db/db.server";
import type { AuditRow } from "~/modules/audit/audit";
import { eventsAbout, recordAudit } from "~/modules/audit/audit.server";
import { changeRequestTitle } from "~/modules/change-control/open-requests.server";
import type { Actor } from "~/modules/users/actor";
import { permissionsOf } from "~/modules/users/permissions";
import { getUser, listUsers } from "~/modules/users/users.server";

import {
  actionId,
  dueDateProblem,
  isOverdue,
  kpiSourceRef,
  shownStatus,
  type ActionFilter,
  type ActionKind,
  type ActionSource,
  type ActionStatus,
  type ShownStatus,
} from "./actions";

/** A refusal with a message for people (and the form field it concerns): nothing was written. */
export class ActionRefused extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** Someone acting on the register: a signed-in person (scheduled runs do not create actions). */
export type ActionActor = Actor & { userId: string; username: string };

export interface ActionItem {
  id: string;
  kind: ActionKind;
  source: ActionSource;
  sourceRef: string;
  kpiId: string | null;
  kpiPeriod: string | null;
  description: string;
  ownerId: string;
  ownerUsername: string;
  ownerName: string;
  dueOn: string;
  status: ActionStatus;
  /** Derived on the day: open and due before it. */
  overdue: boolean;
  shownStatus: ShownStatus;
  closureEvidence: string | null;
  closedBy: string | null;
  closedByName: string | null;
  closedAt: string | null;
  createdBy: string;
  createdByName: string;
  createdAt: string;
  changeRequests: string[];
}

interface ActionRow {
  id: string;
  kind: ActionKind;
  source: ActionSource;
  source_ref: string;
  kpi_id: string | null;
  kpi_period: string | null;
  description: string;
  owner_id: string;
  owner_username: string;
  owner_name: string;
  due_on: string;
  status: ActionStatus;
  closure_evidence: string | null;
  closed_by: string | null;
  closed_by_name: string | null;
  closed_at: string | null;
  created_by: string;
  created_by_name: string;
  created_at: string;
  change_requests: string | null;
}

const SELECT = `SELECT a.id, a.kind, a.source, a.source_ref, a.kpi_id, a.kpi_period, a.description, a.owner_id,
       o.username AS owner_username, o.display_name AS owner_name, a.due_on, a.status, a.closure_evidence,
       a.closed_by, c.display_name AS closed_by_name, a.closed_at, a.created_by, m.display_name AS created_by_name, a.created_at,
       (SELECT group_concat(cr_id, ' ') FROM (SELECT cr_id FROM action_change_requests l WHERE l.action_id = a.id ORDER BY cr_id)) AS change_requests
  FROM actions a
  JOIN users o ON o.id = a.owner_id
  JOIN users m ON m.id = a.created_by
  LEFT JOIN users c ON c.id = a.closed_by`;

function toItem(r: ActionRow, today: string): ActionItem {
  const state = { status: r.status, dueOn: r.due_on };
  return {
    id: r.id,
    kind: r.kind,
    source: r.source,
    sourceRef: r.source_ref,
    kpiId: r.kpi_id,
    kpiPeriod: r.kpi_period,
    description: r.description,
    ownerId: r.owner_id,
    ownerUsername: r.owner_username,
    ownerName: r.owner_name,
    dueOn: r.due_on,
    status: r.status,
    overdue: isOverdue(state, today),
    shownStatus: shownStatus(state, today),
    closureEvidence: r.closure_evidence,
    closedBy: r.closed_by,
    closedByName: r.closed_by_name,
    closedAt: r.closed_at,
    createdBy: r.created_by,
    createdByName: r.created_by_name,
    createdAt: r.created_at,
    changeRequests: r.change_requests ? r.change_requests.split(" ") : [],
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function getAction(db: Queryable, id: string, today: string): Promise<ActionItem | null> {
  const row = await db.get<ActionRow>(`${SELECT} WHERE a.id = ?`, [id]);
  return row ? toItem(row, today) : null;
}

/** The register for the filters, most urgent first: open items by due date, then closed ones, newest first. */
export async function listActions(db: Queryable, filter: ActionFilter, today: string): Promise<ActionItem[]> {
  const where: string[] = [];
  const params: string[] = [];
  function when(condition: string, ...values: string[]): void {
    where.push(condition);
    params.push(...values);
  }
  if (filter.kind) when("a.kind = ?", filter.kind);
  if (filter.source) when("a.source = ?", filter.source);
  if (filter.owner) when("o.username = ?", filter.owner);
  if (filter.status === "closed") when("a.status = 'closed'");
  if (filter.status === "open") when("a.status = 'open' AND a.due_on >= ?", today);
  if (filter.status === "overdue") when("a.status = 'open' AND a.due_on < ?", today);
  const rows = await db.all<ActionRow>(
    `${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY a.status = 'closed', CASE WHEN a.status = 'open' THEN a.due_on END, a.closed_at DESC, a.kind, a.seq`,
    params,
  );
  return rows.map((r) => toItem(r, today));
}

export interface OpenActionsSummary {
  action: { open: number; overdue: number };
  capa: { open: number; overdue: number };
}

/** Open items (overdue ones included in `open`) and overdue ones, by kind: what the dashboard and register head show. */
export async function openActionsSummary(db: Queryable, today: string): Promise<OpenActionsSummary> {
  const rows = await db.all<{ kind: ActionKind; open: number; overdue: number }>(
    "SELECT kind, count(*) AS open, sum(CASE WHEN due_on < ? THEN 1 ELSE 0 END) AS overdue FROM actions WHERE status = 'open' GROUP BY kind",
    [today],
  );
  const summary: OpenActionsSummary = { action: { open: 0, overdue: 0 }, capa: { open: 0, overdue: 0 } };
  for (const r of rows) summary[r.kind] = { open: r.open, overdue: r.overdue };
  return summary;
}

/** Every item raised for a KPI, whatever the month, oldest month first. */
export async function actionsForKpi(db: Queryable, kpiId: string, today: string): Promise<ActionItem[]> {
  const rows = await db.all<ActionRow>(`${SELECT} WHERE a.kpi_id = ? ORDER BY a.kpi_period, a.kind, a.seq`, [kpiId]);
  return rows.map((r) => toItem(r, today));
}

/** The item's audit history, oldest first: creation, each edit with its reason, links and the close. */
export async function actionHistory(db: Queryable, id: string): Promise<AuditRow[]> {
  return eventsAbout(db, "action", id);
}

/** People an item may be given to: active accounts, by name. */
export async function possibleOwners(db: Queryable): Promise<{ id: string; username: string; displayName: string }[]> {
  return (await listUsers(db))
    .filter((u) => u.active)
    .map((u) => ({ id: u.id, username: u.username, displayName: u.displayName }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Only an active holder of `actions.manage` changes the register (SOP-KP-001; Part 11 §11.10(d), (g)).
 * The pages check the permission through the session too; this holds for every caller.
 */
export async function assertMayManageActions(db: Queryable, userId: string): Promise<void> {
  const user = await getUser(db, userId);
  if (!user || !user.active) throw new ActionRefused("This account is not active, so it cannot change the register of actions.");
  if (!permissionsOf(user.roles).has("actions.manage"))
    throw new ActionRefused(`${user.username} does not have the permission actions.manage needed to change the register of actions.`);
}

async function assertOwner(db: Queryable, ownerId: string): Promise<void> {
  const owner = await getUser(db, ownerId);
  if (!owner) throw new ActionRefused("Choose the owner from the list of people.", "ownerId");
  if (!owner.active) throw new ActionRefused(`${owner.displayName} (${owner.username}) is not active: choose an active person as owner.`, "ownerId");
}

export interface NewAction {
  kind: ActionKind;
  source: ActionSource;
  /** Free text; for a KPI item it is made from kpiId and period. */
  sourceRef: string;
  kpiId: string | null;
  period: string | null;
  description: string;
  ownerId: string;
  dueOn: string;
}

/** Checks what can be checked before the transaction: the due date and the owner. */
export async function checkNewAction(db: Queryable, input: NewAction, today: string): Promise<void> {
  const due = dueDateProblem(input.dueOn, today);
  if (due) throw new ActionRefused(due, "dueOn");
  if (input.description.trim() === "") throw new ActionRefused("Give the description.", "description");
  if (input.source === "kpi" ? !input.kpiId || !input.period : input.sourceRef.trim() === "")
    throw new ActionRefused("Give the source reference.", input.source === "kpi" ? "kpiId" : "sourceRef");
  await assertOwner(db, input.ownerId);
}

/**
 * Writes one item inside the caller's transaction: numbered here (the next of its kind), so two
 * items created at once never share a number (transactions run one at a time). Audited.
 */
export async function insertAction(tx: Tx, actor: ActionActor, input: NewAction, at: Date, reason: string | null = null): Promise<string> {
  const last = await tx.get<{ seq: number | null }>("SELECT max(seq) AS seq FROM actions WHERE kind = ?", [input.kind]);
  const seq = (last?.seq ?? 0) + 1;
  const id = actionId(input.kind, seq);
  const isKpi = input.source === "kpi";
  const sourceRef = isKpi ? kpiSourceRef(input.kpiId!, input.period!) : input.sourceRef.trim();
  const values = {
    kind: input.kind,
    source: input.source,
    sourceRef,
    kpiId: isKpi ? input.kpiId : null,
    kpiPeriod: isKpi ? input.period : null,
    description: input.description.trim(),
    ownerId: input.ownerId,
    dueOn: input.dueOn,
    status: "open" as const,
  };
  await tx.run(
    `INSERT INTO actions (id, kind, seq, source, source_ref, kpi_id, kpi_period, description, owner_id, due_on, status, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
    [
      id,
      values.kind,
      seq,
      values.source,
      sourceRef,
      values.kpiId,
      values.kpiPeriod,
      values.description,
      values.ownerId,
      values.dueOn,
      actor.userId,
      at.toISOString(),
    ],
  );
  await recordAudit(tx, { ...actor, action: "action.create", objectType: "action", objectId: id, newValues: values, reason }, at);
  return id;
}

/** Records a new action or CAPA in the register (SOP-CA-001 "Initiate the CAPA": its source and a clear statement, an owner). */
export async function createAction(db: Database, actor: ActionActor, input: NewAction, today: string, at: Date): Promise<string> {
  await assertMayManageActions(db, actor.userId);
  await checkNewAction(db, input, today);
  return db.transaction((tx) => insertAction(tx, actor, input, at));
}

export interface ActionChanges {
  description: string;
  ownerId: string;
  dueOn: string;
}

/**
 * Changes an open item's description, owner or due date, with the reason kept in its audit row
 * (SOP-CA-001 "Implement the actions": an extension has a reason and a new date). Returns false
 * when nothing changed (nothing is written).
 */
export async function updateAction(
  db: Database,
  actor: ActionActor,
  id: string,
  changes: ActionChanges,
  reason: string,
  today: string,
  at: Date,
): Promise<boolean> {
  await assertMayManageActions(db, actor.userId);
  if (reason.trim() === "") throw new ActionRefused("Give the reason for the change.", "reason");
  const before = await getAction(db, id, today);
  if (!before) throw new ActionRefused(`There is no action or CAPA ${id}.`);
  if (before.status === "closed") throw new ActionRefused(`${id} was closed on ${before.closedAt?.slice(0, 10)}: a closed item is final.`);
  const next = { description: changes.description.trim(), ownerId: changes.ownerId, dueOn: changes.dueOn };
  if (next.dueOn !== before.dueOn) {
    const due = dueDateProblem(next.dueOn, today);
    if (due) throw new ActionRefused(due, "dueOn");
  }
  if (next.description === "") throw new ActionRefused("Give the description.", "description");
  if (next.ownerId !== before.ownerId) await assertOwner(db, next.ownerId);
  const old: Partial<ActionChanges> = {};
  const changed: Partial<ActionChanges> = {};
  for (const key of ["description", "ownerId", "dueOn"] as const) {
    if (next[key] !== before[key]) {
      old[key] = before[key];
      changed[key] = next[key];
    }
  }
  if (Object.keys(changed).length === 0) return false;
  await db.transaction(async (tx) => {
    const result = await tx.run("UPDATE actions SET description = ?, owner_id = ?, due_on = ? WHERE id = ? AND status = 'open'", [
      next.description,
      next.ownerId,
      next.dueOn,
      id,
    ]);
    if (result.changes !== 1) throw new ActionRefused(`${id} was closed meanwhile: a closed item is final.`);
    await recordAudit(
      tx,
      { ...actor, action: "action.update", objectType: "action", objectId: id, oldValues: old, newValues: changed, reason: reason.trim() },
      at,
    );
  });
  return true;
}

/** Closes an item with the evidence of its completion (SOP-CA-001 "Implement the actions"). Final. */
export async function closeAction(db: Database, actor: ActionActor, id: string, evidence: string, today: string, at: Date): Promise<void> {
  await assertMayManageActions(db, actor.userId);
  const text = evidence.trim();
  if (text === "") throw new ActionRefused("Give the evidence of completion: an item is closed only with it.", "evidence");
  const before = await getAction(db, id, today);
  if (!before) throw new ActionRefused(`There is no action or CAPA ${id}.`);
  if (before.status === "closed") throw new ActionRefused(`${id} was already closed on ${before.closedAt?.slice(0, 10)}: closing is final.`);
  await db.transaction(async (tx) => {
    const result = await tx.run("UPDATE actions SET status = 'closed', closure_evidence = ?, closed_by = ?, closed_at = ? WHERE id = ? AND status = 'open'", [
      text,
      actor.userId,
      at.toISOString(),
      id,
    ]);
    if (result.changes !== 1) throw new ActionRefused(`${id} was already closed: closing is final.`);
    await recordAudit(
      tx,
      {
        ...actor,
        action: "action.close",
        objectType: "action",
        objectId: id,
        oldValues: { status: before.shownStatus },
        newValues: { status: "closed", evidence: text },
        reason: text,
      },
      at,
    );
  });
}

/** Links a change request the item led to (the request must exist). Kept as made; linking twice is refused. */
export async function linkChangeRequest(db: Database, actor: ActionActor, id: string, crId: string, today: string, at: Date): Promise<void> {
  await assertMayManageActions(db, actor.userId);
  const item = await getAction(db, id, today);
  if (!item) throw new ActionRefused(`There is no action or CAPA ${id}.`);
  await db.transaction(async (tx) => {
    const title = await changeRequestTitle(tx, crId);
    if (title === null) throw new ActionRefused(`There is no change request ${crId}.`, "crId");
    if (await tx.get("SELECT 1 FROM action_change_requests WHERE action_id = ? AND cr_id = ?", [id, crId]))
      throw new ActionRefused(`${crId} is already linked to ${id}.`, "crId");
    await tx.run("INSERT INTO action_change_requests (action_id, cr_id, linked_by, linked_at) VALUES (?, ?, ?, ?)", [id, crId, actor.userId, at.toISOString()]);
    await recordAudit(tx, { ...actor, action: "action.link-change", objectType: "action", objectId: id, newValues: { crId, title } }, at);
  });
}

/** Taking a copy of the register (the CSV) is audited as an export. */
export async function recordActionsExport(db: Database, actor: Actor, filter: ActionFilter, rows: number, at: Date): Promise<void> {
  await db.transaction((tx) =>
    recordAudit(tx, { ...actor, action: "actions.export", objectType: "action-register", objectId: null, newValues: { ...filter, format: "csv", rows } }, at),
  );
}
