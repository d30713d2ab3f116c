import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { open } from "~/context.server";

import { copyDataFolder, configFor } from "../helpers/data-folder";
import { createTestUser, TEST_PASSWORD } from "../helpers/factories";
import { HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

// "My tasks" (GET /tasks) on the project demo as init leaves it on 25 November 2026: the reviewer has
// CR-2026-0009 to review; the quality manager CR-2026-0008 to approve and copy SOP-CM-001-1.1-C002 to
// recall; executive management owns POL-QA-001, whose periodic review is overdue. `idle` is a staff
// member with no job function and nothing to do.

let server: RunningServer;

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  const q = await open({ ...configFor(dataDir), fixedNow: "2026-11-25T09:00:00Z" });
  try {
    await createTestUser(q, "idle", { roles: ["staff"], jobFunctions: [] });
  } finally {
    await q.db.close();
  }
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T09:00:00Z" });
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

/** The items of one task group (its data-task-group section), as link text and detail. */
function group(html: string, id: string): string[] {
  const section = new RegExp(`<section[^>]*data-task-group="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(html)?.[1] ?? "";
  return [...section.matchAll(/<li[^>]*><a[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => `${m[2]!.replace(/&#x27;/g, "'")} -> ${m[1]}`);
}

describe("My tasks (GET /tasks)", () => {
  it("shows a reviewer the change request to review, linked to where it is done", async () => {
    const reviewer = await signedIn(server.url, "reviewer");
    const { status, text } = await reviewer.get("/tasks");
    expect(status).toBe(200);
    expect(text).toContain("<h1>My tasks</h1>");
    expect(group(text, "review")).toEqual(["CR-2026-0009 · SOP-DV-001 -> /changes/CR-2026-0009"]);
    expect(group(text, "approve")).toEqual([]);
    expect(text).not.toContain("Nothing is waiting for you");
    // The menu offers the page.
    expect(text).toMatch(/<a[^>]*href="\/tasks"[^>]*>My tasks<\/a>/);
  });

  it("shows a quality manager what to approve and the copies to recall; executive management its overdue periodic review", async () => {
    const qa = await signedIn(server.url, "qa");
    const page = (await qa.get("/tasks")).text;
    expect(group(page, "approve")).toEqual(["CR-2026-0008 · SOP-TR-001 -> /changes/CR-2026-0008"]);
    expect(group(page, "review")).toEqual([]);
    expect(group(page, "copies")).toEqual(["SOP-CM-001-1.1-C002 -> /copies/SOP-CM-001-1.1-C002"]);
    const exec = await signedIn(server.url, "exec");
    const execPage = (await exec.get("/tasks")).text;
    expect(group(execPage, "reviews")).toEqual(["POL-QA-001 -> /documents/POL-QA-001/review"]);
    expect(execPage).toContain("295 days overdue (2026-02-03)");
    // Only document controllers see copies to recall.
    expect(group(execPage, "copies")).toEqual([]);
  });

  it("asks a quality manager to act on the red KPIs of the last complete month (SOP-KP-001), and no one who cannot", async () => {
    const qa = await signedIn(server.url, "qa");
    const kpis = group((await qa.get("/tasks")).text, "kpis");
    // Red in October 2026 without an analysis, and red since September with no open CAPA. Query
    // resolution time (red too) has its analyses and CAPA-0001 in the demo: nothing asked.
    expect(kpis).toEqual([
      "Documents past periodic review -> /kpis/documents-past-review/analysis?period=2026-10",
      "Documents past periodic review -> /kpis/documents-past-review#capa",
      "Overdue training -> /kpis/training-overdue/analysis?period=2026-10",
      "Overdue training -> /kpis/training-overdue#capa",
    ]);
    // SOP-KP-001: the training coordinator and the document controller report their functions' KPIs
    // (KPI reporters): each is asked for the analysis of the KPI their function owns, not for a CAPA.
    const trainer = await signedIn(server.url, "trainer");
    expect(group((await trainer.get("/tasks")).text, "kpis")).toEqual(["Overdue training -> /kpis/training-overdue/analysis?period=2026-10"]);
    const dc = await signedIn(server.url, "dc");
    expect(group((await dc.get("/tasks")).text, "kpis")).toEqual(["Documents past periodic review -> /kpis/documents-past-review/analysis?period=2026-10"]);
    // dm1 records analyses (KPI reporter) but owns none of these KPIs; the reviewer holds the
    // quality-manager function but not actions.manage.
    for (const username of ["dm1", "reviewer"]) {
      const who = await signedIn(server.url, username);
      expect(group((await who.get("/tasks")).text, "kpis"), username).toEqual([]);
    }
  });

  it("shows staff with nothing to do an empty state", async () => {
    const idle = await signedIn(server.url, "idle", TEST_PASSWORD);
    const { status, text } = await idle.get("/tasks");
    expect(status).toBe(200);
    expect(text).toContain("Nothing is waiting for you");
    expect(text).not.toContain("data-task-group");
  });

  it("sends someone not signed in to sign in", async () => {
    const { status, headers } = await new HttpClient(server.url).get("/tasks");
    expect(status).toBe(302);
    expect(headers.get("location")).toBe("/login?redirectTo=%2Ftasks");
  });
});
