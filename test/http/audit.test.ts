import path from "node:path";

import sqlite3 from "sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";
import { verifyChain, type AuditRow } from "~/modules/audit/audit";

import { runQuire } from "../helpers/cli";
import { TestClock } from "../helpers/clock";
import { csvObjects } from "../helpers/csv";
import { copyDataFolder } from "../helpers/data-folder";
import { HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let dataDir: string;
let qa: HttpClient;
let inspector: HttpClient;
const clock = new TestClock("2026-11-18T08:00:00.000Z");
const ADDRESS = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

async function failedSignIn(username: string): Promise<void> {
  const res = await new HttpClient(server.url).post("/login", { username, password: "wrong-password" });
  expect(res.status).toBe(401);
}

/** Counts rows straight from SQLite, to check the page against the database rather than itself. */
async function countRows(where: string, params: string[] = []): Promise<number> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return (await db.get<{ n: number }>(`SELECT count(*) AS n FROM audit_events WHERE ${where}`, params))!.n;
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  // Init on the 18th, the first sign-ins on the 20th, the rest on the 25th: three days to filter by.
  ({ dataDir } = await copyDataFolder("project-demo-18"));
  server = await startServer(dataDir, clock.env);
  clock.set("2026-11-20T09:00:00.000Z");
  await signedIn(server.url, "qa");
  for (let i = 0; i < 3; i++) await failedSignIn("ghost");
  clock.set("2026-11-25T10:00:00.000Z");
  // More than a page of one kind of event, so paging can be checked on a filter.
  for (let i = 0; i < 55; i++) await failedSignIn("nobody");
  await failedSignIn('x,"y"');
  await failedSignIn("two\nlines");
  qa = await signedIn(server.url, "qa");
  inspector = await signedIn(server.url, "inspector");
}, 180_000);
afterAll(async () => {
  await server?.stop();
});

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The audit table as rows of [seq, time, user, action, object, old, new, reason, client address]. */
function auditTable(html: string): { seq: number; cells: string[] }[] {
  const body = /<table class="data-table audit-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr data-seq="(\d+)">([\s\S]*?)<\/tr>/g)].map((row) => ({
    seq: Number(row[1]),
    cells: [...row[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      decode(cell[1]!.replace(/<\/(dt|dd|span)>/g, " ").replace(/<[^>]+>/g, ""))
        .replace(/\s+/g, " ")
        .trim(),
    ),
  }));
}

function totalOf(html: string): number {
  const m = /<strong>([\d,]+)<\/strong> matching events?/.exec(html);
  if (!m) throw new Error("no total on the page");
  return Number(m[1]!.replace(/,/g, ""));
}

const column = { seq: 0, time: 1, user: 2, action: 3, object: 4, old: 5, new: 6, reason: 7, address: 8 };

describe("the audit trail page (GET /audit)", () => {
  it("shows quality managers and inspectors the sign-ins just made, with the chain status", async () => {
    const scopes: string[] = [];
    for (const client of [qa, inspector]) {
      const page = await client.get("/audit?user=qa");
      expect(page.status).toBe(200);
      const rows = auditTable(page.text);
      const signins = rows.filter((r) => r.cells[column.action] === "auth.signin");
      expect(signins.map((r) => r.cells[column.time])).toEqual(["2026-11-25 10:00:00", "2026-11-20 09:00:00"]);
      for (const r of signins) {
        expect(r.cells[column.user]).toBe("qa");
        expect(r.cells[column.object]).toBe("session");
        expect(r.cells[column.address]).toMatch(ADDRESS);
      }
      const all = await countRows("1");
      const text = decode(page.text.replace(/<[^>]+>/g, ""));
      expect(text).toContain(`Chain intact: rows 1–${all.toLocaleString("en")}, head sha256`);
      scopes.push(/(All rows were verified now[^.]*|Rows 1–[^;]*; [^.]*)\./.exec(text)?.[1] ?? "");
    }
    // The first view verified every row and left a checkpoint at the head; the second started from it.
    const all = (await countRows("1")).toLocaleString("en");
    expect(scopes).toEqual([
      "All rows were verified now, from row 1",
      `Rows 1–${all} were verified in full on 2026-11-25 10:00 UTC (checkpoint at row ${all}) and its row still matches it; no rows since checkpoint ${all}`,
    ]);
  });

  it("shows every column of a row, values readably", async () => {
    const page = await inspector.get(`/audit?objectId=${encodeURIComponent('x,"y"')}`);
    const rows = auditTable(page.text);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.cells).toEqual([
      String(rows[0]!.seq),
      "2026-11-25 10:00:00",
      "–",
      "auth.signin.failed",
      'user x,"y"',
      "–",
      // The refusal's reason is shown once, in the Reason column, saying where it is recorded.
      "–",
      "unknown user name recorded in the new values (reason)",
      expect.stringMatching(ADDRESS),
    ]);
    const created = auditTable((await inspector.get("/audit?action=user.create&objectId=qa")).text);
    expect(created[0]!.cells[column.user]).toBe("system");
    expect(created[0]!.cells[column.new]).toContain("Roles: quality-manager");
  });

  it("lists newest first, 50 to a page, with the total matching count", async () => {
    const page = await inspector.get("/audit");
    const rows = auditTable(page.text);
    expect(rows).toHaveLength(50);
    expect(totalOf(page.text)).toBe(await countRows("1"));
    const seqs = rows.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(seqs[0]).toBe(await countRows("1"));
  });

  it("filters by user, exact action, action prefix and object", async () => {
    const byUser = auditTable((await inspector.get("/audit?user=QA")).text);
    expect(byUser.length).toBeGreaterThan(0);
    expect(new Set(byUser.map((r) => r.cells[column.user]))).toEqual(new Set(["qa"]));

    const exact = await inspector.get("/audit?action=auth.signin");
    const exactRows = auditTable(exact.text);
    expect(new Set(exactRows.map((r) => r.cells[column.action]))).toEqual(new Set(["auth.signin"]));
    expect(new Set(exactRows.map((r) => r.cells[column.user]))).toEqual(new Set(["qa", "inspector"]));
    expect(totalOf(exact.text)).toBe(await countRows("action = 'auth.signin'"));

    const prefix = await inspector.get("/audit?action=auth.");
    expect(totalOf(prefix.text)).toBe(await countRows("action LIKE 'auth.%'"));
    const prefixActions = new Set(auditTable(prefix.text).map((r) => r.cells[column.action]));
    expect(prefixActions).toContain("auth.signin.failed");
    expect([...prefixActions].every((a) => a!.startsWith("auth."))).toBe(true);

    const jobFunctions = auditTable((await inspector.get("/audit?objectType=job-function")).text);
    expect(jobFunctions.length).toBe(await countRows("object_type = 'job-function'"));
    expect(jobFunctions.every((r) => r.cells[column.object]!.startsWith("job-function "))).toBe(true);
  });

  it("filters by UTC date range, both ends inclusive", async () => {
    const day = await inspector.get("/audit?from=2026-11-20&to=2026-11-20");
    const rows = auditTable(day.text);
    expect(rows.map((r) => `${r.cells[column.time]} ${r.cells[column.user]} ${r.cells[column.action]}`)).toEqual([
      "2026-11-20 09:00:00 – auth.signin.failed",
      "2026-11-20 09:00:00 – auth.signin.failed",
      "2026-11-20 09:00:00 – auth.signin.failed",
      "2026-11-20 09:00:00 qa auth.signin",
    ]);
    const since = await inspector.get("/audit?from=2026-11-25&action=auth.signin");
    expect(auditTable(since.text).map((r) => r.cells[column.user])).toEqual(["inspector", "qa"]);
    const until = await inspector.get("/audit?to=2026-11-18");
    expect(totalOf(until.text)).toBe(await countRows("at < '2026-11-19'"));
    // Up to the 18th inclusive (the demo's change requests reach back into 2025; newest recorded first).
    const times = auditTable(until.text).map((r) => r.cells[column.time]!);
    expect(times.length).toBeGreaterThan(0);
    expect(times.filter((t) => t >= "2026-11-19")).toEqual([]);
  });

  it("pages with plain links that keep the filter", async () => {
    const first = await inspector.get("/audit?objectId=nobody");
    expect(totalOf(first.text)).toBe(55);
    expect(first.text).toContain("Page 1 of 2");
    expect(first.text).toMatch(/<a rel="next"[^>]* href="\/audit\?objectId=nobody&amp;page=2">/);
    const one = auditTable(first.text);
    const second = await inspector.get("/audit?objectId=nobody&page=2");
    const two = auditTable(second.text);
    expect(second.text).toMatch(/<a rel="prev"[^>]* href="\/audit\?objectId=nobody">/);
    expect(one).toHaveLength(50);
    expect(two).toHaveLength(5);
    const seqs = [...one, ...two].map((r) => r.seq);
    expect(new Set(seqs).size).toBe(55);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect([...one, ...two].every((r) => r.cells[column.object] === "user nobody")).toBe(true);

    const beyond = await inspector.get("/audit?objectId=nobody&page=99");
    expect(beyond.status).toBe(200);
    expect(beyond.text).toContain("There are only 2 pages for these filters; showing the last.");
    expect(auditTable(beyond.text).map((r) => r.seq)).toEqual(two.map((r) => r.seq));
  });

  it("answers bad filter values with 400 and a message naming each, never a server error; the export refuses them", async () => {
    const bad = await inspector.get("/audit?from=2026-13-45&to=soon&page=-3&action=%3Cscript%3E&user=" + "u".repeat(100));
    expect(bad.status).toBe(400);
    const text = decode(bad.text);
    expect(text).toContain("Ignored the from date “2026-13-45”: not a date in the form YYYY-MM-DD.");
    expect(text).toContain("Ignored the to date “soon”");
    expect(text).toContain("Ignored the page “-3”: pages are numbered from 1.");
    expect(text).toContain("Ignored the action “<script>”");
    expect(text).toContain("Ignored the user");
    expect(totalOf(bad.text)).toBe(await countRows("1"));
    const reversed = await inspector.get("/audit?from=2026-11-25&to=2026-11-18");
    expect(reversed.status).toBe(400);
    const csv = await inspector.get("/audit.csv?from=garbage");
    expect(csv.status).toBe(400);
    expect(decode(csv.text)).toContain("Nothing was exported: Ignored the from date “garbage”");
    expect(reversed.text).toContain("Ignored the date range: the from date 2026-11-25 is after the to date 2026-11-18.");
    const none = await inspector.get("/audit?user=nobody-at-all");
    expect(none.text).toContain("No audit event matches these filters.");
  });

  it("offers the users, actions and object types that occur in the trail", async () => {
    const { text } = await inspector.get("/audit");
    const select = (name: string) =>
      [...(new RegExp(`<select id="audit-${name}" name="${name}"[\\s\\S]*?</select>`).exec(text)?.[0] ?? "").matchAll(/<option value="([^"]*)"/g)].map((m) =>
        decode(m[1]!),
      );
    expect(select("user")).toEqual(expect.arrayContaining(["", "qa", "inspector", "system"]));
    expect(select("action")).toEqual(expect.arrayContaining(["auth.", "user.", "auth.signin", "auth.signin.failed", "user.create"]));
    expect(select("objectType")).toEqual(expect.arrayContaining(["session", "user", "job-function", "data-folder"]));
  });

  it("refuses users without audit.read and sends anonymous visitors to sign in", async () => {
    const cra = await signedIn(server.url, "cra1");
    for (const p of ["/audit", "/audit.csv"]) {
      const refused = await cra.get(p);
      expect(refused.status).toBe(403);
      expect(refused.text).toContain("You do not have the permission audit.read");
      const anonymous = await new HttpClient(server.url).get(`${p}?user=qa`);
      expect(anonymous.status).toBe(302);
      expect(anonymous.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(`${p}?user=qa`)}`);
    }
  });
});

describe("the CSV export (GET /audit.csv)", () => {
  it("exports every matching row as RFC 4180 CSV, and audits the export", async () => {
    const filter = "action=auth.signin.failed";
    const pageTotal = totalOf((await inspector.get(`/audit?${filter}`)).text);
    const res = await inspector.get(`/audit.csv?${filter}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="quire-audit-2026-11-20-2026-11-25.csv"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { header, rows } = csvObjects(res.text);
    expect(header).toEqual([
      "seq",
      "at",
      "user_id",
      "username",
      "action",
      "object_type",
      "object_id",
      "old_values",
      "new_values",
      "reason",
      "client_address",
      "prev_hash",
      "hash",
    ]);
    expect(rows).toHaveLength(pageTotal);
    expect(rows.every((r) => r.action === "auth.signin.failed")).toBe(true);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((r) => Number(r.seq)).sort((a, b) => a - b));
    // Values with a comma, quotes and a line break come back exactly.
    expect(rows.map((r) => r.object_id)).toEqual(expect.arrayContaining(['x,"y"', "two\nlines", "nobody", "ghost"]));
    expect(rows.find((r) => r.object_id === 'x,"y"')).toMatchObject({ username: null, new_values: '{"reason":"unknown user name"}' });
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash!) && /^[0-9a-f]{64}$/.test(r.prev_hash!))).toBe(true);

    const exports = auditTable((await inspector.get("/audit?action=audit.export")).text);
    expect(exports).toHaveLength(1);
    expect(exports[0]!.cells[column.user]).toBe("inspector");
    expect(exports[0]!.cells[column.object]).toBe("audit-trail");
    expect(exports[0]!.cells[column.new]).toBe(`Action: auth.signin.failed Format: csv Rows: ${pageTotal} Up to seq: ${rows.at(-1)!.seq}`);
    expect(exports[0]!.seq).toBeGreaterThan(Number(rows.at(-1)!.seq));
  });

  it("names the file by the filter's dates and can be re-verified outside Quire", async () => {
    const dated = await qa.get("/audit.csv?from=2026-11-18&to=2026-11-20");
    expect(dated.headers.get("content-disposition")).toBe('attachment; filename="quire-audit-2026-11-18-2026-11-20.csv"');
    expect(csvObjects(dated.text).rows.every((r) => r.at! < "2026-11-21")).toBe(true);

    const full = await inspector.get("/audit.csv");
    const { rows } = csvObjects(full.text);
    const rebuilt = rows.map((r) => ({ ...r, seq: Number(r.seq) }) as unknown as AuditRow);
    expect(verifyChain(rebuilt, null)).toMatchObject({ ok: true, count: rows.length });
    // The export rows written so far are themselves in the trail, each after what it exported.
    expect(rows.filter((r) => r.action === "audit.export").map((r) => r.username)).toEqual(["inspector", "qa"]);
  });
});

describe("a tampered trail", () => {
  function tamper(sql: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const db = new sqlite3.Database(path.join(dataDir, "quire.db"), (err) => {
        if (err) return reject(err);
        db.exec(sql, (e) => db.close(() => (e ? reject(e) : resolve())));
      });
    });
  }

  async function latestCheckpointSeq(): Promise<number> {
    const db = await Database.open(path.join(dataDir, "quire.db"));
    try {
      return (await db.get<{ seq: number }>("SELECT max(seq) AS seq FROM audit_checkpoints"))!.seq;
    } finally {
      await db.close();
    }
  }

  it("still shows only what it checked when a row before the checkpoint is changed; the full verification names it", async () => {
    const checkpoint = await latestCheckpointSeq();
    expect(checkpoint).toBeGreaterThan(7);
    await tamper("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET object_id = 'someone-else' WHERE seq = 7;");
    const page = await inspector.get("/audit");
    expect(page.status).toBe(200);
    const text = decode(page.text.replace(/<[^>]+>/g, ""));
    expect(text).toContain("Chain intact: rows 1–");
    // It says plainly which rows this view verified and which it took from the checkpoint.
    expect(text).toContain(`(checkpoint at row ${checkpoint.toLocaleString("en")}) and its row still matches it`);
    expect(text).toContain("npx quire audit verify re-verifies every row.");
    const full = runQuire(["audit", "verify", "--json"], { QUIRE_DATA_DIR: dataDir });
    expect(full.status).toBe(1);
    expect(JSON.parse(full.stdout)).toMatchObject({ ok: false, seq: 7, problem: "changed" });
  });

  it("shows a red banner naming the first bad row after the checkpoint", async () => {
    const checkpoint = await latestCheckpointSeq();
    await failedSignIn("after-checkpoint");
    await failedSignIn("after-checkpoint");
    const changed = checkpoint + 1;
    await tamper(`UPDATE audit_events SET object_id = 'someone-else' WHERE seq = ${changed};`);
    const page = await inspector.get("/audit");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(
      new RegExp(
        `<div class="banner banner-error chain-status" role="alert"><p><strong>Chain broken at row ${changed} \\(changed\\):</strong> row ${changed} was changed`,
      ),
    );
    expect(page.text).not.toContain("Chain intact");
    expect(decode(page.text.replace(/<[^>]+>/g, ""))).toContain(`this view checked row ${checkpoint.toLocaleString("en")} and the rows after it`);
    // A broken check records no checkpoint.
    expect(await latestCheckpointSeq()).toBe(checkpoint);
  });
});
