import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import sqlite3 from "sqlite3";
import { beforeAll, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";
import { migrate } from "~/db/migrate.server";
import { ChainVerifier, GENESIS_HASH, canonicalJson, rowHash, verifyChain, type AuditRow } from "~/modules/audit/audit";
import { auditCsv, csvField } from "~/modules/audit/audit-csv";
import { auditQueryString, displayValues, exportFileName, parseAuditQuery } from "~/modules/audit/audit-filter";
import {
  AUDIT_COLUMNS,
  allCheckpoints,
  auditFilterOptions,
  auditHashAt,
  exportAudit,
  latestCheckpoint,
  queryAudit,
  recordAudit,
  verifyAndCheckpoint,
  verifyAuditTrail,
  verifySinceCheckpoint,
} from "~/modules/audit/audit.server";

import { runQuire } from "../helpers/cli";
import { parseCsv } from "../helpers/csv";
import { createDataFolder, tempDir } from "../helpers/data-folder";

/** The events added after init, so the trail has middle rows with known content and times. */
const EXTRA_EVENTS = [
  { at: "2026-03-01T10:00:00.000Z", username: "qa", action: "auth.signin", objectType: "session", objectId: null },
  {
    at: "2026-03-01T23:59:59.999Z",
    username: "qa",
    action: "user.update",
    objectType: "user",
    objectId: "author",
    oldValues: { roles: ["author"] },
    newValues: { roles: ["author", "reviewer"] },
    reason: "Covers reviews, per CR-0042",
  },
  { at: "2026-03-02T00:00:00.000Z", username: "admin", action: "user.create", objectType: "user", objectId: "dm2", newValues: { username: "dm2" } },
  {
    at: "2026-03-03T08:00:00.000Z",
    username: null,
    action: "auth.signin.failed",
    objectType: "user",
    objectId: 'x,"y"',
    newValues: { reason: "unknown user name" },
  },
  { at: "2026-03-04T08:00:00.000Z", username: "QA", action: "auth.signin", objectType: "session", objectId: null },
  { at: "2026-03-05T17:30:00.000Z", username: "qa", action: "auth.signout", objectType: "session", objectId: null },
] as const;

let base: string;
let rowCount: number;

beforeAll(async () => {
  ({ dataDir: base } = await createDataFolder({ now: new Date("2026-02-01T09:00:00Z") }));
  const db = await Database.open(path.join(base, "quire.db"));
  await db.transaction(async (tx) => {
    for (const e of EXTRA_EVENTS) {
      await recordAudit(tx, { userId: e.username ? `id-${e.username}` : null, clientAddress: "127.0.0.1", ...e }, new Date(e.at));
    }
  });
  rowCount = (await db.get<{ n: number }>("SELECT count(*) AS n FROM audit_events"))!.n;
  await db.close();
  expect(rowCount).toBeGreaterThanOrEqual(8);
});

/** A copy of the data folder (database and content repository) that a test may break. */
function copyOfDataFolder(): string {
  const dir = path.join(tempDir("quire-audit-"), "data");
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

/** Runs SQL on the database with the sqlite3 package itself, as someone with file access could. */
function tamper(dataDir: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path.join(dataDir, "quire.db"), (err) => {
      if (err) return reject(err);
      db.exec(sql, (execErr) => db.close((closeErr) => ((execErr ?? closeErr) ? reject(execErr ?? closeErr) : resolve())));
    });
  });
}

async function withDb<T>(dataDir: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

// Three rows a batch, so every check below also crosses batch boundaries of the streaming walk.
const verify = (dataDir: string) => withDb(dataDir, (db) => verifyAuditTrail(db, { batchRows: 3 }));
const rowsOf = (dataDir: string) => withDb(dataDir, (db) => db.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events ORDER BY seq`));

/** SQL text for a value (the tamper scripts are written as a person would type them). */
function sql(value: string | number | null): string {
  return value === null ? "NULL" : typeof value === "number" ? String(value) : `'${value.replace(/'/g, "''")}'`;
}

function insertSql(row: AuditRow): string {
  const values = AUDIT_COLUMNS.split(", ").map((c) => sql(row[c as keyof AuditRow]));
  return `INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (${values.join(", ")});`;
}

/** A row whose own hash is right: what a forger who knows the algorithm would write. */
function forged(seq: number, prevHash: string): AuditRow {
  const content: Omit<AuditRow, "hash"> = {
    seq,
    at: "2026-03-03T09:00:00.000Z",
    user_id: "id-qa",
    username: "qa",
    action: "document.approve",
    object_type: "document",
    object_id: "SOP-DM-001",
    old_values: null,
    new_values: canonicalJson({ version: "3.0" }),
    reason: null,
    client_address: "127.0.0.1",
    prev_hash: prevHash,
  };
  return { ...content, hash: rowHash(content) };
}

describe("the hash chain on a real SQLite file", () => {
  it("verifies an untouched trail and reports its head", async () => {
    const rows = await rowsOf(base);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rowCount }, (_, i) => i + 1));
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(await verify(base)).toEqual({ ok: true, count: rowCount, head: rows.at(-1)!.hash, headSeq: rowCount });
    expect(await withDb(base, (db) => verifyAuditTrail(db))).toEqual({ ok: true, count: rowCount, head: rows.at(-1)!.hash, headSeq: rowCount });
  });

  it("refuses UPDATE and DELETE through the triggers (Part 11 §11.10(e))", async () => {
    const dir = copyOfDataFolder();
    await expect(tamper(dir, "UPDATE audit_events SET reason = 'later' WHERE seq = 2")).rejects.toThrow(/append-only: rows are never updated/);
    await expect(tamper(dir, "DELETE FROM audit_events WHERE seq = 2")).rejects.toThrow(/append-only: rows are never deleted/);
    await expect(tamper(dir, "DELETE FROM audit_events")).rejects.toThrow(/never deleted/);
    expect(await verify(dir)).toMatchObject({ ok: true, count: rowCount });
  });

  it("(a) names a row whose values were changed", async () => {
    const dir = copyOfDataFolder();
    await tamper(dir, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET new_values = '{"roles":["author","approver"]}' WHERE seq = 5;`);
    expect(await verify(dir)).toEqual({
      ok: false,
      count: rowCount,
      seq: 5,
      problem: "changed",
      message: "row 5 was changed (its content no longer matches its hash)",
    });
  });

  it("(b) names a middle row that was deleted", async () => {
    const dir = copyOfDataFolder();
    await tamper(dir, "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 6;");
    expect(await verify(dir)).toMatchObject({
      ok: false,
      count: rowCount - 1,
      seq: 6,
      problem: "removed",
      message: expect.stringContaining("jumps from 5 to 7"),
    });
  });

  it("(c) notices that the newest row was deleted, through the recorded head", async () => {
    const dir = copyOfDataFolder();
    await tamper(dir, `DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = ${rowCount};`);
    expect(await verify(dir)).toMatchObject({
      ok: false,
      seq: rowCount,
      problem: "removed",
      message: `row ${rowCount} was removed (the trail ends before the recorded head, row ${rowCount})`,
    });
  });

  it("(c) still notices the deletion after a later event is recorded (no number is reused)", async () => {
    const dir = copyOfDataFolder();
    await tamper(dir, `DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = ${rowCount};`);
    await withDb(dir, (db) =>
      db.transaction((tx) => recordAudit(tx, { userId: null, username: "system", action: "test.event", objectType: "test", objectId: null }, new Date())),
    );
    expect(await verify(dir)).toMatchObject({ ok: false, seq: rowCount, problem: "removed" });
  });

  it("(d) names a forged row appended out of order (linked to an older row)", async () => {
    const dir = copyOfDataFolder();
    const rows = await rowsOf(dir);
    // Correct seq and a correct hash of its own, but it claims to follow the row before the last.
    const row = forged(rowCount + 1, rows.at(-2)!.hash);
    await tamper(dir, insertSql(row));
    expect(await verify(dir)).toMatchObject({
      ok: false,
      seq: rowCount + 1,
      problem: "inserted",
      message: expect.stringContaining(`row ${rowCount + 1} does not link to row ${rowCount}`),
    });
  });

  it("(d) names the first renumbered row when a forged row is inserted in the middle", async () => {
    const dir = copyOfDataFolder();
    const rows = await rowsOf(dir);
    // Make room at 4 (moving rows 4.. up by one, highest first for the primary key), then insert a
    // forged row 4 that links correctly to row 3. The moved rows' seq no longer matches their hash.
    const moves = rows
      .filter((r) => r.seq >= 4)
      .reverse()
      .map((r) => `UPDATE audit_events SET seq = ${r.seq + 1} WHERE seq = ${r.seq};`);
    await tamper(dir, ["DROP TRIGGER audit_events_no_update;", ...moves, insertSql(forged(4, rows[2]!.hash))].join("\n"));
    expect(await verify(dir)).toMatchObject({ ok: false, count: rowCount + 1, seq: 5, problem: "changed" });
  });

  it("names the row after one that was replaced by a self-consistent forgery", async () => {
    const dir = copyOfDataFolder();
    const rows = await rowsOf(dir);
    await tamper(dir, `DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 4; ${insertSql(forged(4, rows[2]!.hash))}`);
    expect(await verify(dir)).toMatchObject({
      ok: false,
      seq: 5,
      problem: "inserted",
      message: "row 5 does not link to row 4: a row was inserted or replaced out of order",
    });
  });

  it("hashes a row as the SHA-256 of the canonical JSON of its twelve values", () => {
    const row = { ...forged(7, "a".repeat(64)), reason: 'quotes " and \\ and\nlines, ünïcode, \u2028', object_id: null };
    const { hash: _hash, ...content } = row;
    const values = [
      content.seq,
      content.at,
      content.user_id,
      content.username,
      content.action,
      content.object_type,
      content.object_id,
      content.old_values,
      content.new_values,
      content.reason,
      content.client_address,
      content.prev_hash,
    ];
    expect(rowHash(content)).toBe(crypto.createHash("sha256").update(canonicalJson(values), "utf8").digest("hex"));
  });

  it("hashes canonical JSON, which does not depend on key order", () => {
    const a = canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: "x" }, skipped: undefined });
    const b = canonicalJson({ a: { c: "x", d: [1, { y: null, z: true }] }, b: 1 });
    expect(a).toBe(b);
    expect(a).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).not.toBe(canonicalJson({ a: 2, b: 1 }));
    const row = forged(1, GENESIS_HASH);
    expect(verifyChain([row], null)).toEqual({ ok: true, count: 1, head: row.hash, headSeq: 1 });
  });
});

describe("queryAudit and the filter", () => {
  const q = (query: string, page = 1) =>
    withDb(base, (db) => {
      const parsed = parseAuditQuery(new URLSearchParams(query));
      return queryAudit(db, parsed.filter, page);
    });

  it("filters by user (any case), exact action, action prefix, object type and id", async () => {
    const byUser = await q("user=qa");
    expect(byUser.rows.map((r) => r.action)).toEqual(["auth.signout", "auth.signin", "user.update", "auth.signin"]);
    expect((await q("action=auth.signin")).rows.map((r) => r.at)).toEqual(["2026-03-04T08:00:00.000Z", "2026-03-01T10:00:00.000Z"]);
    const prefix = await q("action=auth.");
    expect(prefix.rows.map((r) => r.action)).toEqual(["auth.signout", "auth.signin", "auth.signin.failed", "auth.signin"]);
    expect((await q("action=auth.*")).total).toBe(4);
    expect((await q("action=auth.signin.")).rows.map((r) => r.action)).toEqual(["auth.signin.failed"]);
    expect((await q("objectType=user&objectId=author")).rows.map((r) => r.reason)).toEqual(["Covers reviews, per CR-0042"]);
    expect((await q('objectId=x,"y"')).rows).toHaveLength(1);
    expect((await q("user=nobody")).total).toBe(0);
  });

  it("takes from and to as whole UTC days, inclusive", async () => {
    const day = await q("from=2026-03-01&to=2026-03-01");
    expect(day.rows.map((r) => r.at)).toEqual(["2026-03-01T23:59:59.999Z", "2026-03-01T10:00:00.000Z"]);
    expect((await q("from=2026-03-02")).rows.map((r) => r.at.slice(0, 10))).toEqual(["2026-03-05", "2026-03-04", "2026-03-03", "2026-03-02"]);
    expect((await q("to=2026-02-01")).total).toBe(rowCount - EXTRA_EVENTS.length);
  });

  it("pages 50 rows at a time, newest first, and shows the last page for a page beyond the end", async () => {
    const db = await Database.open(path.join(tempDir(), "quire.db"));
    try {
      await migrate(db);
      await db.transaction(async (tx) => {
        for (let i = 0; i < 120; i++) {
          await recordAudit(
            tx,
            { userId: null, username: "u", action: "test.event", objectType: "thing", objectId: String(i) },
            new Date(Date.UTC(2026, 0, 1, 0, i)),
          );
        }
      });
      const p1 = await queryAudit(db, {}, 1);
      expect(p1).toMatchObject({ total: 120, page: 1, pageCount: 3, pageSize: 50 });
      expect(p1.rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 120 - i));
      const p3 = await queryAudit(db, {}, 3);
      expect(p3.rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
      expect(await queryAudit(db, {}, 99)).toMatchObject({ page: 3, rows: p3.rows });
      expect(await auditFilterOptions(db)).toEqual({ users: ["u"], actions: ["test.event"], objectTypes: ["thing"] });
    } finally {
      await db.close();
    }
  });

  it("ignores bad filter values with a note instead of failing", () => {
    const parsed = parseAuditQuery(new URLSearchParams("user=qa&from=2026-13-45&to=yesterday&page=abc&action=<script>&objectId=" + "x".repeat(300)));
    expect(parsed.filter).toEqual({ user: "qa" });
    expect(parsed.page).toBe(1);
    expect(parsed.ignored).toEqual([
      "Ignored the action “<script>”: actions are words joined by dots, such as auth.signin or user..",
      `Ignored the object id “${"x".repeat(40)}…”: longer than any object id.`,
      "Ignored the from date “2026-13-45”: not a date in the form YYYY-MM-DD.",
      "Ignored the to date “yesterday”: not a date in the form YYYY-MM-DD.",
      "Ignored the page “abc”: not a page number.",
    ]);
    const reversed = parseAuditQuery(new URLSearchParams("from=2026-03-05&to=2026-03-01&page=0"));
    expect(reversed.filter).toEqual({});
    expect(reversed.ignored).toEqual([
      "Ignored the date range: the from date 2026-03-05 is after the to date 2026-03-01.",
      "Ignored the page “0”: pages are numbered from 1.",
    ]);
  });

  it("writes the filter back as a stable query string, and names export files by period", () => {
    expect(auditQueryString({ to: "2026-03-02", user: "qa", action: "auth." }, 2)).toBe("?user=qa&action=auth.&to=2026-03-02&page=2");
    expect(auditQueryString({}, 1)).toBe("");
    expect(exportFileName({ from: "2026-03-01", to: "2026-03-02" }, "2026-01-01T00:00:00.000Z", "2026-11-25")).toBe("quire-audit-2026-03-01-2026-03-02.csv");
    expect(exportFileName({}, "2026-01-01T10:00:00.000Z", "2026-11-25")).toBe("quire-audit-2026-01-01-2026-11-25.csv");
    expect(exportFileName({}, null, "2026-11-25")).toBe("quire-audit-2026-11-25-2026-11-25.csv");
  });

  it("shows stored values as key: value pairs, or as JSON when nested", () => {
    expect(displayValues(null)).toEqual({ kind: "none" });
    expect(displayValues('{"active":false,"roles":["author","reviewer"],"why":""}')).toEqual({
      kind: "pairs",
      pairs: [
        ["active", "false"],
        ["roles", "author, reviewer"],
        ["why", "(empty)"],
      ],
    });
    expect(displayValues('{"filter":{"user":"qa"}}')).toEqual({ kind: "json", text: '{\n  "filter": {\n    "user": "qa"\n  }\n}' });
  });
});

describe("the CSV export", () => {
  it("quotes per RFC 4180 and keeps NULL apart from the empty string", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('x,"y"')).toBe('"x,""y"""');
    expect(csvField("two\r\nlines")).toBe('"two\r\nlines"');
    expect(csvField(null)).toBe("");
    expect(csvField("")).toBe('""');
    expect(csvField(42)).toBe("42");
  });

  it("exports every matching row oldest first, audits the export, and the CSV re-verifies", async () => {
    const dir = copyOfDataFolder();
    const { rows, exportSeq } = await withDb(dir, (db) =>
      exportAudit(db, {}, { userId: "id-inspector", username: "inspector", clientAddress: "10.0.0.9" }, new Date("2026-03-06T12:00:00Z")),
    );
    expect(rows).toHaveLength(rowCount);
    expect(exportSeq).toBe(rowCount + 1);
    const csv = auditCsv(rows);
    const [header, ...records] = parseCsv(csv);
    expect(header).toEqual(AUDIT_COLUMNS.split(", "));
    // An inspector's re-verification: rebuild rows from the CSV alone and walk the chain.
    const rebuilt = records.map((r) => {
      const o = Object.fromEntries(header!.map((h, i) => [h, r[i] ?? null])) as Record<string, string | null>;
      return { ...o, seq: Number(o.seq) } as unknown as AuditRow;
    });
    expect(verifyChain(rebuilt, null)).toEqual({ ok: true, count: rowCount, head: rows.at(-1)!.hash, headSeq: rowCount });
    expect(rebuilt.find((r) => r.action === "auth.signin.failed")!.object_id).toBe('x,"y"');

    const filtered = await withDb(dir, (db) =>
      exportAudit(db, { user: "qa", from: "2026-03-02" }, { userId: null, username: "inspector", clientAddress: null }, new Date("2026-03-06T12:00:00Z")),
    );
    expect(filtered.rows.map((r) => r.action)).toEqual(["auth.signin", "auth.signout"]);
    const trail = await rowsOf(dir);
    const exports = trail.filter((r) => r.action === "audit.export");
    expect(exports.map((r) => [r.seq, r.username, r.object_type, r.new_values])).toEqual([
      [rowCount + 1, "inspector", "audit-trail", canonicalJson({ format: "csv", rows: rowCount, throughSeq: rowCount })],
      [rowCount + 2, "inspector", "audit-trail", canonicalJson({ user: "qa", from: "2026-03-02", format: "csv", rows: 2, throughSeq: rowCount })],
    ]);
    expect(await verify(dir)).toMatchObject({ ok: true, count: rowCount + 2 });
  });
});

describe("quire audit verify", () => {
  it("exits 0 with the row count and head for an intact trail", async () => {
    const dir = copyOfDataFolder();
    const head = (await rowsOf(dir)).at(-1)!.hash;
    const json = runQuire(["audit", "verify", "--json"], { QUIRE_DATA_DIR: dir });
    expect(json.stderr).toBe("");
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, rows: rowCount, head, headSeq: rowCount });
    const text = runQuire(["audit", "verify"], { QUIRE_DATA_DIR: dir });
    expect(text.status).toBe(0);
    expect(text.stdout).toBe(`Audit trail intact: ${rowCount} rows; head ${head}; checkpoint recorded at row ${rowCount}\n`);
    // Each passing run records a checkpoint at the head it reached.
    expect(await withDb(dir, allCheckpoints)).toEqual([
      { seq: rowCount, hash: head, verifiedAt: expect.any(String) },
      { seq: rowCount, hash: head, verifiedAt: expect.any(String) },
    ]);
  });

  it("exits 1 naming the first bad row of a tampered trail", async () => {
    const dir = copyOfDataFolder();
    await tamper(dir, "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET reason = 'Covers approvals' WHERE seq = 5;");
    const json = runQuire(["audit", "verify", "--json"], { QUIRE_DATA_DIR: dir });
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      rows: rowCount,
      seq: 5,
      problem: "changed",
      message: "row 5 was changed (its content no longer matches its hash)",
    });
    const text = runQuire(["audit", "verify"], { QUIRE_DATA_DIR: dir });
    expect(text.status).toBe(1);
    expect(await withDb(dir, allCheckpoints)).toEqual([]);
    expect(text.stdout).toContain("Audit trail broken at row 5 (changed): row 5 was changed");
    expect(text.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 when there is no data folder, and has --help", () => {
    const missing = runQuire(["audit", "verify", "--json"], { QUIRE_DATA_DIR: path.join(tempDir(), "none") });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^quire: No Quire data folder at .*none/);
    expect(missing.stdout).toBe("");
    for (const args of [
      ["audit", "--help"],
      ["audit", "verify", "--help"],
    ]) {
      const help = runQuire(args);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain("Usage: quire audit");
    }
    expect(runQuire(["audit", "verify", "--bogus"]).status).toBe(2);
  });
});

describe("streaming verification and checkpoints", () => {
  const recordOne = (db: Database, action = "test.event") =>
    db.transaction((tx) => recordAudit(tx, { userId: null, username: "system", action, objectType: "test", objectId: null }, new Date("2026-03-07T09:00:00Z")));

  it("takes rows one at a time and reaches the same verdicts as a walk over them all", async () => {
    const rows = await rowsOf(base);
    const head = { seq: rows.at(-1)!.seq, hash: rows.at(-1)!.hash };
    const walker = new ChainVerifier(head);
    for (const row of rows) expect(walker.push(row)).toBeNull();
    expect(walker.finish()).toEqual(verifyChain(rows, head));
    // Starting from a verified row (a checkpoint), only the rows after it are pushed.
    const fromFour = new ChainVerifier(head, { seq: 4, hash: rows[3]!.hash });
    for (const row of rows.slice(4)) fromFour.push(row);
    expect(fromFour.finish()).toEqual({ ok: true, count: rowCount, head: head.hash, headSeq: rowCount });
    // A start point that does not match the next row's link is caught at that row.
    const wrongStart = new ChainVerifier(head, { seq: 4, hash: "f".repeat(64) });
    expect(wrongStart.push(rows[4]!)).toMatchObject({ seq: 5, problem: "inserted" });
    // The first break is kept: later rows do not replace it.
    const changed = new ChainVerifier(head);
    changed.push(rows[0]!);
    expect(changed.push({ ...rows[1]!, reason: "later" })).toMatchObject({ seq: 2, problem: "changed" });
    expect(changed.push(rows[2]!)).toMatchObject({ seq: 2 });
    expect(changed.finish()).toMatchObject({ ok: false, seq: 2 });
  });

  it("names a correctly hashed and linked row appended after the recorded head", async () => {
    const dir = copyOfDataFolder();
    const rows = await rowsOf(dir);
    await tamper(dir, insertSql(forged(rowCount + 1, rows.at(-1)!.hash)));
    const expected = {
      ok: false,
      count: rowCount + 1,
      seq: rowCount + 1,
      problem: "appended",
      message: `row ${rowCount + 1} was appended after the recorded head, row ${rowCount}`,
    };
    expect(await verify(dir)).toEqual(expected);
    // Without a recorded head there is nothing to end at: the pure walk alone cannot tell.
    expect(verifyChain([...rows, forged(rowCount + 1, rows.at(-1)!.hash)], null)).toMatchObject({ ok: true });
    const cli = runQuire(["audit", "verify", "--json"], { QUIRE_DATA_DIR: dir });
    expect(cli.status).toBe(1);
    expect(JSON.parse(cli.stdout)).toEqual({ ok: false, rows: rowCount + 1, seq: rowCount + 1, problem: "appended", message: expected.message });
  });

  it("does not mistake an event recorded during the walk for an appended row", async () => {
    const dir = copyOfDataFolder();
    await withDb(dir, async (db) => {
      let recorded = false;
      // The event commits after the walk read the head and its first batch.
      const racing = {
        get: db.get.bind(db),
        all: async <T>(query: string, params?: Parameters<Database["all"]>[1]) => {
          const result = await db.all<T>(query, params);
          if (!recorded && query.includes("seq > ?")) {
            recorded = true;
            await recordOne(db);
          }
          return result;
        },
      };
      expect(await verifyAuditTrail(racing, { batchRows: 3 })).toMatchObject({ ok: true, headSeq: rowCount + 1 });
      expect(recorded).toBe(true);
    });
  });

  it("records a checkpoint after a full verification; the page's check starts there", async () => {
    const dir = copyOfDataFolder();
    await withDb(dir, async (db) => {
      expect(await latestCheckpoint(db)).toBeNull();
      const at = new Date("2026-03-07T10:00:00Z");
      const full = await verifyAndCheckpoint(db, at);
      expect(full).toMatchObject({ ok: true, headSeq: rowCount });
      const head = await auditHashAt(db, rowCount);
      expect(head).toBe(full.ok ? full.head : null);
      expect(await auditHashAt(db, rowCount + 5)).toBeNull();
      expect(await latestCheckpoint(db)).toEqual({ seq: rowCount, hash: head, verifiedAt: at.toISOString() });

      // Nothing new since: nothing verified, no new checkpoint.
      const idle = await verifySinceCheckpoint(db, new Date("2026-03-07T11:00:00Z"));
      expect(idle).toEqual({
        verdict: { ok: true, count: rowCount, head, headSeq: rowCount },
        checkpoint: { seq: rowCount, hash: head, verifiedAt: at.toISOString() },
        verifiedFrom: rowCount + 1,
      });
      expect(await allCheckpoints(db)).toHaveLength(1);

      // Two new events: verified now, and a checkpoint at the new head.
      await recordOne(db);
      await recordOne(db);
      const since = await verifySinceCheckpoint(db, new Date("2026-03-07T12:00:00Z"), { batchRows: 1 });
      expect(since).toMatchObject({
        verdict: { ok: true, count: rowCount + 2, headSeq: rowCount + 2 },
        checkpoint: { seq: rowCount },
        verifiedFrom: rowCount + 1,
      });
      expect((await allCheckpoints(db)).map((c) => c.seq)).toEqual([rowCount, rowCount + 2]);
      expect(await latestCheckpoint(db)).toMatchObject({
        seq: rowCount + 2,
        hash: await auditHashAt(db, rowCount + 2),
        verifiedAt: "2026-03-07T12:00:00.000Z",
      });
    });
    // Checkpoints are records (migration 005).
    await expect(tamper(dir, "UPDATE audit_checkpoints SET seq = 1")).rejects.toThrow(/never updated/);
    await expect(tamper(dir, "DELETE FROM audit_checkpoints")).rejects.toThrow(/never deleted/);
  });

  it("reports only what it checked: a row changed before the checkpoint is left to the full verification", async () => {
    const dir = copyOfDataFolder();
    await withDb(dir, async (db) => {
      await verifyAndCheckpoint(db, new Date("2026-03-07T10:00:00Z"));
      await recordOne(db);
    });
    await tamper(dir, "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET reason = 'later' WHERE seq = 3;");
    await withDb(dir, async (db) => {
      const check = await verifySinceCheckpoint(db, new Date("2026-03-07T12:00:00Z"));
      expect(check).toMatchObject({ verdict: { ok: true, headSeq: rowCount + 1 }, checkpoint: { seq: rowCount }, verifiedFrom: rowCount + 1 });
      expect(await verifyAuditTrail(db)).toMatchObject({ ok: false, seq: 3, problem: "changed" });
    });
  });

  it("reports the trail broken at the checkpoint when that row is no longer the one verified", async () => {
    const replaced = copyOfDataFolder();
    await withDb(replaced, (db) => verifyAndCheckpoint(db, new Date("2026-03-07T10:00:00Z")));
    const rows = await rowsOf(replaced);
    // A self-consistent forgery in place of the checkpoint's row: right hash of its own, right link.
    await tamper(
      replaced,
      `DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = ${rowCount}; ${insertSql(forged(rowCount, rows.at(-2)!.hash))}`,
    );
    expect(await withDb(replaced, (db) => verifySinceCheckpoint(db, new Date()))).toMatchObject({
      verdict: {
        ok: false,
        count: rowCount,
        seq: rowCount,
        problem: "changed",
        message: `row ${rowCount} was replaced (its hash differs from the checkpoint verified 2026-03-07)`,
      },
      checkpoint: { seq: rowCount },
    });

    const edited = copyOfDataFolder();
    await withDb(edited, (db) => verifyAndCheckpoint(db, new Date("2026-03-07T10:00:00Z")));
    await tamper(edited, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET reason = 'later' WHERE seq = ${rowCount};`);
    expect((await withDb(edited, (db) => verifySinceCheckpoint(db, new Date()))).verdict).toMatchObject({
      ok: false,
      seq: rowCount,
      problem: "changed",
      message: `row ${rowCount} was changed (its content no longer matches its hash)`,
    });

    const removed = copyOfDataFolder();
    await withDb(removed, (db) => verifyAndCheckpoint(db, new Date("2026-03-07T10:00:00Z")));
    await tamper(removed, `DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = ${rowCount};`);
    expect((await withDb(removed, (db) => verifySinceCheckpoint(db, new Date()))).verdict).toMatchObject({ ok: false, seq: rowCount, problem: "removed" });
  });

  it("reports a row changed or appended after the checkpoint", async () => {
    const dir = copyOfDataFolder();
    await withDb(dir, async (db) => {
      await verifyAndCheckpoint(db, new Date("2026-03-07T10:00:00Z"));
      await recordOne(db);
      await recordOne(db);
    });
    await tamper(dir, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET action = 'test.other' WHERE seq = ${rowCount + 1};`);
    expect(await withDb(dir, (db) => verifySinceCheckpoint(db, new Date()))).toMatchObject({
      verdict: { ok: false, seq: rowCount + 1, problem: "changed" },
      verifiedFrom: rowCount + 1,
    });
    expect((await withDb(dir, allCheckpoints)).map((c) => c.seq)).toEqual([rowCount]);

    const appended = copyOfDataFolder();
    await withDb(appended, (db) => verifyAndCheckpoint(db, new Date("2026-03-07T10:00:00Z")));
    const rows = await rowsOf(appended);
    await tamper(appended, insertSql(forged(rowCount + 1, rows.at(-1)!.hash)));
    expect((await withDb(appended, (db) => verifySinceCheckpoint(db, new Date()))).verdict).toMatchObject({
      ok: false,
      seq: rowCount + 1,
      problem: "appended",
    });
  });
});
