import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database, type SqlParams } from "~/db/db.server";
import { ContentRepository } from "~/modules/content/repository.server";

import { TestClock } from "../helpers/clock";
import { copyDataFolder } from "../helpers/data-folder";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * Small holes closed for issue 9, each through the built server: duplicate reviewers, the draft
 * size limit, line breaks in a new document's title, and the bounded, rate-limited audit of
 * refused cross-site requests.
 */
let server: RunningServer;
let dataDir: string;
let author: HttpClient;
let reviewerId = "";
let qaId = "";
const START = Date.parse("2026-11-25T09:00:00Z");
const clock = new TestClock(START);

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("fixture-demo")); // set up at START
  server = await startServer(dataDir, clock.env);
  author = await signedIn(server.url, "author");
  reviewerId = (await dbGet<{ id: string }>("SELECT id FROM users WHERE username = 'reviewer'"))!.id;
  qaId = (await dbGet<{ id: string }>("SELECT id FROM users WHERE username = 'qa'"))!.id;
});
afterAll(async () => {
  await server?.stop();
});

async function dbAll<T>(sql: string, params: SqlParams = []): Promise<T[]> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await db.all<T>(sql, params);
  } finally {
    await db.close();
  }
}

async function dbGet<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
  return (await dbAll<T>(sql, params))[0];
}

async function count(sql: string, params: SqlParams = []): Promise<number> {
  return (await dbGet<{ n: number }>(sql, params))!.n;
}

function newDocument(docId: string, title: string, reviewerIds: string[]): Record<string, string | string[]> {
  return {
    target: "new",
    docId,
    title,
    type: "sop",
    reason: "A new procedure for the small-holes test.",
    revision: "major",
    retrainingRequired: "no",
    proposedEffectiveDate: "2026-12-01",
    reviewerIds,
  };
}

function hidden(html: string, name: string): string {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "";
}

let crId = "";

describe("naming the same reviewer twice", () => {
  it("gets a field message on the new change request form, and opens nothing", async () => {
    const before = await count("SELECT count(*) AS n FROM change_requests");
    const twice = await author.post("/changes/new", newDocument("SOP-HL-001", "Holes", [reviewerId, reviewerId]));
    expect(twice.status).toBe(400);
    expect(twice.text).toContain("Name each reviewer once.");
    expect(await count("SELECT count(*) AS n FROM change_requests")).toBe(before);

    const opened = await author.post("/changes/new", newDocument("SOP-HL-001", "Holes", [reviewerId]));
    expect(opened.status).toBe(302);
    crId = /^\/changes\/(CR-\d{4}-\d{4})\/edit$/.exec(opened.headers.get("location") ?? "")?.[1] ?? "";
    expect(crId).not.toBe("");
  });

  it("gets a field message on the change-reviewers form, and changes nothing", async () => {
    const twice = await author.post(`/changes/${crId}`, { intent: "reviewers", reviewerIds: [qaId, qaId], reason: "The QA lead reviews as well." });
    expect(twice.status).toBe(400);
    expect(twice.text).toContain("Name each reviewer once.");
    expect(await dbAll("SELECT user_id FROM change_request_reviewers WHERE cr_id = ?", [crId])).toEqual([{ user_id: reviewerId }]);
    expect(await count("SELECT count(*) AS n FROM audit_events WHERE action = 'change-request.reviewers'")).toBe(0);
  });
});

describe("a new document's title", () => {
  it("refuses line breaks and control characters with a field message", async () => {
    const before = await count("SELECT count(*) AS n FROM change_requests");
    for (const title of ["Harmless\nowner: attacker", "Harmless\r\ntraining: none", "Bell\u0007 title", "Next\u0085line"]) {
      const res = await author.post("/changes/new", newDocument("SOP-HL-002", title, [reviewerId]));
      expect(res.status, JSON.stringify(title)).toBe(400);
      expect(res.text).toContain("A title is one line of text: remove line breaks and control characters.");
    }
    expect(await count("SELECT count(*) AS n FROM change_requests")).toBe(before);
  });

  it("writes an ordinary title that YAML would misread as a quoted value, not as frontmatter syntax", async () => {
    const title = 'Audit: "for cause" # and [routine] visits';
    const opened = await author.post("/changes/new", newDocument("SOP-HL-003", title, [reviewerId]));
    expect(opened.status).toBe(302);
    const id = /^\/changes\/(CR-\d{4}-\d{4})\/edit$/.exec(opened.headers.get("location") ?? "")![1]!;
    const preview = JSON.parse(
      (await author.post(`/changes/${id}/preview`, { source: textareaSource((await author.get(`/changes/${id}/edit`)).text) })).text,
    ) as { problems: unknown[]; html: string | null };
    expect(preview.problems).toEqual([]);
  });
});

function textareaSource(html: string): string {
  const raw = /<textarea id="source"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1] ?? "";
  return raw
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("the draft size limit", () => {
  it("refuses a save larger than the preview's limit with a clear message, committing nothing", async () => {
    const editor = await author.get(`/changes/${crId}/edit`);
    const head = hidden(editor.text, "expectedHead");
    const source = textareaSource(editor.text);
    const huge = source + "\n" + "Padding text for a very large draft. ".repeat(15_000);
    const saves = await count("SELECT count(*) AS n FROM audit_events WHERE action = 'change-request.draft.save'");

    const res = await author.post(`/changes/${crId}/edit`, { source: huge, expectedHead: head });
    expect(res.status).toBe(413);
    expect(res.text).toContain("The draft is larger than 512 KB, so it was not saved");
    const repo = new ContentRepository(path.join(dataDir, "content"));
    expect(await repo.branchHead(`cr/${crId}`)).toBe(head);
    expect(await count("SELECT count(*) AS n FROM audit_events WHERE action = 'change-request.draft.save'")).toBe(saves);

    // Bytes count, not characters: 200,000 three-byte characters are about 586 KB.
    const wide = source + "\n" + "€".repeat(200_000);
    expect((await author.post(`/changes/${crId}/edit`, { source: wide, expectedHead: head })).status).toBe(413);

    // Just under the limit still saves.
    const fits = source + "\n" + "x".repeat(400 * 1024);
    expect((await author.post(`/changes/${crId}/edit`, { source: fits, expectedHead: head })).status).toBe(302);
  });
});

describe("refused cross-site requests", () => {
  it("stores a bounded origin and rate-limits the audit rows, while refusing every request", async () => {
    const client = await signedIn(server.url, "cra1");
    const origin = "https://evil.example/" + "a".repeat(10 * 1024);
    const results = await Promise.all(Array.from({ length: 50 }, () => client.post("/logout", {}, origin)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(403));

    const rows = await dbAll<{ new_values: string }>("SELECT new_values FROM audit_events WHERE action = 'security.cross-site-request.refused' ORDER BY seq");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(5);
    for (const row of rows) {
      const values = JSON.parse(row.new_values) as { origin: string; originLength: number };
      expect(values.origin.length).toBeLessThanOrEqual(200);
      expect(values.origin.startsWith("https://evil.example/aaa")).toBe(true);
      expect(values.originLength).toBe(origin.length);
    }

    // A minute later the next refusal is recorded again, carrying the count suppressed meanwhile.
    clock.set(START + 61_000);
    expect((await client.post("/logout", {}, "https://\u00e9vil.example")).status).toBe(403);
    const after = await dbAll<{ new_values: string }>("SELECT new_values FROM audit_events WHERE action = 'security.cross-site-request.refused' ORDER BY seq");
    expect(after).toHaveLength(rows.length + 1);
    expect(JSON.parse(after.at(-1)!.new_values)).toMatchObject({ origin: "https://?vil.example", suppressedBefore: 50 - rows.length });
    clock.set(START);
  });
});
