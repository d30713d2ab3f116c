// Red KPIs (SOP-KP-001, "Act on red KPIs"): "For every red KPI, the owner records within 10 working
// days an analysis of the cause and the actions planned. Where the cause is systemic or the KPI has
// been red for 2 consecutive months, the quality manager opens a CAPA under SOP-CA-001."
// The analysis is a signed record (kpi_analyses, migration 026; "Cause analysis", Part 11 §11.50,
// §11.70, §11.200(a)) written with the actions it plans, in one transaction; never updated or deleted.
// KPI definitions are passed in ({ id, name, owner }): this module does not read the catalogue.
import { isoDate, now } from "~/clock.server";
import type { DataFolder } from "~/data-folder.server";
import type { Database, Queryable } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { sha256 } from "~/modules/content/hash";
import { isPeriod, periodOf } from "~/modules/kpi/kpi";
import { recordSignature, verifySigner, type VerifiedSigner } from "~/modules/signatures/signatures.server";
import type { CurrentUser } from "~/modules/users/auth.server";
import { permissionsOf } from "~/modules/users/permissions";
import { getUser } from "~/modules/users/users.server";

import { analysisDueOn, analysisRecordText, KPI_ID_PATTERN, type KpiRef, type PlannedAction } from "./actions";
import { ActionRefused, assertMayManageActions, checkNewAction, insertAction, type ActionActor, type NewAction } from "./actions.server";

export interface KpiAnalysisRequest {
  kpi: KpiRef;
  /** The red month, YYYY-MM. */
  period: string;
  cause: string;
  /** Actions planned, created in the register with the analysis. */
  actions: readonly PlannedAction[];
  /** Items already in the register (for the same KPI) that the analysis points to. */
  linkActionIds?: readonly string[];
  /** Re-entered to sign (Part 11 §11.200(a)(1)). */
  password: string;
  actor: Pick<CurrentUser, "username" | "clientAddress">;
}

export interface RecordedAnalysis {
  analysisId: number;
  /** The items created with it, in the order given. */
  actionIds: string[];
  dueOn: string;
  /** Recorded on or before the due date. */
  onTime: boolean;
}

export interface KpiAnalysis {
  id: number;
  kpiId: string;
  kpiName: string;
  ownerFunction: string;
  period: string;
  cause: string;
  dueOn: string;
  onTime: boolean;
  recordedBy: string;
  recordedByUsername: string;
  recordedByName: string;
  recordedAt: string;
  contentHash: string;
  signatureId: number;
  /** Items created with the analysis. */
  created: string[];
  /** Items already in the register that it points to. */
  linked: string[];
}

/**
 * Who records the analysis: the KPI's owner (a person holding its owner job function) or a quality
 * manager, with actions.manage, active, signing with their own password (not a temporary one).
 */
async function assertMayAnalyse(db: Queryable, signer: VerifiedSigner, kpi: KpiRef): Promise<void> {
  const user = await getUser(db, signer.userId);
  if (!user || !user.active) throw new ActionRefused("This account is not active, so it cannot record a cause analysis.");
  if (!permissionsOf(user.roles).has("actions.manage"))
    throw new ActionRefused(`${user.username} does not have the permission actions.manage needed to record a cause analysis.`);
  if (user.mustChangePassword) throw new ActionRefused(`${user.username} must first change the temporary password an administrator set, then sign.`);
  if (!user.jobFunctions.includes(kpi.owner) && !user.roles.includes("quality-manager"))
    throw new ActionRefused(
      `The analysis of “${kpi.name}” is recorded by its owner (job function ${kpi.owner}) or a quality manager (SOP-KP-001); ${user.username} is neither.`,
    );
}

function checkKpi(kpi: KpiRef, period: string, today: string): void {
  if (!KPI_ID_PATTERN.test(kpi.id)) throw new ActionRefused(`“${kpi.id}” is not a KPI id (lower-case words joined by hyphens).`);
  if (!isPeriod(period)) throw new ActionRefused("Give the month the KPI was red (YYYY-MM).", "period");
  if (period > periodOf(today)) throw new ActionRefused(`${period} has not begun: analyse a month once its figure is reported.`, "period");
}

/**
 * Records the signed cause analysis of a red KPI month with the actions it plans (created in the
 * register as ACT-NNNN, source "kpi") and the existing items it points to, all in one transaction.
 * A wrong password is audited and signs nothing.
 */
export async function recordKpiAnalysis(q: DataFolder, request: KpiAnalysisRequest): Promise<RecordedAnalysis> {
  const at = now(q.config);
  const today = isoDate(at);
  const { kpi, period } = request;
  checkKpi(kpi, period, today);
  const cause = request.cause.trim();
  if (cause === "") throw new ActionRefused("Give the analysis of the cause.", "cause");
  const linked = [...new Set(request.linkActionIds ?? [])];
  if (request.actions.length === 0 && linked.length === 0)
    throw new ActionRefused("Plan at least one action, or point to one already in the register (SOP-KP-001: the cause and the actions planned).", "actions");
  const planned: NewAction[] = request.actions.map((a) => ({
    kind: "action",
    source: "kpi",
    sourceRef: "",
    kpiId: kpi.id,
    period,
    description: a.description,
    ownerId: a.owner,
    dueOn: a.due,
  }));
  for (const [i, a] of planned.entries()) {
    try {
      await checkNewAction(q.db, a, today);
    } catch (error) {
      if (error instanceof ActionRefused) throw new ActionRefused(`Action ${i + 1}: ${error.message}`, "actions");
      throw error;
    }
  }
  for (const id of linked) {
    const row = await q.db.get<{ kpi_id: string | null }>("SELECT kpi_id FROM actions WHERE id = ?", [id]);
    if (!row) throw new ActionRefused(`There is no action or CAPA ${id} to point to.`, "actions");
    if (row.kpi_id !== kpi.id) throw new ActionRefused(`${id} was not raised for “${kpi.name}”: point only to this KPI's items.`, "actions");
  }

  const signer = await verifySigner(q, request.actor, request.password);
  await assertMayAnalyse(q.db, signer, kpi);
  const actor: ActionActor = { userId: signer.userId, username: signer.username, clientAddress: signer.clientAddress };
  const dueOn = analysisDueOn(period);

  return q.db.transaction(async (tx) => {
    const created: { id: string; description: string; ownerId: string; dueOn: string }[] = [];
    for (const a of planned) {
      const id = await insertAction(tx, actor, a, at, `Planned in the cause analysis of ${kpi.id} ${period}`);
      created.push({ id, description: a.description.trim(), ownerId: a.ownerId, dueOn: a.dueOn });
    }
    const text = analysisRecordText({ kpi, period, cause, dueOn, recordedBy: signer.username, created, linked });
    const contentHash = sha256(text);
    const signatureId = await recordSignature(tx, {
      crId: null,
      // The signature names what it is about: the KPI (never a document id, which is upper-case).
      docId: kpi.id,
      version: null,
      signer,
      meaning: "Cause analysis",
      contentHash,
      commit: null,
      at,
    });
    const row = await tx.run(
      `INSERT INTO kpi_analyses (kpi_id, kpi_name, owner_function, period, cause, due_on, recorded_by, recorded_at, content_hash, signature_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [kpi.id, kpi.name, kpi.owner, period, cause, dueOn, signer.userId, at.toISOString(), contentHash, signatureId],
    );
    for (const c of created) await tx.run("INSERT INTO kpi_analysis_actions (analysis_id, action_id, created) VALUES (?, ?, 1)", [row.lastID, c.id]);
    for (const id of linked) await tx.run("INSERT INTO kpi_analysis_actions (analysis_id, action_id, created) VALUES (?, ?, 0)", [row.lastID, id]);
    await recordAudit(
      tx,
      {
        ...actor,
        action: "kpi.analysis.record",
        objectType: "kpi",
        objectId: kpi.id,
        newValues: { ...(JSON.parse(text) as object), analysisId: row.lastID, signatureId, recordHash: contentHash, onTime: today <= dueOn },
      },
      at,
    );
    return { analysisId: row.lastID, actionIds: created.map((c) => c.id), dueOn, onTime: today <= dueOn };
  });
}

export interface KpiCapaRequest {
  kpi: KpiRef;
  /** The second red month running (the latest). */
  period: string;
  /** The CAPA owner's user id (SOP-CA-001: the quality manager assigns a CAPA owner). */
  ownerId: string;
  /** Defaults to 30 calendar days on (SOP-CA-001: root cause and plan within 30 days for a KPI-trend CAPA). */
  dueOn?: string;
  /** Defaults to a problem statement naming the KPI and the months. */
  description?: string;
}

/** 30 calendar days after `day` (SOP-CA-001, standard priority: root cause and plan approved within 30 calendar days). */
function thirtyDaysAfter(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 30);
  return d.toISOString().slice(0, 10);
}

/**
 * Opens a CAPA for a KPI red two months running (SOP-KP-001, "Act on red KPIs"; SOP-CA-001). One open
 * CAPA per KPI: while one is open, another is refused, naming it.
 */
export async function openCapaForKpi(db: Database, actor: ActionActor, request: KpiCapaRequest, today: string, at: Date): Promise<string> {
  const { kpi, period } = request;
  checkKpi(kpi, period, today);
  const input: NewAction = {
    kind: "capa",
    source: "kpi",
    sourceRef: "",
    kpiId: kpi.id,
    period,
    description:
      request.description?.trim() ||
      `“${kpi.name}” has been red for two consecutive months up to ${period}. Investigate the root cause and plan actions (SOP-CA-001).`,
    ownerId: request.ownerId,
    dueOn: request.dueOn ?? thirtyDaysAfter(today),
  };
  await assertMayManageActions(db, actor.userId);
  await checkNewAction(db, input, today);
  return db.transaction(async (tx) => {
    const open = await tx.get<{ id: string }>("SELECT id FROM actions WHERE kind = 'capa' AND kpi_id = ? AND status = 'open' ORDER BY seq LIMIT 1", [kpi.id]);
    if (open) throw new ActionRefused(`${open.id} is already open for “${kpi.name}”: follow it up there rather than open a second CAPA.`);
    return insertAction(tx, actor, input, at, `KPI red for two consecutive months up to ${period} (SOP-KP-001)`);
  });
}

interface AnalysisRow {
  id: number;
  kpi_id: string;
  kpi_name: string;
  owner_function: string;
  period: string;
  cause: string;
  due_on: string;
  recorded_by: string;
  recorded_by_username: string;
  recorded_by_name: string;
  recorded_at: string;
  content_hash: string;
  signature_id: number;
  created: string | null;
  linked: string | null;
}

/** A KPI's cause analyses, newest month first, each with the items it created and pointed to. */
export async function analysesForKpi(db: Queryable, kpiId: string): Promise<KpiAnalysis[]> {
  const rows = await db.all<AnalysisRow>(
    `SELECT k.id, k.kpi_id, k.kpi_name, k.owner_function, k.period, k.cause, k.due_on, k.recorded_by, u.username AS recorded_by_username,
            u.display_name AS recorded_by_name, k.recorded_at, k.content_hash, k.signature_id,
            (SELECT group_concat(action_id, ' ') FROM (SELECT action_id FROM kpi_analysis_actions x WHERE x.analysis_id = k.id AND x.created = 1 ORDER BY action_id)) AS created,
            (SELECT group_concat(action_id, ' ') FROM (SELECT action_id FROM kpi_analysis_actions x WHERE x.analysis_id = k.id AND x.created = 0 ORDER BY action_id)) AS linked
       FROM kpi_analyses k JOIN users u ON u.id = k.recorded_by
      WHERE k.kpi_id = ? ORDER BY k.period DESC, k.id DESC`,
    [kpiId],
  );
  return rows.map((r) => ({
    id: r.id,
    kpiId: r.kpi_id,
    kpiName: r.kpi_name,
    ownerFunction: r.owner_function,
    period: r.period,
    cause: r.cause,
    dueOn: r.due_on,
    onTime: r.recorded_at.slice(0, 10) <= r.due_on,
    recordedBy: r.recorded_by,
    recordedByUsername: r.recorded_by_username,
    recordedByName: r.recorded_by_name,
    recordedAt: r.recorded_at,
    contentHash: r.content_hash,
    signatureId: r.signature_id,
    created: r.created ? r.created.split(" ") : [],
    linked: r.linked ? r.linked.split(" ") : [],
  }));
}
