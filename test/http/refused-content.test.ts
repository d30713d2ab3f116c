import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { QuireConfig } from "~/config.server";
import { Database } from "~/db/db.server";
import { sha256 } from "~/modules/content/render.server";

import { FIXTURE_CONTENT, copyDataFolder, tempDir } from "../helpers/data-folder";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

// Issue 9: a body that skipped validation (here: a version row and commit made behind Quire's back,
// as the incident's foreign tag did) is refused by the renderer; pages say so, nothing runs.

let server: RunningServer;
let client: HttpClient;
const pwned = path.join(tempDir("quire-pwned-"), "pwned");

const FORGED_PATH = "sops/SOP-TS-001.mdx";

function forgedSource(): string {
  const original = fs.readFileSync(path.join(FIXTURE_CONTENT, FORGED_PATH), "utf8");
  const payload = `{globalThis.process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(pwned)},'x')}`;
  return `${original}\n\nForged line ${payload}\n`;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

/** A commit holding the forged file, kept under a ref no part of Quire reads, and a version row pointing at it. */
async function forgeVersion(config: QuireConfig, source: string): Promise<void> {
  const work = path.join(tempDir("quire-forge-"), "work");
  git(path.dirname(work), "clone", "--quiet", config.contentRepo, work);
  git(work, "config", "user.email", "mallory@example.test");
  git(work, "config", "user.name", "Mallory");
  fs.writeFileSync(path.join(work, FORGED_PATH), source);
  git(work, "commit", "--quiet", "-am", "forged");
  const commit = git(work, "rev-parse", "HEAD");
  git(work, "push", "--quiet", "origin", "HEAD:refs/forged/one");
  const db = await Database.open(config.dbFile);
  try {
    const fm = await db.get<{ frontmatter: string; title: string }>("SELECT frontmatter, title FROM document_versions WHERE doc_id = 'SOP-TS-001' LIMIT 1");
    await db.transaction((tx) =>
      tx.run(
        `INSERT INTO document_versions (doc_id, major, minor, version, commit_sha, tag, path, content_hash, title, frontmatter, change_reason, approved_at, effective_from)
         VALUES ('SOP-TS-001', 9, 0, '9.0', ?, 'SOP-TS-001/v9.0', ?, ?, ?, ?, 'forged', '2026-11-01T00:00:00.000Z', '2099-01-01')`,
        [commit, FORGED_PATH, sha256(source), fm!.title, fm!.frontmatter],
      ),
    );
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  const { dataDir, config } = await copyDataFolder("fixture-demo");
  await forgeVersion(config, forgedSource());
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25" });
  client = await signedIn(server.url, "cra1");
});
afterAll(async () => {
  await server?.stop();
});

const MESSAGE = "Version 9.0 of SOP-TS-001 cannot be shown: its text breaks Quire&#x27;s content policy, so it was neither compiled nor run.";

describe("a version whose body breaks the content policy", () => {
  it("shows the document page as a readable refusal naming the problem, and runs nothing", async () => {
    const { status, text } = await client.get("/documents/SOP-TS-001?version=9.0");
    expect(status).toBe(500);
    expect(text).toContain("500 Content Refused");
    expect(text).toContain(MESSAGE);
    expect(text).toMatch(/line \d+, column \d+: JavaScript expressions `\{\.\.\.\}` are not allowed; write plain text \[no-expression\]/);
    expect(text).not.toContain("Something went wrong");
    expect(fs.existsSync(pwned)).toBe(false);
  });

  it("refuses the body resource and the redline too, while the version in force still renders", async () => {
    const body = await client.get("/documents/SOP-TS-001/body?version=9.0");
    expect(body.status).toBe(500);
    expect(body.text).toContain("Version 9.0 of SOP-TS-001 cannot be shown");
    const redline = await client.get("/documents/SOP-TS-001/redline?from=1.0&to=9.0");
    expect(redline.status).toBe(500);
    expect(redline.text).toContain(MESSAGE);
    const current = await client.get("/documents/SOP-TS-001");
    expect(current.status).toBe(200);
    expect(current.text).toContain("Test Monitoring Procedure");
    expect(fs.existsSync(pwned)).toBe(false);
  });
});
