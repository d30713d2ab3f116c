import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { open } from "~/context.server";
import { CopyRefused, issueCopies, renderIssuedCopy } from "~/modules/copies/copies.server";
import { getCopy } from "~/modules/copies/register.server";
import { DEMO_PASSWORD } from "~/modules/setup/demo-users";
import { verifySigner } from "~/modules/signatures/signatures.server";

import { assertCompiledCliCurrent, runQuire } from "../helpers/cli";
import { PROJECT_ROOT, configFor, copyDataFolder, tempDir } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { childEnv } from "../helpers/env";

// The project demo on 2026-11-30: SOP-DM-001 v2.0 is in force and no copy of it has been issued yet
// (the demo's copies are of SOP-CM-001); SOP-CM-001 v1.1 is superseded. qa (quality manager) holds
// copies.issue; cra1 (staff) does not.
const NOW = "2026-11-30T12:00:00Z";
const DAY = "2026-11-30";

let dataDir: string;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
});

/** `quire copy issue ...` through the compiled CLI, with `stdin` piped to it (the password line). */
function copyIssue(args: string[], stdin: string) {
  assertCompiledCliCurrent();
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "scripts", "quire.js"), "copy", "issue", ...args], {
    cwd: PROJECT_ROOT,
    env: { ...childEnv(), NODE_ENV: "test", QUIRE_DATA_DIR: dataDir, QUIRE_NOW: NOW },
    input: stdin,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function issueArgs(out: string, extra: Record<string, string> = {}): string[] {
  const options: Record<string, string> = {
    doc: "SOP-DM-001",
    recipient: "Dr Jane Site",
    location: "Site 12, Lyon",
    reason: "The site has no system access",
    as: "qa",
    out,
    ...extra,
  };
  return Object.entries(options).flatMap(([k, v]) => [`--${k}`, v]);
}

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

async function copiesOf(docId: string) {
  return queryDataFolder<{ copy_id: string; version: string; sha256: string; issue_id: number }>(
    dataDir,
    "SELECT copy_id, version, sha256, issue_id FROM controlled_copies WHERE doc_id = ? ORDER BY seq",
    [docId],
  );
}

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/at .*\.(js|ts):\d+/);
  return lines[0]!;
}

describe("quire copy issue", () => {
  it("issues two numbered copies, writes each PDF as the register holds it, and verify-copy says genuine", async () => {
    const out = tempDir("quire-copy-issue-");
    const r = copyIssue([...issueArgs(out, { copies: "2" }), "--json"], `${DEMO_PASSWORD}\n`);
    expect(r.status, r.stderr).toBe(0);
    const answer = JSON.parse(r.stdout) as { copies: { copyId: string; version: string; sha256: string; file: string }[] };
    expect(answer.copies.map((c) => [c.copyId, c.version, c.file])).toEqual([
      ["SOP-DM-001-2.0-C001", "2.0", path.join(out, "SOP-DM-001-2.0-C001.pdf")],
      ["SOP-DM-001-2.0-C002", "2.0", path.join(out, "SOP-DM-001-2.0-C002.pdf")],
    ]);
    // Exactly the two copies in the folder: no temporary file left beside them.
    expect(fs.readdirSync(out).sort()).toEqual(["SOP-DM-001-2.0-C001.pdf", "SOP-DM-001-2.0-C002.pdf"]);

    const register = await copiesOf("SOP-DM-001");
    expect(register.map((c) => c.copy_id)).toEqual(["SOP-DM-001-2.0-C001", "SOP-DM-001-2.0-C002"]);
    for (const [i, c] of answer.copies.entries()) {
      expect(sha256(c.file), c.copyId).toBe(register[i]!.sha256);
      expect(c.sha256).toBe(register[i]!.sha256);
    }
    const [issue] = await queryDataFolder<{ recipient: string; location: string; reason: string; copies: number; username: string; meaning: string }>(
      dataDir,
      `SELECT i.recipient, i.location, i.reason, i.copies, s.username, s.meaning
         FROM copy_issues i JOIN signatures s ON s.id = i.signature_id WHERE i.id = ?`,
      [register[0]!.issue_id],
    );
    expect(issue).toEqual({
      recipient: "Dr Jane Site",
      location: "Site 12, Lyon",
      reason: "The site has no system access",
      copies: 2,
      username: "qa",
      meaning: "Controlled copy issued",
    });

    // The same bytes the register's download (/copies/:copyId/pdf) renders again and hands out.
    const q = await open({ ...configFor(dataDir), fixedNow: NOW });
    try {
      const copy = (await getCopy(q.db, "SOP-DM-001-2.0-C001", DAY))!;
      expect((await renderIssuedCopy(q, copy)).equals(fs.readFileSync(answer.copies[0]!.file))).toBe(true);
    } finally {
      await q.db.close();
    }

    for (const c of answer.copies) {
      const verified = runQuire(["verify-copy", c.file, "--json"], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: NOW });
      expect(verified.status, verified.stdout + verified.stderr).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ genuine: true, copyId: c.copyId, doc: "SOP-DM-001", version: "2.0", current: true });
    }
  });

  it("numbers on from the register and says in words what it issued", async () => {
    const out = tempDir("quire-copy-issue-");
    const r = copyIssue(issueArgs(out, { version: "2.0" }), `${DEMO_PASSWORD}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Issued 1 controlled copy of SOP-DM-001 v2.0 to Dr Jane Site (Site 12, Lyon), signed by Quinn Avery (qa):");
    const file = path.join(out, "SOP-DM-001-2.0-C003.pdf");
    expect(r.stdout).toContain(`SOP-DM-001-2.0-C003  sha256 ${sha256(file)}  ${file}`);
    expect((await copiesOf("SOP-DM-001")).at(-1)).toMatchObject({ copy_id: "SOP-DM-001-2.0-C003", sha256: sha256(file) });
  });

  it("exits 2 on a wrong password, audited as the form audits it, and issues nothing", async () => {
    const out = tempDir("quire-copy-issue-");
    const before = await copiesOf("SOP-DM-001");
    const r = copyIssue(issueArgs(out), "not-the-password\n");
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe("quire: The password is not correct, so nothing was signed. Failed attempts count toward locking your account.");
    expect(r.stdout).toBe("");
    expect(await copiesOf("SOP-DM-001")).toEqual(before);
    expect(fs.readdirSync(out)).toEqual([]);
    const [failed] = await queryDataFolder<{ username: string; new_values: string }>(
      dataDir,
      "SELECT username, new_values FROM audit_events WHERE action = 'signature.password.failed' ORDER BY seq DESC LIMIT 1",
    );
    expect(failed?.username).toBe("qa");
    expect(JSON.parse(failed!.new_values)).toMatchObject({ reason: "wrong password" });
  });

  it("exits 2 when no password comes on standard input", async () => {
    const out = tempDir("quire-copy-issue-");
    const r = copyIssue(issueArgs(out), "");
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/no password was given: .*printf '%s\\n' "\$PW" \| npx quire copy issue/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it("exits 2 for someone without copies.issue, before asking for a password, and issues nothing", async () => {
    const out = tempDir("quire-copy-issue-");
    const before = await copiesOf("SOP-DM-001");
    // No password piped: the refusal comes before it is asked for.
    const unasked = copyIssue(issueArgs(out, { as: "cra1" }), "");
    expect(unasked.status).toBe(2);
    expect(oneLine(unasked.stderr)).toBe("quire: cra1 does not have the permission copies.issue needed to issue or recall controlled copies.");
    const withPassword = copyIssue(issueArgs(out, { as: "cra1" }), `${DEMO_PASSWORD}\n`);
    expect(withPassword.status).toBe(2);
    expect(await copiesOf("SOP-DM-001")).toEqual(before);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it("the copies module itself refuses a verified signer without copies.issue (whatever the caller checked)", async () => {
    const q = await open({ ...configFor(dataDir), fixedNow: NOW });
    try {
      const staff = await verifySigner(q, { username: "cra1", clientAddress: null }, DEMO_PASSWORD);
      const request = { docId: "SOP-DM-001", version: "2.0", recipient: "Anyone", location: "Anywhere", reason: "Testing", copies: 1 };
      await expect(issueCopies(q, staff, request, new Date(NOW))).rejects.toThrow(CopyRefused);
      await expect(issueCopies(q, staff, request, new Date(NOW))).rejects.toThrow(/cra1 does not have the permission copies.issue/);
    } finally {
      await q.db.close();
    }
  });

  it("exits 2 with one clear line and leaves no file for an unknown document, version or user, a version that has ended, bad --copies or --out", async () => {
    const out = tempDir("quire-copy-issue-");
    const before = await copiesOf("SOP-DM-001");
    const cases: [Record<string, string>, RegExp][] = [
      [{ doc: "SOP-NO-999" }, /^quire: There is no controlled document SOP-NO-999\.$/],
      [{ version: "9.0" }, /^quire: SOP-DM-001 has no approved version 9\.0\.$/],
      [{ doc: "SOP-CM-001", version: "1.1" }, /^quire: SOP-CM-001 v1\.1 is superseded: controlled copies are issued only of a version approved or in force\.$/],
      [{ version: "two" }, /^quire: --version: write the version X\.Y/],
      [{ copies: "51" }, /^quire: --copies: Issue at most 50 copies at once\.$/],
      [{ copies: "0" }, /^quire: --copies: Issue at least one copy\.$/],
      [{ copies: "1.5" }, /^quire: --copies: Give a whole number of copies\.$/],
      [{ recipient: "  " }, /^quire: --recipient: Give the recipient's name\.$/],
      [{ as: "nobody" }, /^quire: no user account is named nobody$/],
      [{ out: path.join(out, "missing") }, /^quire: cannot write the copies to .*missing: the folder does not exist$/],
    ];
    for (const [extra, message] of cases) {
      const r = copyIssue(issueArgs(out, extra), `${DEMO_PASSWORD}\n`);
      expect(r.status, JSON.stringify(extra)).toBe(2);
      expect(oneLine(r.stderr), JSON.stringify(extra)).toMatch(message);
    }
    const file = path.join(out, "a-file");
    fs.writeFileSync(file, "");
    const notFolder = copyIssue(issueArgs(file), `${DEMO_PASSWORD}\n`);
    expect(notFolder.status).toBe(2);
    expect(oneLine(notFolder.stderr)).toMatch(/it is not a folder$/);
    expect(fs.readdirSync(out)).toEqual(["a-file"]);
    expect(await copiesOf("SOP-DM-001")).toEqual(before);
  });

  it("refuses to write over a file already in --out, and then issues nothing", async () => {
    const out = tempDir("quire-copy-issue-");
    const before = await copiesOf("SOP-DM-001");
    const next = `SOP-DM-001-2.0-C${String(before.length + 1).padStart(3, "0")}.pdf`;
    fs.writeFileSync(path.join(out, next), "someone else's file");
    const r = copyIssue(issueArgs(out), `${DEMO_PASSWORD}\n`);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toContain("a file of that name is already there (nothing was issued)");
    expect(fs.readdirSync(out)).toEqual([next]);
    expect(fs.readFileSync(path.join(out, next), "utf8")).toBe("someone else's file");
    expect(await copiesOf("SOP-DM-001")).toEqual(before);
  });

  it("has help naming its options and exit codes, and saying the password is never an argument", () => {
    const r = runQuire(["copy", "issue", "--help"]);
    expect(r.status, r.stderr).toBe(0);
    for (const option of [
      "--doc <id>",
      "--version <X.Y>",
      "--recipient <name>",
      "--location <text>",
      "--reason <text>",
      "--copies <n>",
      "--as <username>",
      "--out <folder>",
      "--json",
    ])
      expect(r.stdout).toContain(option);
    expect(r.stdout).toContain("never from an argument or an environment variable");
    expect(r.stdout).toContain("Exit 0 with the copies issued and written; 2 for bad input");
  });
});
