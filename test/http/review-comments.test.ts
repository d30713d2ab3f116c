import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database, type SqlParams } from "~/db/db.server";
import { ContentRepository } from "~/modules/content/repository.server";

import { TestClock } from "../helpers/clock";
import { copyDataFolder } from "../helpers/data-folder";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * Reading and resolving drafts (SOP-DC-001, "Review the draft"): reviewers read the whole draft as
 * it will read, watermarked DRAFT, beside its redline; a comment can be on a section; the author
 * resolves each comment (text changed, or why not) and approval waits until every one is resolved.
 */
let server: RunningServer;
let dataDir: string;
const users: Record<string, HttpClient> = {};
const clock = new TestClock("2026-11-25T10:00:00Z");
const PASSWORD = "quire-demo-2026";
let crId = "";

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("fixture-demo"));
  server = await startServer(dataDir, clock.env);
  for (const name of ["author", "reviewer", "qa", "cra1"]) users[name] = await signedIn(server.url, name);
});
afterAll(async () => {
  await server?.stop();
});

async function rows<T>(sql: string, params: SqlParams = []): Promise<T[]> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await db.all<T>(sql, params);
  } finally {
    await db.close();
  }
}

async function shownHash(): Promise<string> {
  return /data-content-hash="([0-9a-f]{64})"/.exec((await users.qa!.get(`/changes/${crId}`)).text)?.[1] ?? "";
}

function commentIds(html: string, open: "yes" | "no"): number[] {
  return [...html.matchAll(new RegExp(`data-comment="(\\d+)" data-open="${open}"`, "g"))].map((m) => Number(m[1]));
}

describe("reading and resolving a draft", () => {
  it("shows reviewers the whole draft watermarked DRAFT beside the redline, and keeps it from staff", async () => {
    const [reviewer] = await rows<{ id: string }>("SELECT id FROM users WHERE username = 'reviewer'");
    const opened = await users.author!.post("/changes/new", {
      target: "existing",
      docId: "SOP-TS-001",
      reason: "Ask for the visit report within 5 working days.",
      revision: "minor",
      retrainingRequired: "no",
      proposedEffectiveDate: "2026-12-10",
      reviewerIds: [reviewer!.id],
    });
    crId = /\/changes\/(CR-\d{4}-\d{4})\/edit/.exec(opened.headers.get("location") ?? "")![1]!;
    const repo = new ContentRepository(path.join(dataDir, "content"));
    const head = (await repo.branchHead(`cr/${crId}`))!;
    const source = await repo.readFile(head, "sops/SOP-TS-001.mdx");
    const edited = source.replace("within 10 working days", "within 5 working days");
    expect((await users.author!.post(`/changes/${crId}/edit`, { source: edited, expectedHead: head })).status).toBe(302);
    expect((await users.author!.post(`/changes/${crId}`, { intent: "submit", contentHash: await shownHash(), password: PASSWORD })).status).toBe(302);

    const page = await users.reviewer!.get(`/changes/${crId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("The draft as it will read");
    expect(page.text).toMatch(/<div class="draft-copy" data-watermark="DRAFT"><article class="document-body"[^>]*>[\s\S]*within 5 working days/);
    // The section list offers the draft's headings and steps.
    expect(page.text).toContain('<option value="Purpose">Purpose</option>');
    expect(page.text).toContain('<option value="Step: Report the visit">Step: Report the visit</option>');
    expect((await users.cra1!.get(`/changes/${crId}`)).status).toBe(403);
  });

  it("records a comment on a section, and refuses a section the draft does not have", async () => {
    const bad = await users.reviewer!.post(`/changes/${crId}`, { intent: "comment", body: "Too short?", section: "Nowhere" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("The draft has no section");
    const ok = await users.reviewer!.post(`/changes/${crId}`, {
      intent: "comment",
      body: "Five days is too short for remote visits.",
      section: "Step: Report the visit",
    });
    expect(ok.status).toBe(302);
    expect(await rows("SELECT section, kind FROM change_request_comments WHERE cr_id = ?", [crId])).toEqual([
      { section: "Step: Report the visit", kind: "comment" },
    ]);
  });

  it("holds approval while a comment is open, and lets only the author resolve it, once", async () => {
    expect((await users.reviewer!.post(`/changes/${crId}`, { intent: "review", contentHash: await shownHash(), password: PASSWORD })).status).toBe(302);
    const early = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(),
      password: PASSWORD,
      effectiveDate: "2026-12-10",
    });
    expect(early.status).toBe(400);
    expect(early.text).toContain("1 review comment(s) are not resolved yet");
    const [id] = commentIds((await users.author!.get(`/changes/${crId}`)).text, "yes");
    expect(id).toBeGreaterThan(0);
    const commentId = String(id);

    expect((await users.reviewer!.post(`/changes/${crId}`, { intent: "resolve", commentId, outcome: "no-change", note: "Not mine to close." })).status).toBe(
      403,
    );
    const noNote = await users.author!.post(`/changes/${crId}`, { intent: "resolve", commentId, outcome: "no-change", note: "" });
    expect(noNote.status).toBe(400);
    const resolved = await users.author!.post(`/changes/${crId}`, {
      intent: "resolve",
      commentId,
      outcome: "no-change",
      note: "Remote visit reports are due within 5 days too, as SOP-CM-001 already requires.",
    });
    expect(resolved.status).toBe(302);
    const again = await users.author!.post(`/changes/${crId}`, { intent: "resolve", commentId, outcome: "changed", note: "Changed my mind." });
    expect(again.status).toBe(409);
    const page = (await users.qa!.get(`/changes/${crId}`)).text;
    expect(commentIds(page, "no")).toEqual([id]);
    expect(page).toContain("No change needed");
    const [audit] = await rows<{ reason: string; username: string }>(
      "SELECT reason, username FROM audit_events WHERE action = 'change-request.comment.resolve' AND object_id = ?",
      [crId],
    );
    expect(audit).toEqual({ reason: "Remote visit reports are due within 5 days too, as SOP-CM-001 already requires.", username: "author" });

    const approved = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(),
      password: PASSWORD,
      effectiveDate: "2026-12-10",
    });
    expect(approved.status).toBe(302);
  });
});
