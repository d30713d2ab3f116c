import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import {
  CloseActionForm,
  EditActionForm,
  LinkChangeForm,
  NewActionForm,
  actionId,
  analysisDueOn,
  dueDateProblem,
  isOverdue,
  parseActionFilter,
  parseActionId,
  shownStatus,
} from "~/modules/actions/actions";
import {
  ActionRefused,
  actionHistory,
  actionsForKpi,
  closeAction,
  createAction,
  getAction,
  linkChangeRequest,
  listActions,
  openActionsSummary,
  updateAction,
  type ActionActor,
  type NewAction,
} from "~/modules/actions/actions.server";
import { analysesForKpi, openCapaForKpi, recordKpiAnalysis } from "~/modules/actions/kpi-analysis.server";
import { verifyRecord } from "~/modules/integrity/verify.server";
import { DEMO_PASSWORD } from "~/modules/setup/demo-users";
import { SignaturePasswordRefused } from "~/modules/signatures/signatures.server";

import { TEST_PASSWORD, createTestUser, openCopy } from "../helpers/factories";

// The register of actions and CAPAs and the red-KPI cause analysis (SOP-KP-001, SOP-CA-001): the pure
// rules, then the module against a real SQLite file (the project demo, clock on 2026-11-30).
// The demo's KPI story (app/modules/setup/demo-kpis.server.ts) is already in the register: dm1's signed
// analysis of query-resolution-time 2026-09 created ACT-0001 (owner dm1, due 2026-10-30, still open),
// qa opened CAPA-0001 for its 2026-10 figure (owner dm1, due 2026-12-09) and the 2026-10 analysis
// points to it. So this file's items are numbered from ACT-0002 and CAPA-0002, the counts and lists
// include the demo's two items, and the cause-analysis tests use a KPI with no history (enrolment-rate).

describe("item numbers", () => {
  it("are ACT- or CAPA- and four digits at least, per kind, and read back", () => {
    expect(actionId("action", 1)).toBe("ACT-0001");
    expect(actionId("capa", 12)).toBe("CAPA-0012");
    expect(actionId("action", 12345)).toBe("ACT-12345");
    expect(parseActionId("CAPA-0012")).toEqual({ kind: "capa", seq: 12 });
    expect(parseActionId("ACT-12345")).toEqual({ kind: "action", seq: 12345 });
    for (const bad of ["ACT-1", "ACT-0000", "CAPA-00012", "act-0001", "CR-2026-0001", "ACT-0001 "]) expect(parseActionId(bad), bad).toBeNull();
    expect(() => actionId("action", 0)).toThrow();
  });
});

describe("overdue", () => {
  it("is open and due before today; due today is not overdue; closed never is", () => {
    expect(isOverdue({ status: "open", dueOn: "2026-11-29" }, "2026-11-30")).toBe(true);
    expect(isOverdue({ status: "open", dueOn: "2026-11-30" }, "2026-11-30")).toBe(false);
    expect(isOverdue({ status: "closed", dueOn: "2026-01-01" }, "2026-11-30")).toBe(false);
    expect(shownStatus({ status: "open", dueOn: "2026-11-29" }, "2026-11-30")).toBe("overdue");
    expect(shownStatus({ status: "open", dueOn: "2026-12-01" }, "2026-11-30")).toBe("open");
    expect(shownStatus({ status: "closed", dueOn: "2026-11-29" }, "2026-11-30")).toBe("closed");
  });

  it("an analysis is due 10 working days counted from the first day of the next month", () => {
    // 1 November 2026 is a Sunday: Monday 2 is the first working day, Friday 13 the tenth.
    expect(analysisDueOn("2026-10")).toBe("2026-11-13");
    // 1 June 2026 is a Monday: counting starts on the next working day.
    expect(analysisDueOn("2026-05")).toBe("2026-06-15");
    expect(analysisDueOn("2026-12")).toBe("2027-01-15");
    expect(() => analysisDueOn("2026-13")).toThrow();
  });
});

describe("forms", () => {
  const base = { kind: "action", description: "Retrain the sites", ownerId: "u1", dueOn: "2026-12-31" };

  it("a KPI item names the KPI and the month; another source names its reference", () => {
    expect(NewActionForm.safeParse({ ...base, source: "kpi", kpiId: "query-resolution-time", period: "2026-10" }).success).toBe(true);
    const noKpi = NewActionForm.safeParse({ ...base, source: "kpi", period: "2026-10" });
    expect(noKpi.success).toBe(false);
    expect(noKpi.error!.issues.map((i) => i.path[0])).toEqual(["kpiId"]);
    const badMonth = NewActionForm.safeParse({ ...base, source: "kpi", kpiId: "query-resolution-time", period: "2026-13" });
    expect(badMonth.error!.issues[0]!.message).toBe("Give the month the KPI was red (YYYY-MM).");
    const noRef = NewActionForm.safeParse({ ...base, source: "audit-finding", sourceRef: "  " });
    expect(noRef.error!.issues[0]).toMatchObject({ path: ["sourceRef"], message: "Give the source reference, e.g. the audit report or deviation number." });
    expect(NewActionForm.safeParse({ ...base, source: "audit-finding", sourceRef: "IA-2026-07" }).success).toBe(true);
    expect(NewActionForm.safeParse({ ...base, kind: "task", source: "deviation", sourceRef: "DEV-1" }).error!.issues[0]!.message).toBe(
      "Say whether this is an action or a CAPA.",
    );
    expect(NewActionForm.safeParse({ ...base, source: "deviation", sourceRef: "DEV-1", dueOn: "31/12/2026" }).error!.issues[0]!.message).toBe(
      "Give the due date (YYYY-MM-DD).",
    );
  });

  it("an edit needs a reason, a close needs evidence, a link a change request number", () => {
    expect(EditActionForm.safeParse({ description: "x", ownerId: "u1", dueOn: "2026-12-31", reason: " " }).error!.issues[0]!.message).toBe(
      "Give the reason for the change.",
    );
    expect(CloseActionForm.safeParse({ evidence: "" }).error!.issues[0]!.message).toBe("Give the evidence of completion.");
    expect(LinkChangeForm.parse({ crId: " cr-2026-0012 " })).toEqual({ crId: "CR-2026-0012" });
    expect(LinkChangeForm.safeParse({ crId: "CR-12" }).success).toBe(false);
  });

  it("a due date is a real date, not in the past", () => {
    expect(dueDateProblem("2026-11-30", "2026-11-30")).toBeNull();
    expect(dueDateProblem("2026-11-29", "2026-11-30")).toBe("The due date 2026-11-29 is in the past; give today (2026-11-30) or a later date.");
    expect(dueDateProblem("2026-02-30", "2026-01-01")).toBe("The due date 2026-02-30 is not a date (YYYY-MM-DD).");
  });

  it("the register's filters name what they did not use", () => {
    expect(parseActionFilter(new URLSearchParams("kind=capa&status=overdue&source=kpi&owner=QA"))).toEqual({
      kind: "capa",
      status: "overdue",
      source: "kpi",
      owner: "qa",
      problems: [],
    });
    expect(parseActionFilter(new URLSearchParams("kind=task&status=late")).problems).toEqual([
      "The kind “task” was not used: it is one of action, capa.",
      "The status “late” was not used: it is one of open, overdue, closed.",
    ]);
  });
});

describe("the register in SQLite", () => {
  const TODAY = "2026-11-30";
  const AT = new Date("2026-11-30T10:00:00Z");
  // A KPI without analyses or items yet; owned by the project managers (pm1 in the demo).
  const KPI = { id: "enrolment-rate", name: "Enrolment rate", owner: "project-manager" };
  // The demo's red KPI, with its two analyses, ACT-0001 and CAPA-0001.
  const DEMO_KPI = { id: "query-resolution-time", name: "Data query resolution time", owner: "data-manager" };
  let q: Quire;
  let qa: ActionActor;
  let ids: Record<string, string>;

  beforeAll(async () => {
    q = await openCopy("project-demo", `${TODAY}T10:00:00Z`);
    const users = await q.db.all<{ id: string; username: string }>("SELECT id, username FROM users");
    ids = Object.fromEntries(users.map((u) => [u.username, u.id]));
    qa = { userId: ids.qa!, username: "qa", clientAddress: "127.0.0.1" };
  });
  afterAll(async () => {
    await q?.db.close();
  });

  const item = (over: Partial<NewAction> = {}): NewAction => ({
    kind: "action",
    source: "audit-finding",
    sourceRef: "IA-2026-07 finding 3",
    kpiId: null,
    period: null,
    description: "Update the monitoring plan template",
    ownerId: ids.cra1!,
    dueOn: "2026-12-31",
    ...over,
  });

  it("numbers items per kind in the transaction and audits each creation", async () => {
    // The demo's story holds ACT-0001 and CAPA-0001: each kind goes on from its own last number.
    expect(await createAction(q.db, qa, item(), TODAY, AT)).toBe("ACT-0002");
    expect(await createAction(q.db, qa, item({ kind: "capa" }), TODAY, AT)).toBe("CAPA-0002");
    // Created at once: the numbers are still unique and consecutive.
    const both = await Promise.all([createAction(q.db, qa, item(), TODAY, AT), createAction(q.db, qa, item(), TODAY, AT)]);
    expect(both.sort()).toEqual(["ACT-0003", "ACT-0004"]);
    const history = await actionHistory(q.db, "ACT-0002");
    expect(history.map((h) => [h.action, h.username])).toEqual([["action.create", "qa"]]);
    expect(JSON.parse(history[0]!.new_values!)).toMatchObject({ source: "audit-finding", sourceRef: "IA-2026-07 finding 3", status: "open" });
  });

  it("refuses a due date in the past, an inactive or unknown owner, and someone without actions.manage", async () => {
    await expect(createAction(q.db, qa, item({ dueOn: "2026-11-29" }), TODAY, AT)).rejects.toThrow("is in the past");
    await expect(createAction(q.db, qa, item({ ownerId: "nobody" }), TODAY, AT)).rejects.toThrow("Choose the owner from the list of people.");
    const cra = { userId: ids.cra1!, username: "cra1", clientAddress: null };
    await expect(createAction(q.db, cra, item(), TODAY, AT)).rejects.toThrow("does not have the permission actions.manage");
  });

  it("edits with a reason, audited with old and new values; closes only with evidence, once, and then is final", async () => {
    expect(
      await updateAction(
        q.db,
        qa,
        "ACT-0002",
        { description: "Update the monitoring plan template", ownerId: ids.dm1!, dueOn: "2027-01-15" },
        "Extension agreed",
        TODAY,
        AT,
      ),
    ).toBe(true);
    const edit = (await actionHistory(q.db, "ACT-0002")).at(-1)!;
    expect(edit.action).toBe("action.update");
    expect(edit.reason).toBe("Extension agreed");
    expect(JSON.parse(edit.old_values!)).toEqual({ ownerId: ids.cra1, dueOn: "2026-12-31" });
    expect(JSON.parse(edit.new_values!)).toEqual({ ownerId: ids.dm1, dueOn: "2027-01-15" });
    await expect(updateAction(q.db, qa, "ACT-0002", { description: "x", ownerId: ids.dm1!, dueOn: "2027-01-15" }, " ", TODAY, AT)).rejects.toThrow(
      "Give the reason for the change.",
    );

    await expect(closeAction(q.db, qa, "ACT-0002", "   ", TODAY, AT)).rejects.toThrow("Give the evidence of completion");
    expect((await getAction(q.db, "ACT-0002", TODAY))!.status).toBe("open");
    await closeAction(q.db, qa, "ACT-0002", "Template v3 issued under CR-2026-0001", TODAY, AT);
    const closed = (await getAction(q.db, "ACT-0002", TODAY))!;
    expect(closed).toMatchObject({ status: "closed", closureEvidence: "Template v3 issued under CR-2026-0001", closedBy: ids.qa, shownStatus: "closed" });
    await expect(closeAction(q.db, qa, "ACT-0002", "again", TODAY, AT)).rejects.toThrow("already closed");
    await expect(updateAction(q.db, qa, "ACT-0002", { description: "y", ownerId: ids.dm1!, dueOn: "2027-01-15" }, "late edit", TODAY, AT)).rejects.toThrow(
      "a closed item is final",
    );
    // The table itself refuses a change to a closed item and any deletion, whoever writes.
    await expect(q.db.transaction((tx) => tx.run("UPDATE actions SET description = 'z' WHERE id = 'ACT-0002'"))).rejects.toThrow("is final");
    await expect(q.db.transaction((tx) => tx.run("DELETE FROM actions WHERE id = 'ACT-0003'"))).rejects.toThrow("never deleted");
  });

  it("links change requests that exist, once", async () => {
    const cr = (await q.db.get<{ id: string }>("SELECT id FROM change_requests ORDER BY id LIMIT 1"))!.id;
    await expect(linkChangeRequest(q.db, qa, "ACT-0003", "CR-2099-0001", TODAY, AT)).rejects.toThrow("There is no change request CR-2099-0001.");
    await linkChangeRequest(q.db, qa, "ACT-0003", cr, TODAY, AT);
    await expect(linkChangeRequest(q.db, qa, "ACT-0003", cr, TODAY, AT)).rejects.toThrow(`${cr} is already linked to ACT-0003.`);
    expect((await getAction(q.db, "ACT-0003", TODAY))!.changeRequests).toEqual([cr]);
  });

  it("counts open and overdue by kind, as of the day asked", async () => {
    // Open: the demo's ACT-0001 (due 2026-10-30, so already overdue) and CAPA-0001 (due 2026-12-09),
    // with this file's ACT-0003, ACT-0004 and CAPA-0002; ACT-0002 is closed.
    expect(await openActionsSummary(q.db, TODAY)).toEqual({ action: { open: 3, overdue: 1 }, capa: { open: 2, overdue: 0 } });
    // On 2027-01-01 the demo's two items and the three items due 2026-12-31 are overdue.
    expect(await openActionsSummary(q.db, "2027-01-01")).toEqual({ action: { open: 3, overdue: 3 }, capa: { open: 2, overdue: 2 } });
    // Most urgent first: by due date, then actions before CAPAs, by number.
    expect((await listActions(q.db, { kind: null, status: "overdue", source: null, owner: null }, "2027-01-01")).map((a) => a.id)).toEqual([
      "ACT-0001",
      "CAPA-0001",
      "ACT-0003",
      "ACT-0004",
      "CAPA-0002",
    ]);
    expect((await listActions(q.db, { kind: null, status: "closed", source: null, owner: null }, TODAY)).map((a) => a.id)).toEqual(["ACT-0002"]);
  });

  it("records a signed cause analysis with its actions, by the KPI's owner or a quality manager only", async () => {
    const planned = [{ description: "Add a weekly screening review to the study team meeting", owner: ids.pm1!, due: "2026-12-18" }];
    const request = { kpi: KPI, period: "2026-11", cause: "Two sites lacked a study coordinator for six weeks.", actions: planned };
    await expect(recordKpiAnalysis(q, { ...request, password: "wrong", actor: { username: "qa", clientAddress: null } })).rejects.toThrow(
      SignaturePasswordRefused,
    );
    // Holds actions.manage but not the owner function (project-manager), and is no quality manager.
    await createTestUser(q, "rep-cra", { roles: ["kpi-reporter"], jobFunctions: ["cra"] });
    await expect(recordKpiAnalysis(q, { ...request, password: TEST_PASSWORD, actor: { username: "rep-cra", clientAddress: null } })).rejects.toThrow(
      "is recorded by its owner (job function project-manager) or a quality manager",
    );
    await expect(recordKpiAnalysis(q, { ...request, actions: [], password: DEMO_PASSWORD, actor: { username: "qa", clientAddress: null } })).rejects.toThrow(
      "Plan at least one action",
    );
    // Nothing refused was recorded (the KPI has no history); the demo's KPI keeps its two analyses.
    expect(await analysesForKpi(q.db, KPI.id)).toEqual([]);
    expect((await analysesForKpi(q.db, DEMO_KPI.id)).map((a) => [a.period, a.recordedByUsername, a.created, a.linked])).toEqual([
      ["2026-10", "dm1", [], ["CAPA-0001"]],
      ["2026-09", "dm1", ["ACT-0001"], []],
    ]);

    await createTestUser(q, "rep-pm", { roles: ["kpi-reporter"], jobFunctions: ["project-manager"] });
    const recorded = await recordKpiAnalysis(q, { ...request, password: TEST_PASSWORD, actor: { username: "rep-pm", clientAddress: "127.0.0.1" } });
    expect(recorded).toMatchObject({ actionIds: ["ACT-0005"], dueOn: "2026-12-15", onTime: true });
    const analyses = await analysesForKpi(q.db, KPI.id);
    expect(analyses).toHaveLength(1);
    const [analysis] = analyses;
    expect(analysis).toMatchObject({
      period: "2026-11",
      cause: request.cause,
      dueOn: "2026-12-15",
      created: ["ACT-0005"],
      linked: [],
      recordedByUsername: "rep-pm",
    });
    const signature = await q.db.get<{ meaning: string; content_hash: string; doc_id: string }>(
      "SELECT meaning, content_hash, doc_id FROM signatures WHERE id = ?",
      [analysis!.signatureId],
    );
    expect(signature).toEqual({ meaning: "Cause analysis", content_hash: analysis!.contentHash, doc_id: KPI.id });
    expect((await actionsForKpi(q.db, KPI.id, TODAY)).map((a) => [a.id, a.sourceRef, a.ownerUsername])).toEqual([
      ["ACT-0005", "enrolment-rate 2026-11", "pm1"],
    ]);
    // A record: never updated or deleted.
    await expect(q.db.transaction((tx) => tx.run("UPDATE kpi_analyses SET cause = 'x'"))).rejects.toThrow("never updated");
    await expect(q.db.transaction((tx) => tx.run("DELETE FROM kpi_analysis_actions"))).rejects.toThrow("never deleted");
    // The signature matches the audit row of its signing, as `quire verify` checks.
    const verdict = await verifyRecord(q.db, q.repo);
    expect(verdict.problems.filter((p) => p.check === "signature")).toEqual([]);
  });

  it("a later analysis may point to the KPI's existing items, not another KPI's", async () => {
    const base = {
      kpi: KPI,
      period: "2026-11",
      cause: "Follow-up: study coordinators hired.",
      actions: [],
      password: DEMO_PASSWORD,
      actor: { username: "qa", clientAddress: null },
    };
    await expect(recordKpiAnalysis(q, { ...base, linkActionIds: ["ACT-0002"] })).rejects.toThrow("ACT-0002 was not raised for “Enrolment rate”");
    // The demo's ACT-0001 was raised for query-resolution-time: another KPI's item.
    await expect(recordKpiAnalysis(q, { ...base, linkActionIds: ["ACT-0001"] })).rejects.toThrow("ACT-0001 was not raised for “Enrolment rate”");
    const again = await recordKpiAnalysis(q, { ...base, linkActionIds: ["ACT-0005"] });
    expect(again.actionIds).toEqual([]);
    expect((await analysesForKpi(q.db, KPI.id))[0]).toMatchObject({ id: again.analysisId, created: [], linked: ["ACT-0005"] });
  });

  it("migration 026 kept every signature meaning, added the quality-record purpose, and meanings stay unchangeable", async () => {
    const meanings = await q.db.all<{ meaning: string; purpose: string }>("SELECT meaning, purpose FROM signature_meanings ORDER BY meaning");
    expect(meanings).toContainEqual({ meaning: "Approved", purpose: "document-control" });
    expect(meanings).toContainEqual({ meaning: "Read and understood", purpose: "training" });
    expect(meanings).toContainEqual({ meaning: "Cause analysis", purpose: "quality-record" });
    await expect(q.db.transaction((tx) => tx.run("UPDATE signature_meanings SET purpose = 'training' WHERE meaning = 'Cause analysis'"))).rejects.toThrow(
      "never changed",
    );
    await expect(q.db.transaction((tx) => tx.run("INSERT INTO signature_meanings (meaning, purpose) VALUES ('x', 'other')"))).rejects.toThrow("CHECK");
  });

  it("opens one CAPA per KPI while it is open", async () => {
    // The demo's CAPA-0001 is open for query-resolution-time: a second one for that KPI is refused, naming it.
    await expect(openCapaForKpi(q.db, qa, { kpi: DEMO_KPI, period: "2026-11", ownerId: ids.dm1! }, TODAY, AT)).rejects.toThrow(
      "CAPA-0001 is already open for “Data query resolution time”",
    );
    // Another KPI has none open (this file's CAPA-0002 is not a KPI's): it gets the next number.
    const id = await openCapaForKpi(q.db, qa, { kpi: KPI, period: "2026-11", ownerId: ids.pm1! }, TODAY, AT);
    expect(id).toBe("CAPA-0003");
    expect(await getAction(q.db, id, TODAY)).toMatchObject({ kind: "capa", source: "kpi", kpiId: KPI.id, kpiPeriod: "2026-11", dueOn: "2026-12-30" });
    await expect(openCapaForKpi(q.db, qa, { kpi: KPI, period: "2026-11", ownerId: ids.pm1! }, TODAY, AT)).rejects.toThrow(ActionRefused);
    await expect(openCapaForKpi(q.db, qa, { kpi: KPI, period: "2026-11", ownerId: ids.pm1! }, TODAY, AT)).rejects.toThrow(
      "CAPA-0003 is already open for “Enrolment rate”",
    );
  });
});
