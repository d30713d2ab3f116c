import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database, type SqlParams } from "~/db/db.server";
import { ContentRepository } from "~/modules/content/repository.server";

import { TestClock } from "../helpers/clock";
import { copyDataFolder } from "../helpers/data-folder";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * Approval routing by document type, as the demo's SOP-DC-001 states its rules (decision 017):
 * reviewers include a quality manager; the owner function signs before the quality manager; the
 * one who reviewed does not give the final approval; the effective date leaves ten working days
 * for training unless a quality manager records why the change is urgent.
 */
let server: RunningServer;
let dataDir: string;
const users: Record<string, HttpClient> = {};
// Thursday 26 November 2026: ten working days later is Thursday 10 December.
const clock = new TestClock("2026-11-26T10:00:00Z");
const PASSWORD = "quire-demo-2026";

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  server = await startServer(dataDir, clock.env);
  for (const name of ["author", "reviewer", "qa", "cra1", "cra2", "dm1", "dc"]) users[name] = await signedIn(server.url, name);
});
afterAll(async () => {
  await server?.stop();
});

async function db<T>(sql: string, params: SqlParams = []): Promise<T[]> {
  const database = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await database.all<T>(sql, params);
  } finally {
    await database.close();
  }
}

async function userId(username: string): Promise<string> {
  return (await db<{ id: string }>("SELECT id FROM users WHERE username = ?", [username]))[0]!.id;
}

async function shownHash(crId: string): Promise<string> {
  const page = await users.qa!.get(`/changes/${crId}`);
  return /data-content-hash="([0-9a-f]{64})"/.exec(page.text)?.[1] ?? "";
}

/** Opens a change request on a document as the author, with these reviewers. */
async function openedChange(docId: string, reviewers: string[], reason: string): Promise<string> {
  const opened = await users.author!.post("/changes/new", {
    target: "existing",
    docId,
    reason,
    revision: "minor",
    retrainingRequired: "no",
    proposedEffectiveDate: "2026-12-14",
    reviewerIds: await Promise.all(reviewers.map(userId)),
  });
  expect(opened.status).toBe(302);
  return /\/changes\/(CR-\d{4}-\d{4})\/edit/.exec(opened.headers.get("location") ?? "")![1]!;
}

/** Edits a change request's draft (at `docPath`) as the author and submits it. */
async function editAndSubmit(crId: string, docPath: string, edit: (source: string) => string): Promise<void> {
  const repo = new ContentRepository(path.join(dataDir, "content"));
  const head = (await repo.branchHead(`cr/${crId}`))!;
  const source = await repo.readFile(head, docPath);
  const edited = edit(source);
  expect(edited).not.toBe(source);
  expect((await users.author!.post(`/changes/${crId}/edit`, { source: edited, expectedHead: head })).status).toBe(302);
  expect((await users.author!.post(`/changes/${crId}`, { intent: "submit", contentHash: await shownHash(crId), password: PASSWORD })).status).toBe(302);
}

/** Opens a change request on WI-CM-001 (owner: CRA) with these reviewers, edits it and submits it. */
async function submittedChange(reviewers: string[]): Promise<string> {
  const crId = await openedChange("WI-CM-001", reviewers, "Clarify that SDV findings are raised as queries the same day.");
  await editAndSubmit(crId, "work-instructions/WI-CM-001.mdx", (source) =>
    source.replace("## Purpose\n", "## Purpose\n\nFindings are raised as queries on the day of the visit.\n"),
  );
  return crId;
}

/** The approval route a change request's page shows, in order. */
async function routeShown(crId: string): Promise<string[]> {
  const page = await users.qa!.get(`/changes/${crId}`);
  expect(page.status).toBe(200);
  return [...page.text.matchAll(/data-step="([a-z-]+)"/g)].map((m) => m[1]!);
}

describe("approval routing by document type (SOP-DC-001)", () => {
  it("refuses reviewers without a quality manager", async () => {
    const refused = await users.author!.post("/changes/new", {
      target: "existing",
      docId: "WI-CM-001",
      reason: "Clarify that SDV findings are raised as queries the same day.",
      revision: "minor",
      retrainingRequired: "no",
      proposedEffectiveDate: "2026-12-14",
      reviewerIds: [await userId("cra2")],
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("The reviewers must include a Quality Manager");
    expect(await db("SELECT id FROM change_requests WHERE doc_id = 'WI-CM-001' AND state = 'draft'")).toEqual([]);
  });

  let crId = "";
  it("takes the owner function's approval before the quality manager's, from a holder of that function", async () => {
    crId = await submittedChange(["reviewer"]);
    expect((await users.reviewer!.post(`/changes/${crId}`, { intent: "review", contentHash: await shownHash(crId), password: PASSWORD })).status).toBe(302);

    const page = await users.qa!.get(`/changes/${crId}`);
    expect(page.text).toMatch(/data-step="cra" data-signed="no"/);
    expect(page.text).toMatch(/data-step="quality-manager" data-signed="no"/);
    const tooSoon = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(crId),
      password: PASSWORD,
      effectiveDate: "2026-12-14",
    });
    expect(tooSoon.status).toBe(400);
    expect(tooSoon.text).toContain("The approval of Clinical Research Associate comes first");

    // Staff may not sign (no signing authority); a data manager does not hold the owner function.
    expect((await users.cra1!.post(`/changes/${crId}`, { intent: "function-approve", contentHash: await shownHash(crId), password: PASSWORD })).status).toBe(
      403,
    );
    const wrongFunction = await users.dm1!.post(`/changes/${crId}`, { intent: "function-approve", contentHash: await shownHash(crId), password: PASSWORD });
    expect(wrongFunction.status).toBe(400);
    expect(wrongFunction.text).toContain("The next approval is for Clinical Research Associate; you do not hold that job function.");

    const ownerPage = await users.cra2!.get(`/changes/${crId}`);
    expect(ownerPage.text).toContain("Sign the Clinical Research Associate approval");
    expect((await users.cra2!.post(`/changes/${crId}`, { intent: "function-approve", contentHash: await shownHash(crId), password: PASSWORD })).status).toBe(
      302,
    );
    const rows = await db<{ username: string; job_function: string }>(
      "SELECT s.username, f.job_function FROM signatures s JOIN function_approvals f ON f.signature_id = s.id WHERE s.cr_id = ?",
      [crId],
    );
    expect(rows).toEqual([{ username: "cra2", job_function: "cra" }]);
    expect((await users.qa!.get(`/changes/${crId}`)).text).toMatch(/data-step="cra" data-signed="yes"/);
  });

  it("refuses an effective date under ten working days unless a quality manager justifies an urgent change", async () => {
    const early = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(crId),
      password: PASSWORD,
      effectiveDate: "2026-12-03",
    });
    expect(early.status).toBe(400);
    expect(early.text).toContain("leaves less than 10 working days for training; choose 2026-12-10 or later");
    const thin = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(crId),
      password: PASSWORD,
      effectiveDate: "2026-12-03",
      urgentJustification: "urgent",
    });
    expect(thin.status).toBe(400);
    expect(thin.text).toContain("at least 20 characters");
    expect(await db("SELECT version FROM document_versions WHERE doc_id = 'WI-CM-001' AND version = '1.2'")).toEqual([]);

    const urgent = "Critical audit finding AF-2026-11: unrecorded SDV findings at two sites.";
    const approved = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(crId),
      password: PASSWORD,
      effectiveDate: "2026-12-03",
      urgentJustification: urgent,
    });
    expect(approved.status).toBe(302);
    expect(await db("SELECT urgent_justification FROM change_requests WHERE id = ?", [crId])).toEqual([{ urgent_justification: urgent }]);
    const [audit] = await db<{ reason: string }>("SELECT reason FROM audit_events WHERE action = 'change-request.approve' AND object_id = ?", [crId]);
    expect(audit!.reason).toBe(`Urgent change: ${urgent}`);
    // The version's commit carries the owner's approval and the justification.
    const repo = new ContentRepository(path.join(dataDir, "content"));
    const trailers = await repo.trailers(
      (await db<{ commit_sha: string }>("SELECT commit_sha FROM document_versions WHERE doc_id = 'WI-CM-001' AND version = '1.2'"))[0]!.commit_sha,
    );
    expect(trailers.get("Quire-Function-Approved-By")?.[0]).toMatch(/^Carlos Ruiz <cra2> \S+ sha256:[0-9a-f]{64} for cra$/);
    expect(trailers.get("Quire-Urgent-Change")).toEqual([urgent]);
  });

  it("does not let the quality manager who reviewed a change give its final approval", async () => {
    const second = await submittedChange(["qa"]);
    expect((await users.qa!.post(`/changes/${second}`, { intent: "review", contentHash: await shownHash(second), password: PASSWORD })).status).toBe(302);
    expect(
      (await users.cra2!.post(`/changes/${second}`, { intent: "function-approve", contentHash: await shownHash(second), password: PASSWORD })).status,
    ).toBe(302);
    const refused = await users.qa!.post(`/changes/${second}`, {
      intent: "approve",
      contentHash: await shownHash(second),
      password: PASSWORD,
      effectiveDate: "2026-12-14",
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("You reviewed this change, so another approver gives its final approval");
  });
});

describe("changing the rules through a change request to SOP-DC-001 (decision 017)", () => {
  const SOP_ROUTE = '<ApprovalRoute type="sop" signers="owner quality-manager" />';
  const NEW_SOP_ROUTE = '<ApprovalRoute type="sop" signers="owner executive-management quality-manager" />';

  it("routes SOPs through executive management from the day the changed SOP-DC-001 takes effect, not before", async () => {
    // SOP-DC-001 is an SOP owned by the document controller: the document controller signs, then a quality manager.
    const change = await openedChange("SOP-DC-001", ["reviewer"], "SOPs change how staff work: executive management approves them too.");
    expect(await routeShown(change)).toEqual(["document-controller", "quality-manager"]);
    await editAndSubmit(change, "sops/SOP-DC-001.mdx", (source) => source.replace(SOP_ROUTE, NEW_SOP_ROUTE));
    // The draft's new route does not apply to itself: the rules in force route it.
    expect(await routeShown(change)).toEqual(["document-controller", "quality-manager"]);
    expect((await users.reviewer!.post(`/changes/${change}`, { intent: "review", contentHash: await shownHash(change), password: PASSWORD })).status).toBe(302);
    expect((await users.dc!.post(`/changes/${change}`, { intent: "function-approve", contentHash: await shownHash(change), password: PASSWORD })).status).toBe(
      302,
    );
    const approved = await users.qa!.post(`/changes/${change}`, {
      intent: "approve",
      contentHash: await shownHash(change),
      password: PASSWORD,
      effectiveDate: "2026-12-10",
    });
    expect(approved.status).toBe(302);
    expect(await db("SELECT effective_from FROM document_versions WHERE doc_id = 'SOP-DC-001' AND version = '2.1'")).toEqual([
      { effective_from: "2026-12-10" },
    ]);

    // Approved, not yet effective: a new change request to an SOP still needs the owner and the quality manager only.
    const next = await openedChange("SOP-CM-001", ["reviewer"], "Name the monitoring plan template in the planning step.");
    expect(await routeShown(next)).toEqual(["cra", "quality-manager"]);

    // From the effective date, SOP-DC-001 v2.1's route applies; forms keep theirs.
    clock.set("2026-12-10T10:00:00Z");
    for (const name of ["author", "qa"]) users[name] = await signedIn(server.url, name);
    expect(await routeShown(next)).toEqual(["cra", "executive-management", "quality-manager"]);
    const form = await openedChange("FRM-SS-001", ["reviewer"], "Add the site contact e-mail address to the form.");
    expect(await routeShown(form)).toEqual(["cra", "quality-manager"]);
  });
});
