import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";

import { TestClock } from "../helpers/clock";
import { copyDataFolder } from "../helpers/data-folder";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

// Issue 13's smaller points, as a reader gets them over HTTP from the project demo on 2026-11-25.
// SOP-DM-001 v1.0 was superseded by v2.0 on 2026-05-04; cra2 never signed SOP-CM-001 v2.0 (overdue
// since 2026-04-06).
const TODAY = "2026-11-25";

let server: RunningServer;
let reader: HttpClient;
let trainer: HttpClient;
let cra2: HttpClient;

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: `${TODAY}T10:00:00Z` });
  [reader, trainer, cra2] = await Promise.all([signedIn(server.url, "cra1"), signedIn(server.url, "trainer"), signedIn(server.url, "cra2")]);
});
afterAll(async () => {
  await server?.stop();
});

function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The metadata panel's value for a term, as text. */
function panelValue(html: string, term: string): string {
  const dd = new RegExp(`<dt>${term}</dt><dd>([\\s\\S]*?)</dd>`).exec(html);
  if (!dd) throw new Error(`no <dt>${term}</dt> on the page`);
  return textOf(dd[1]!);
}

function banner(html: string): string {
  return textOf(/<p class="banner banner-warning" role="status">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? "");
}

describe("a version's status is dated the same way in the banner and the panel", () => {
  it("says a superseded version was superseded on the day the next took effect, in both, never on today", async () => {
    const { status, text } = await reader.get("/documents/SOP-DM-001?version=1.0");
    expect(status).toBe(200);
    expect(banner(text)).toMatch(/^Superseded on 2026-05-04: this version is shown for reference only\./);
    expect(panelValue(text, "Status")).toBe("Superseded on 2026-05-04");
    expect(text).not.toContain(`Superseded on ${TODAY}`);
  });

  it("dates the version in force by the day shown, with no banner", async () => {
    const { text } = await reader.get("/documents/SOP-DM-001");
    expect(panelValue(text, "Status")).toBe(`Effective on ${TODAY}`);
    expect(banner(text)).toBe("");
  });
});

describe("overdue is said in words, not by colour alone", () => {
  it("in My training: the overdue item carries the Overdue badge and how many days", async () => {
    const { status, text } = await cra2.get("/training");
    expect(status).toBe(200);
    const items = [...text.matchAll(/<li class="training-item training-overdue"[^>]*>([\s\S]*?)<\/li>/g)].map((m) => textOf(m[1]!));
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item).toMatch(/Overdue Due \d{4}-\d\d-\d\d ?, \d+ days overdue/);
    expect(items.some((i) => i.includes("SOP-CM-001"))).toBe(true);
  });

  it("in the people list: the red count sits in the column headed Overdue, with the longest delay in days", async () => {
    const { text } = await trainer.get("/training/people?status=overdue");
    const headers = [...(/<thead>([\s\S]*?)<\/thead>/.exec(text)?.[1] ?? "").matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => textOf(m[1]!));
    const row = /<tr data-username="cra2">([\s\S]*?)<\/tr>/.exec(text)![1]!;
    const cells = [...row.matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)];
    const overdueCell = cells.findIndex((c) => c[1]!.includes('class="overdue"'));
    expect(overdueCell).toBeGreaterThan(-1);
    expect(headers[overdueCell]).toBe("Overdue");
    expect(textOf(cells[overdueCell]![2]!)).toMatch(/^\d+ \(up to \d+ days\)$/);
  });
});

/** The document route's data in the hydration script of a full page load. */
function hydrationBody(html: string): { hash: string; html: string | null } {
  const script = /window\.__remixContext = (\{[\s\S]*?\});<\/script>/.exec(html);
  if (!script) throw new Error("no window.__remixContext on the page");
  const context = JSON.parse(script[1]!) as { state: { loaderData: Record<string, { body: { hash: string; html: string | null } }> } };
  return context.state.loaderData["routes/documents.$docId"]!.body;
}

/** The document route's loader data as a client-side navigation fetches it (Remix v2: `?_data=`). */
async function navigationBody(client: HttpClient, search: string): Promise<{ hash: string; html: string | null }> {
  const res = await client.get(`/documents/SOP-DM-001?${search}${search ? "&" : ""}_data=${encodeURIComponent("routes/documents.$docId")}`);
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { body: { hash: string; html: string | null } }).body;
}

// docs/decisions/002: the body HTML reaches a full page load once (in the markup, through the request's
// own load context, not a process-wide map), and a client-side navigation in its loader data.
describe("the rendered body travels once", () => {
  it("a full page load carries it in the markup and not in the hydration data", async () => {
    const { text } = await reader.get("/documents/SOP-DM-001?version=1.0");
    const body = hydrationBody(text);
    expect(body.html).toBeNull();
    const markup = new RegExp(`<div class="document-body" id="body-${body.hash}">([\\s\\S]*?)</div>`).exec(text);
    expect(markup?.[1]).toMatch(/^<h2 id="purpose">Purpose<\/h2>/);
  });

  it("a client-side navigation gets the body in its loader data, the same body the page shows", async () => {
    const { text } = await reader.get("/documents/SOP-DM-001?version=1.0");
    const body = await navigationBody(reader, "version=1.0");
    expect(body.hash).toBe(hydrationBody(text).hash);
    expect(body.html).toMatch(/^<h2 id="purpose">Purpose<\/h2>/);
    expect(text).toContain(body.html!.replace(/<!-- -->/g, ""));
  });

  it("a client-side navigation to a point in time gets the body of the version in force that day", async () => {
    const older = await navigationBody(reader, "version=1.0");
    const current = await navigationBody(reader, "");
    expect(current.hash).not.toBe(older.hash);
    const thatDay = await navigationBody(reader, "on=2026-03-01");
    expect(thatDay).toEqual(older);
  });
});

// app/web/page-responses.server.ts: a page the same session read a moment ago is sent again unchanged,
// but only while nothing it depends on has changed: the day, the session's validity, the database.
describe("a page sent again is never stale", () => {
  const clock = new TestClock("2026-11-25T23:59:50Z");
  let clocked: RunningServer;
  let dataDir: string;

  beforeAll(async () => {
    ({ dataDir } = await copyDataFolder("project-demo"));
    clocked = await startServer(dataDir, clock.env);
  });
  afterAll(async () => {
    await clocked?.stop();
  });

  it("says the new day after midnight, refuses the session once it has been idle too long, and shows a change committed by another connection", async () => {
    const client = await signedIn(clocked.url, "cra1");
    for (let i = 0; i < 3; i++) expect(panelValue((await client.get("/documents/SOP-DM-001")).text, "Status")).toBe("Effective on 2026-11-25");
    // 20 s later (no session write in between): a new day.
    clock.set("2026-11-26T00:00:10Z");
    expect(panelValue((await client.get("/documents/SOP-DM-001")).text, "Status")).toBe("Effective on 2026-11-26");
    expect(panelValue((await client.get("/documents/SOP-DM-001")).text, "Status")).toBe("Effective on 2026-11-26");
    // Idle beyond the limit: refused as the page's own loader would refuse it.
    clock.set("2026-11-26T00:30:10Z");
    const expired = await client.get("/documents/SOP-DM-001");
    expect(expired.status).toBe(302);
    expect(expired.headers.get("location")).toBe("/login?redirectTo=%2Fdocuments%2FSOP-DM-001&expired=idle");

    const again = await signedIn(clocked.url, "cra1");
    for (let i = 0; i < 3; i++) expect((await again.get("/documents/SOP-DM-001")).text).not.toContain("Renamed Reader");
    const db = await Database.open(path.join(dataDir, "quire.db"));
    try {
      await db.transaction((tx) => tx.run("UPDATE users SET display_name = 'Renamed Reader' WHERE username = 'cra1'"));
    } finally {
      await db.close();
    }
    expect((await again.get("/documents/SOP-DM-001")).text).toContain("Renamed Reader");
  });
});
