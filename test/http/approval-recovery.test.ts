import fs from "node:fs";
import path from "node:path";

import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { open } from "~/context.server";
import { Database } from "~/db/db.server";
import { ContentRepository } from "~/modules/content/repository.server";

import { runQuire } from "../helpers/cli";
import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { changeInReview } from "../helpers/factories";
import { signedIn } from "../helpers/http";
import { startServer, stopProcess, type RunningServer } from "../helpers/server";

/**
 * Git and the database change together or not at all (docs/decisions/005): the server is killed
 * with SIGKILL at each injected point of an approval; after a restart the approval is either fully
 * present (commit, tag, version, signatures, audit rows) or fully absent and can be given again.
 */
const AT = new Date("2026-11-25T09:00:00Z");
/** The change request under approval (the demo history has its own before it). */
let CR = "";
const TAG = "SOP-TS-001/v3.0";
const servers: RunningServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

/** A fixture demo data folder with one change request in review, every signature but the approval given. */
let inReview = "";
beforeAll(async () => {
  const { dataDir, config } = await copyDataFolder("fixture-demo");
  const q = await open(config);
  try {
    ({ crId: CR } = await changeInReview(q, { at: AT, revision: "major", retrainingRequired: true }));
  } finally {
    await q.db.close();
  }
  inReview = dataDir;
});

/** A private copy of the folder in review, for one test to kill servers on. */
function folderInReview(): string {
  const dataDir = path.join(tempDir(), "data");
  fs.cpSync(inReview, dataDir, { recursive: true });
  return dataDir;
}

interface ApprovalFacts {
  mainMoved: boolean;
  tagged: boolean;
  versionRow: boolean;
  approvedSignature: boolean;
  approveAudit: boolean;
  state: string;
  intents: number;
}

async function facts(dataDir: string, mainBefore: string): Promise<ApprovalFacts> {
  const repo = new ContentRepository(path.join(dataDir, "content"));
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    const count = async (sql: string) => (await db.get<{ n: number }>(sql))!.n;
    return {
      mainMoved: (await repo.branchHead("main")) !== mainBefore,
      tagged: await repo.hasTag(TAG),
      versionRow: (await count("SELECT count(*) AS n FROM document_versions WHERE doc_id = 'SOP-TS-001' AND version = '3.0'")) === 1,
      approvedSignature: (await count(`SELECT count(*) AS n FROM signatures WHERE cr_id = '${CR}' AND meaning = 'Approved'`)) === 1,
      approveAudit: (await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'change-request.approve' AND object_id = '${CR}'`)) === 1,
      state: (await db.get<{ state: string }>(`SELECT state FROM change_requests WHERE id = '${CR}'`))!.state,
      intents: await count("SELECT count(*) AS n FROM approval_intents"),
    };
  } finally {
    await db.close();
  }
}

const PRESENT: ApprovalFacts = { mainMoved: true, tagged: true, versionRow: true, approvedSignature: true, approveAudit: true, state: "approved", intents: 0 };
const ABSENT: ApprovalFacts = {
  mainMoved: false,
  tagged: false,
  versionRow: false,
  approvedSignature: false,
  approveAudit: false,
  state: "in-review",
  intents: 0,
};

async function approve(url: string) {
  const qa = await signedIn(url, "qa");
  const contentHash = /data-content-hash="([0-9a-f]{64})"/.exec((await qa.get(`/changes/${CR}`)).text)?.[1] ?? "";
  return qa.post(`/changes/${CR}`, { intent: "approve", contentHash, password: "quire-demo-2026", effectiveDate: "2026-12-01" });
}

describe("an approval killed with SIGKILL part-way", () => {
  const cases = [
    { point: "approval:after-intent", expected: ABSENT },
    { point: "approval:after-commit", expected: PRESENT },
    { point: "approval:after-tag", expected: PRESENT },
    { point: "approval:after-db", expected: PRESENT },
  ];
  for (const { point, expected } of cases) {
    it(`at ${point} is ${expected === PRESENT ? "finished" : "discarded"} at restart, consistently`, async () => {
      const dataDir = folderInReview();
      const mainBefore = (await new ContentRepository(path.join(dataDir, "content")).branchHead("main"))!;
      const env = { QUIRE_NOW: "2026-11-25T10:00:00Z" };

      const doomed = await startServer(dataDir, { ...env, QUIRE_FAULT: point });
      const exited = new Promise<string | null>((resolve) => doomed.process.once("exit", (_code, signal) => resolve(signal)));
      await expect(approve(doomed.url)).rejects.toThrow();
      expect(await exited).toBe("SIGKILL");
      await stopProcess(doomed.process);

      const restarted = await startServer(dataDir, env);
      servers.push(restarted);
      expect(await facts(dataDir, mainBefore)).toEqual(expected);
      if (expected === ABSENT) {
        // Retryable: the same approval given again succeeds and is complete.
        const again = await approve(restarted.url);
        expect(again.status).toBe(302);
        expect(await facts(dataDir, mainBefore)).toEqual(PRESENT);
      }
      const verify = runQuire(["audit", "verify", "--json"], { QUIRE_DATA_DIR: dataDir });
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      const effective = runQuire(["effective", "--doc", "SOP-TS-001", "--on", "2026-12-01", "--json"], { QUIRE_DATA_DIR: dataDir });
      expect(JSON.parse(effective.stdout)).toMatchObject({ version: "3.0" });
    });
  }

  it("gives exactly one approval when two approvers sign the same change at once", async () => {
    const dataDir = folderInReview();
    const mainBefore = (await new ContentRepository(path.join(dataDir, "content")).branchHead("main"))!;
    const server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T10:00:00Z" });
    servers.push(server);
    const results = await Promise.all([approve(server.url), approve(server.url)]);
    expect(results.map((r) => r.status).sort()).toEqual([302, 409]);
    expect(results.find((r) => r.status === 409)!.text).toContain("cannot be approved");
    expect(await facts(dataDir, mainBefore)).toEqual(PRESENT);
  });
});
