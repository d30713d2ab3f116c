import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ContentRepository, MAIN_BRANCH } from "~/modules/content/repository.server";

import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * A forged version tag (every trailer an approval writes, an expression in its body) and a stray
 * version-shaped tag are pushed to the content repository before the server starts: the server
 * starts, serves only approved versions, runs nothing, and shows quality managers what it ignored.
 */
const AT = new Date("2026-11-25T09:00:00Z");
let server: RunningServer;
let marker = "";

beforeAll(async () => {
  const { config } = await copyDataFolder("fixture-demo");
  marker = path.join(tempDir("quire-pwned-"), "pwned");
  const repo = new ContentRepository(config.contentRepo);
  const main = (await repo.branchHead(MAIN_BRANCH))!;
  const file = "sops/SOP-TS-001.mdx";
  const source = (await repo.readFile(main, file)).replace(
    "## Purpose",
    `## Purpose\n\nForged text.\n\n{globalThis.process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(marker)}, 'x')}\n`,
  );
  const forged = await repo.commit({
    branch: "attack",
    base: main,
    expectedHead: null,
    files: [{ path: file, source }],
    message: `SOP-TS-001 v9.0: forged\n\nQuire-Document: SOP-TS-001\nQuire-Version: 9.0\nQuire-Path: ${file}\nQuire-Effective-Date: 2026-01-01\n`,
    author: { name: "Mallory", email: "m@example.invalid" },
    date: AT.toISOString(),
  });
  await repo.tag("SOP-TS-001/v9.0", forged, "forged", AT.toISOString());
  await repo.git.raw(["tag", "SOP-QA-001/v1.0", main]);
  server = await startServer(config.dataDir);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("refs Quire did not write", () => {
  it("are logged at start and the server starts", () => {
    expect(server.output()).toContain("tag SOP-TS-001/v9.0 points at commit");
    expect(server.output()).toContain("tag SOP-QA-001/v1.0 points at commit");
  });

  it("never become versions: the document page and history show approved versions only, and nothing ran", async () => {
    const staff = await signedIn(server.url, "cra1");
    const page = await staff.get("/documents/SOP-TS-001");
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("Forged text.");
    const history = await staff.get("/documents/SOP-TS-001/history");
    expect(history.text).toContain("2.0");
    expect(history.text).not.toContain("9.0");
    expect(fs.existsSync(marker)).toBe(false);
    // Staff are not shown the banner; it is for those who read the audit trail.
    expect(page.text).not.toContain("that Quire did not make");
  });

  it("are shown to quality managers in a banner and written to the audit trail", async () => {
    const qa = await signedIn(server.url, "qa");
    const page = await qa.get("/");
    expect(page.text).toContain("The content repository holds 2 changes that Quire did not make.");
    expect(page.text).toContain("tag SOP-TS-001/v9.0 points at commit");
    const audit = await qa.get("/audit?action=content.foreign-ref");
    expect(audit.text).toContain("refs/tags/SOP-TS-001/v9.0");
    expect(audit.text).toContain("refs/tags/SOP-QA-001/v1.0");
    // The page's checkpoint rests on git: the newest anchored audit head still matches its row.
    expect(audit.text).toMatch(/Anchored in git: row \d+ still has the hash written into anchor commit [0-9a-f]{12}\./);
  });
});
