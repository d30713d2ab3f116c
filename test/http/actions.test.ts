import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { TestClock } from "../helpers/clock";
import { parseCsv } from "../helpers/csv";
import { copyDataFolder } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

// The register of actions and CAPAs over HTTP against the built server (project demo, clock on
// 2026-11-30). qa (quality manager) holds actions.manage; the inspector reads (kpi.read); cra1 (staff)
// may do neither.
// The demo's KPI story (app/modules/setup/demo-kpis.server.ts) is already in the register: ACT-0001
// (query-resolution-time 2026-09, owner dm1, due 2026-10-30, still open) and CAPA-0001
// (query-resolution-time 2026-10, owner dm1, due 2026-12-09). This file's items are ACT-0002 and
// CAPA-0002; the register, its counts and its CSV show the demo's two items with them. This file's
// CAPA is for a KPI without items (enrolment-rate, owner pm1) so that what the page shows of it is its own.

let server: RunningServer;
let dataDir: string;
let qa: HttpClient;
let inspector: HttpClient;
let cra: HttpClient;
let ids: Record<string, string>;
let demoSeq: number;
const clock = new TestClock("2026-11-30T12:00:00Z");

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  demoSeq = (await queryDataFolder<{ seq: number }>(dataDir, "SELECT max(seq) AS seq FROM audit_events"))[0]!.seq;
  const users = await queryDataFolder<{ id: string; username: string }>(dataDir, "SELECT id, username FROM users");
  ids = Object.fromEntries(users.map((u) => [u.username, u.id]));
  server = await startServer(dataDir, clock.env);
  [qa, inspector, cra] = await Promise.all([signedIn(server.url, "qa"), signedIn(server.url, "inspector"), signedIn(server.url, "cra1")]);
});
afterAll(async () => {
  await server?.stop();
});

/** The register's row of one item: from its data-action attribute to the next row's. */
function rowOf(html: string, id: string): string {
  const start = html.indexOf(`data-action="${id}"`);
  expect(start, `${id} is on the register`).toBeGreaterThan(-1);
  const next = html.indexOf("data-action=", start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

async function auditRows(
  action: string,
): Promise<{ username: string; object_id: string | null; old_values: string | null; new_values: string; reason: string | null }[]> {
  return queryDataFolder(dataDir, "SELECT username, object_id, old_values, new_values, reason FROM audit_events WHERE action = ? AND seq > ? ORDER BY seq", [
    action,
    demoSeq,
  ]);
}

const AUDIT_ITEM = {
  kind: "action",
  source: "audit-finding",
  sourceRef: "IA-2026-07 finding 3",
  description: "Update the monitoring plan template",
  dueOn: "2026-12-02",
};

describe("recording actions and CAPAs", () => {
  it("refuses those without actions.manage with 403, and those who may not read the register", async () => {
    const res = await cra.post("/actions/new", { ...AUDIT_ITEM, ownerId: ids.cra1! });
    expect(res.status).toBe(403);
    expect(res.text).toContain("You do not have the permission actions.manage");
    expect((await inspector.post("/actions/new", { ...AUDIT_ITEM, ownerId: ids.cra1! })).status).toBe(403);
    expect((await inspector.get("/actions/new")).status).toBe(403);
    expect((await cra.get("/actions")).status).toBe(403);
    expect((await cra.get("/actions.csv")).status).toBe(403);
    // Nothing was recorded: the register holds the demo's two items only.
    expect(await queryDataFolder(dataDir, "SELECT id FROM actions ORDER BY id")).toEqual([{ id: "ACT-0001" }, { id: "CAPA-0001" }]);
    // The nav shows the register to readers only.
    expect((await inspector.get("/actions")).text).toContain('href="/actions"');
    expect((await cra.get("/")).text).not.toContain('href="/actions"');
  });

  it("prefills a KPI item from the dashboard's link", async () => {
    const form = await qa.get("/actions/new?source=kpi&kpi=query-resolution-time&period=2026-10&kind=capa");
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="query-resolution-time"');
    expect(form.text).toContain('value="2026-10"');
    expect(form.text).toMatch(/name="kind" checked="" value="capa"/);
  });

  it("refuses bad input with a message naming it", async () => {
    const noRef = await qa.post("/actions/new", { ...AUDIT_ITEM, sourceRef: " ", ownerId: ids.cra1! });
    expect(noRef.status).toBe(400);
    expect(noRef.text).toContain("Give the source reference");
    const past = await qa.post("/actions/new", { ...AUDIT_ITEM, dueOn: "2026-11-01", ownerId: ids.cra1! });
    expect(past.status).toBe(400);
    expect(past.text).toContain("The due date 2026-11-01 is in the past");
    const noOwner = await qa.post("/actions/new", { ...AUDIT_ITEM, ownerId: "" });
    expect(noOwner.status).toBe(400);
    expect(noOwner.text).toContain("Choose the owner.");
  });

  it("creates numbered items, audited, and shows them on the register", async () => {
    const first = await qa.post("/actions/new", { ...AUDIT_ITEM, ownerId: ids.cra1! });
    expect(first.status).toBe(302);
    // The demo's ACT-0001 and CAPA-0001 come first: each kind goes on from its own last number.
    expect(first.headers.get("location")).toBe("/actions/ACT-0002");
    const capa = await qa.post("/actions/new", {
      kind: "capa",
      source: "kpi",
      kpiId: "enrolment-rate",
      period: "2026-10",
      description: "Enrolment rate red two months running",
      ownerId: ids.pm1!,
      dueOn: "2026-12-30",
    });
    expect(capa.headers.get("location")).toBe("/actions/CAPA-0002");
    expect((await auditRows("action.create")).map((r) => [r.username, r.object_id])).toEqual([
      ["qa", "ACT-0002"],
      ["qa", "CAPA-0002"],
    ]);
    const page = await inspector.get("/actions");
    expect(page.status).toBe(200);
    for (const id of ["ACT-0001", "CAPA-0001", "ACT-0002", "CAPA-0002"]) expect(page.text).toContain(`data-action="${id}"`);
    expect(rowOf(page.text, "CAPA-0002")).toContain("enrolment-rate 2026-10");
    expect(page.text).not.toContain("New action or CAPA");
    expect((await qa.get("/actions")).text).toContain('href="/actions/new"');
    const filtered = await inspector.get("/actions?kind=capa&source=kpi&owner=pm1");
    expect(filtered.text).toContain('data-action="CAPA-0002"');
    expect(filtered.text).not.toContain('data-action="ACT-0002"');
    // The demo's items are a KPI action (not a CAPA) and a CAPA of dm1's (not pm1's).
    expect(filtered.text).not.toContain('data-action="ACT-0001"');
    expect(filtered.text).not.toContain('data-action="CAPA-0001"');
    const bad = await inspector.get("/actions?status=late");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("The status “late” was not used: it is one of open, overdue, closed.");
  });
});

describe("following an item up", () => {
  it("edits with a reason, audited with the old and new values; refuses an edit without one", async () => {
    const noReason = await qa.post("/actions/ACT-0002", {
      intent: "edit",
      description: AUDIT_ITEM.description,
      ownerId: ids.dm1!,
      dueOn: "2026-12-02",
      reason: "",
    });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain("Give the reason for the change.");
    expect(await auditRows("action.update")).toEqual([]);
    const res = await qa.post("/actions/ACT-0002", {
      intent: "edit",
      description: AUDIT_ITEM.description,
      ownerId: ids.dm1!,
      dueOn: "2026-12-02",
      reason: "Dana owns the template",
    });
    expect(res.status).toBe(302);
    const [row] = await auditRows("action.update");
    expect(row).toMatchObject({ username: "qa", object_id: "ACT-0002", reason: "Dana owns the template" });
    expect(JSON.parse(row!.old_values!)).toEqual({ ownerId: ids.cra1 });
    expect(JSON.parse(row!.new_values)).toEqual({ ownerId: ids.dm1 });
    const page = await inspector.get("/actions/ACT-0002");
    expect(page.text).toContain("Dana owns the template");
    expect(page.text).toContain("Dana Kim");
    // Readers see the item and its history, not the forms.
    expect(page.text).not.toContain('name="intent"');
    expect((await inspector.post("/actions/ACT-0002", { intent: "close", evidence: "done" })).status).toBe(403);
  });

  it("links a change request that exists, and names one that does not", async () => {
    const cr = (await queryDataFolder<{ id: string }>(dataDir, "SELECT id FROM change_requests ORDER BY id LIMIT 1"))[0]!.id;
    const missing = await qa.post("/actions/ACT-0002", { intent: "link", crId: "CR-2099-0001" });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("There is no change request CR-2099-0001.");
    expect((await qa.post("/actions/ACT-0002", { intent: "link", crId: cr.toLowerCase() })).status).toBe(302);
    expect((await inspector.get("/actions/ACT-0002")).text).toContain(`href="/changes/${cr}"`);
    expect((await auditRows("action.link-change")).map((r) => [r.object_id, JSON.parse(r.new_values).crId])).toEqual([["ACT-0002", cr]]);
  });

  it("shows an open item past its due date as “Overdue” in words, on the register and the item", async () => {
    clock.set("2026-12-03T12:00:00Z");
    const [qaLater, inspectorLater] = await Promise.all([signedIn(server.url, "qa"), signedIn(server.url, "inspector")]);
    qa = qaLater;
    inspector = inspectorLater;
    const register = await inspector.get("/actions");
    // ACT-0002 (due 2026-12-02) and the demo's ACT-0001 (due 2026-10-30) are overdue; the CAPAs are not yet.
    expect(register.text).toContain("2 items are overdue");
    expect(rowOf(register.text, "ACT-0002")).toContain('<span class="badge badge-action-overdue">Overdue</span>');
    expect(rowOf(register.text, "ACT-0001")).toContain('<span class="badge badge-action-overdue">Overdue</span>');
    expect(rowOf(register.text, "CAPA-0002")).toContain('<span class="badge badge-action-open">Open</span>');
    expect(rowOf(register.text, "CAPA-0001")).toContain('<span class="badge badge-action-open">Open</span>');
    const overdueOnly = await inspector.get("/actions?status=overdue");
    expect(overdueOnly.text).toContain('data-action="ACT-0002"');
    expect(overdueOnly.text).toContain('data-action="ACT-0001"');
    expect(overdueOnly.text).not.toContain('data-action="CAPA-0002"');
    expect(overdueOnly.text).not.toContain('data-action="CAPA-0001"');
    expect((await inspector.get("/actions/ACT-0002")).text).toContain("Overdue:</strong> due 2026-12-02, still open on 2026-12-03");
  });

  it("closes only with evidence, and then the item is final", async () => {
    const noEvidence = await qa.post("/actions/ACT-0002", { intent: "close", evidence: "  " });
    expect(noEvidence.status).toBe(400);
    expect(noEvidence.text).toContain("Give the evidence of completion.");
    expect((await queryDataFolder<{ status: string }>(dataDir, "SELECT status FROM actions WHERE id = 'ACT-0002'"))[0]!.status).toBe("open");
    const res = await qa.post("/actions/ACT-0002", { intent: "close", evidence: "Template v3 issued; sites trained (training records 2026-12)" });
    expect(res.status).toBe(302);
    const page = await inspector.get("/actions/ACT-0002");
    expect(page.text).toContain('<span class="badge badge-action-closed">Closed</span>');
    expect(page.text).toContain("Template v3 issued; sites trained");
    expect((await qa.get("/actions/ACT-0002")).text).not.toContain('value="close"');
    const again = await qa.post("/actions/ACT-0002", { intent: "close", evidence: "again" });
    expect(again.status).toBe(409);
    expect(again.text).toContain("already closed");
    const edit = await qa.post("/actions/ACT-0002", { intent: "edit", description: "x", ownerId: ids.dm1!, dueOn: "2027-01-01", reason: "late" });
    expect(edit.status).toBe(409);
    expect(edit.text).toContain("a closed item is final");
    const [closed] = await auditRows("action.close");
    expect(closed).toMatchObject({ username: "qa", object_id: "ACT-0002" });
    expect(JSON.parse(closed!.old_values!)).toEqual({ status: "overdue" });
  });

  it("exports the register's rows as CSV for the same filters, audited", async () => {
    const csv = await inspector.get("/actions.csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="actions-2026-12-03.csv"');
    const [header, ...rows] = parseCsv(csv.text);
    const col = (name: string) => header!.indexOf(name);
    // The register's order: open items by due date (the demo's ACT-0001 and CAPA-0001 among them), then closed ones.
    expect(rows.map((r) => [r[col("id")], r[col("kind")], r[col("status")], r[col("overdue")], r[col("source")], r[col("owner")], r[col("due_on")]])).toEqual([
      ["ACT-0001", "action", "open", "yes", "kpi", "dm1", "2026-10-30"],
      ["CAPA-0001", "capa", "open", "no", "kpi", "dm1", "2026-12-09"],
      ["CAPA-0002", "capa", "open", "no", "kpi", "pm1", "2026-12-30"],
      ["ACT-0002", "action", "closed", "no", "audit-finding", "dm1", "2026-12-02"],
    ]);
    expect(rows[3]![col("closure_evidence")]).toBe("Template v3 issued; sites trained (training records 2026-12)");
    const capas = parseCsv((await inspector.get("/actions.csv?kind=capa")).text);
    expect(capas.slice(1).map((r) => r[0])).toEqual(["CAPA-0001", "CAPA-0002"]);
    const exports = await auditRows("actions.export");
    expect(exports.map((e) => e.username)).toEqual(["inspector", "inspector"]);
    expect(JSON.parse(exports[1]!.new_values)).toMatchObject({ kind: "capa", format: "csv", rows: 2 });
    const bad = await inspector.get("/actions.csv?kind=task");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Nothing was exported: The kind “task” was not used");
  });

  it("answers 404 for an item that does not exist", async () => {
    const res = await inspector.get("/actions/ACT-9999");
    expect(res.status).toBe(404);
    expect(res.text).toContain("There is no action or CAPA ACT-9999.");
  });
});
