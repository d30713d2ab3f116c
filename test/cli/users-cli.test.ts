import os from "node:os";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { open, type Quire } from "~/context.server";
import type { AuditRow } from "~/modules/audit/audit";
import { verifyAuditTrail } from "~/modules/audit/audit.server";
import { DEMO_PASSWORD } from "~/modules/setup/demo-users";
import { checkCredentials, getUserByUsername } from "~/modules/users/users.server";

import { runQuire } from "../helpers/cli";
import { copyDataFolder, tempDir } from "../helpers/data-folder";

let dataDir: string;
let q: Quire;

beforeAll(async () => {
  let config;
  ({ dataDir, config } = await copyDataFolder("fixture-demo"));
  q = await open(config);
});
afterAll(async () => {
  await q?.db.close();
});

function users(...args: string[]) {
  return runQuire(["users", ...args], { QUIRE_DATA_DIR: dataDir });
}

function unlockRows(): Promise<AuditRow[]> {
  return q.db.all<AuditRow>(
    "SELECT seq, at, user_id, username, action, object_type, object_id, old_values, new_values, reason, client_address, prev_hash, hash FROM audit_events WHERE action = 'user.unlock' ORDER BY seq",
  );
}

describe("quire users unlock", () => {
  it("explains itself with an example under --help", () => {
    const help = users("unlock", "--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: quire users unlock [options] <username>");
    expect(help.stdout).toContain('Example: npx quire users unlock admin --reason "');
    expect(help.stdout).toContain("QUIRE_LOCKOUT_MINUTES");
    expect(users("--help").stdout).toContain("unlock [options] <username>");
  });

  it("unlocks the last administrator, locked after five wrong passwords, and audits it as the OS user", async () => {
    for (let n = 1; n <= 5; n++) await checkCredentials(q, "admin", `wrong password ${n}`, "10.0.0.5");
    expect((await checkCredentials(q, "admin", DEMO_PASSWORD, null)).ok).toBe(false);

    const r = users("unlock", "ADMIN", "--reason", "Only administrator locked out; identity checked in person");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const actor = `cli:${os.userInfo().username}`;
    expect(r.stdout).toBe(`Unlocked admin; failed sign-ins reset to 0. Recorded in the audit trail as ${actor}.\n`);

    expect(await getUserByUsername(q.db, "admin")).toMatchObject({ lockedAt: null, failedSignins: 0 });
    const [row, ...rest] = await unlockRows();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      user_id: null,
      username: actor,
      object_type: "user",
      object_id: "admin",
      reason: "Only administrator locked out; identity checked in person",
      client_address: null,
    });
    expect(JSON.parse(row!.old_values!)).toMatchObject({ failedSignins: 5 });
    expect(JSON.parse(row!.new_values!)).toEqual({ lockedAt: null, failedSignins: 0 });
    expect((await checkCredentials(q, "admin", DEMO_PASSWORD, null)).ok).toBe(true);
    expect(await verifyAuditTrail(q.db)).toMatchObject({ ok: true });
  });

  it("says so and exits 0, writing nothing, when the account is not locked", async () => {
    const before = (await unlockRows()).length;
    const r = users("unlock", "cra1", "--reason", "Checking");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("cra1 is not locked; nothing changed.\n");
    expect(await unlockRows()).toHaveLength(before);
  });

  it("exits 2 with a clear message for an unknown user, a missing reason or no data folder", async () => {
    const before = (await unlockRows()).length;
    const unknown = users("unlock", "nobody", "--reason", "Testing");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("quire: no user account is named nobody\n");

    for (const r of [users("unlock", "admin"), users("unlock", "admin", "--reason", "   ")]) {
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('quire: give --reason "...": why the account is unlocked from the command line, for the audit trail\n');
    }
    const missingName = users("unlock");
    expect(missingName.status).toBe(2);
    expect(missingName.stderr).toContain("missing required argument 'username'");

    const noFolder = runQuire(["users", "unlock", "admin", "--reason", "x"], { QUIRE_DATA_DIR: tempDir() + "/none" });
    expect(noFolder.status).toBe(2);
    expect(noFolder.stderr).toContain("No Quire data folder");
    for (const r of [unknown, noFolder]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await unlockRows()).toHaveLength(before);
  }, 120_000); // five runs of the CLI, each starting tsx
});
