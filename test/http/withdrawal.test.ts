import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runQuire } from "../helpers/cli";
import { TestClock } from "../helpers/clock";
import { copyDataFolder } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * SOP-DC-001 "Withdraw obsolete documents", as the demo runs it: the document controller raises a
 * withdrawal request, the owner function approves it first, then a quality manager gives the final
 * approval, which records the retirement. Each waits in the signer's My tasks in turn.
 */
let server: RunningServer;
let dataDir: string;
const users: Record<string, HttpClient> = {};
const clock = new TestClock("2026-11-26T10:00:00Z");
const PASSWORD = "quire-demo-2026";
const RETIRE_FROM = "2026-12-14";

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  server = await startServer(dataDir, clock.env);
  for (const name of ["dc", "dm1", "qa", "cra2"]) users[name] = await signedIn(server.url, name);
});
afterAll(async () => {
  await server?.stop();
});

const db = <T>(sql: string, params: string[] = []) => queryDataFolder<T>(dataDir, sql, params);

async function request(docId: string, reason: string): Promise<string> {
  const res = await users.dc!.post(`/documents/${docId}/retire`, { reason, effectiveFrom: RETIRE_FROM });
  expect(res.status, res.text).toBe(302);
  return /\/changes\/(CR-\d{4}-\d{4})\/withdrawal/.exec(res.headers.get("location") ?? "")![1]!;
}

function contentHashOf(html: string): string {
  return /name="contentHash" value="([0-9a-f]{64})"/.exec(html)?.[1] ?? "";
}

const tasksOf = async (name: string) => (await users[name]!.get("/tasks")).text;

describe("withdrawing a document through a change request (owner function, then quality manager)", () => {
  it("asks the data manager first; the quality manager cannot sign before", async () => {
    const crId = await request("SOP-DM-001", "Data management moves to the sponsor's EDC vendor, under their SOPs.");
    expect(await tasksOf("dm1")).toContain(crId);
    expect(await tasksOf("qa")).not.toContain(crId);

    const qaPage = await users.qa!.get(`/changes/${crId}/withdrawal`);
    expect(qaPage.text).toContain("The next approval is for Data Manager; you do not hold that job function.");
    expect(qaPage.text).not.toContain('name="password"');
    const hash = await users.dm1!.get(`/changes/${crId}/withdrawal`).then((r) => contentHashOf(r.text));
    const early = await users.qa!.post(`/changes/${crId}/withdrawal`, { intent: "sign", password: PASSWORD, contentHash: hash });
    expect(early.status).toBe(400);
    expect(early.text).toContain("The next approval is for Data Manager");

    const owner = await users.dm1!.post(`/changes/${crId}/withdrawal`, { intent: "sign", password: PASSWORD, contentHash: hash });
    expect([owner.status, owner.headers.get("location")]).toEqual([302, `/changes/${crId}/withdrawal?notice=withdrawal-approved`]);
    expect(await tasksOf("dm1")).not.toContain(crId);
    expect(await tasksOf("qa")).toContain(crId);
    expect(await db("SELECT doc_id FROM retirements WHERE doc_id = 'SOP-DM-001'")).toHaveLength(0);

    clock.set("2026-11-26T10:10:00Z");
    const final = await users.qa!.post(`/changes/${crId}/withdrawal`, { intent: "sign", password: PASSWORD, contentHash: hash });
    expect([final.status, final.headers.get("location")]).toEqual([302, "/documents/SOP-DM-001/retire?notice=document-retired"]);

    const signed = await db<{ meaning: string; username: string; job_function: string | null; content_hash: string; version: string }>(
      `SELECT s.meaning, s.username, f.job_function, s.content_hash, s.version FROM signatures s
         LEFT JOIN function_approvals f ON f.signature_id = s.id WHERE s.cr_id = ? ORDER BY s.id`,
      [crId],
    );
    const [current] = await db<{ version: string; content_hash: string }>(
      "SELECT version, content_hash FROM document_versions WHERE doc_id = 'SOP-DM-001' ORDER BY approved_at DESC LIMIT 1",
    );
    expect(signed).toEqual([
      { meaning: "Withdrawal approval", username: "dm1", job_function: "data-manager", content_hash: current!.content_hash, version: current!.version },
      { meaning: "Retired", username: "qa", job_function: null, content_hash: current!.content_hash, version: current!.version },
    ]);
    expect(await db("SELECT effective_from FROM retirements WHERE doc_id = 'SOP-DM-001'")).toEqual([{ effective_from: RETIRE_FROM }]);
    expect(await db("SELECT state FROM change_requests WHERE id = ?", [crId])).toEqual([{ state: "approved" }]);

    // The record reads in one place: the request, both approvals in order, the retirement.
    const record = (await users.cra2!.get(`/changes/${crId}/withdrawal`)).text;
    expect(record).toContain("Approved: retirement recorded");
    expect(record).toMatch(/Withdrawal approval[\s\S]*Dana Kim[\s\S]*Retired[\s\S]*Quinn Avery/);
    // The whole record still checks: git, signatures and the audit trail agree.
    const verify = runQuire(["verify"], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: "2026-11-26T10:15:00Z" });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    // And the document's signatures show the withdrawal after the approval that made the version.
    const history = (await users.cra2!.get(`/documents/SOP-DM-001?version=${current!.version}`)).text;
    expect(history).toContain("Withdrawal approval");
  });

  it("closes a rejected request with its reason; the document stays in force and a new request can be raised", async () => {
    const crId = await request("FRM-TR-001", "Training records now come from the LMS export.");
    const rejected = await users.qa!.post(`/changes/${crId}/withdrawal`, { intent: "reject", reason: "Sessions held off-line still use this form." });
    expect(rejected.status).toBe(302);
    expect(await db("SELECT state FROM change_requests WHERE id = ?", [crId])).toEqual([{ state: "rejected" }]);
    const page = (await users.dc!.get(`/changes/${crId}/withdrawal`)).text;
    expect(page).toContain("Sessions held off-line still use this form.");
    expect(page).not.toContain('name="password"');
    // Nothing more can be signed on a closed request.
    const late = await users.qa!.post(`/changes/${crId}/withdrawal`, { intent: "sign", password: PASSWORD, contentHash: "a".repeat(64) });
    expect(late.status).toBe(400);
    expect(await db("SELECT doc_id FROM retirements WHERE doc_id = 'FRM-TR-001'")).toHaveLength(0);
    const again = await request("FRM-TR-001", "The sponsor's form now replaces ours in every study.");
    expect(again).not.toBe(crId);
    // The requester may cancel an open request; it is recorded, not deleted.
    const cancelled = await users.dc!.post(`/changes/${again}/withdrawal`, { intent: "cancel", reason: "Raised too early: wait for study close-out." });
    expect(cancelled.status).toBe(302);
    expect(await db("SELECT state FROM change_requests WHERE id = ?", [again])).toEqual([{ state: "withdrawn" }]);
  });
});
