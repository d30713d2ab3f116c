import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ConfigError, readConfig } from "~/config.server";
import { open, type Quire } from "~/context.server";
import type { AuditRow } from "~/modules/audit/audit";
import { verifyAuditTrail } from "~/modules/audit/audit.server";
import { checkCredentials, getUser, setUserActive, type Actor } from "~/modules/users/users.server";

import { TestClock } from "../helpers/clock";
import { configFor, copyDataFolder } from "../helpers/data-folder";
import { TEST_PASSWORD, adminOf, createTestUser } from "../helpers/factories";

// Part 11 §11.300(d): a lock stops sign-in for QUIRE_LOCKOUT_MINUTES, then the next attempt lifts it.
const START = Date.parse("2026-11-25T09:00:00Z");
const MINUTE = 60_000;
const PASSWORD = TEST_PASSWORD;
const clock = new TestClock(START);
let q: Quire;
let admin: Actor;

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("fixture-plain"); // set up at START
  // A 45-minute period, to show the setting (not the default) decides.
  q = await open(configFor(dataDir, { ...clock.env, QUIRE_LOCKOUT_MINUTES: "45" }));
  admin = await adminOf(q);
});
afterAll(async () => {
  await q?.db.close();
});

async function newUser(username: string): Promise<string> {
  return (await createTestUser(q, username, { jobFunctions: [] }, admin)).id;
}

function auditRows(objectId: string): Promise<AuditRow[]> {
  return q.db.all<AuditRow>(
    "SELECT seq, at, user_id, username, action, object_type, object_id, old_values, new_values, reason, client_address, prev_hash, hash FROM audit_events WHERE object_id = ? ORDER BY seq",
    [objectId],
  );
}

async function lockOut(username: string): Promise<void> {
  for (let n = 1; n <= 5; n++) await checkCredentials(q, username, `wrong password ${n}`, "10.0.0.7");
}

describe("the lockout clock", () => {
  it("reads QUIRE_LOCKOUT_MINUTES: 30 by default, a whole number of minutes from 1 to a week", () => {
    expect(readConfig({}).lockoutMinutes).toBe(30);
    expect(readConfig({ QUIRE_LOCKOUT_MINUTES: "45" }).lockoutMinutes).toBe(45);
    for (const bad of ["0", "-5", "2.5", "soon", "10081"]) {
      expect(() => readConfig({ QUIRE_LOCKOUT_MINUTES: bad })).toThrow(ConfigError);
    }
    expect(() => readConfig({ QUIRE_LOCKOUT_MINUTES: "0" })).toThrow("Invalid environment variable QUIRE_LOCKOUT_MINUTES: must be at least 1 minute");
  });

  it("keeps the lock for the whole period, still counting and auditing wrong passwords", async () => {
    clock.set(START);
    const id = await newUser("clock.person");
    await lockOut("clock.person");
    expect(await getUser(q.db, id)).toMatchObject({ failedSignins: 5, lockedAt: new Date(START).toISOString() });

    clock.set(START + 44 * MINUTE + 59_000);
    const right = await checkCredentials(q, "clock.person", PASSWORD, "10.0.0.7");
    expect(right).toMatchObject({ ok: false, reason: "locked" });
    expect(right.ok ? "" : right.message).toContain("It unlocks itself at 2026-11-25 09:45 UTC");
    const wrong = await checkCredentials(q, "clock.person", "still guessing", "10.0.0.7");
    expect(wrong).toMatchObject({ ok: false, reason: "locked" });
    expect(await getUser(q.db, id)).toMatchObject({ failedSignins: 6, lockedAt: new Date(START).toISOString() });
    const refusals = (await auditRows("clock.person")).filter((r) => r.action === "auth.signin.failed").slice(-2);
    expect(refusals.map((r) => JSON.parse(r.new_values!))).toEqual([
      { reason: "account locked" },
      { reason: "wrong password while locked", failedAttempts: 6 },
    ]);
    // Failures while locked do not extend the lock: a stranger cannot keep it locked for good.
    expect((await auditRows("clock.person")).filter((r) => r.action === "user.locked")).toHaveLength(1);
  });

  it("lifts the lock at the first attempt after the period, auditing the lift before the attempt's outcome", async () => {
    clock.set(START + 45 * MINUTE);
    const before = (await auditRows("clock.person")).length;
    const result = await checkCredentials(q, "clock.person", PASSWORD, "10.0.0.8");
    expect(result.ok).toBe(true);
    expect(await getUser(q.db, (result.ok && result.user.id) || "")).toMatchObject({ failedSignins: 0, lockedAt: null });
    const [lift, ...rest] = (await auditRows("clock.person")).slice(before);
    expect(rest).toEqual([]); // a successful check writes nothing more (the session's sign-in row is startSession's)
    expect(lift).toMatchObject({
      action: "user.unlock.automatic",
      user_id: null,
      username: "system",
      client_address: "10.0.0.8",
      at: "2026-11-25T09:45:00.000Z",
      reason: "The 45-minute lockout period was over; lifted at the next sign-in attempt.",
    });
    expect(JSON.parse(lift!.old_values!)).toEqual({ lockedAt: "2026-11-25T09:00:00.000Z", failedSignins: 6 });
    expect(JSON.parse(lift!.new_values!)).toEqual({ lockedAt: null, failedSignins: 0, lockLapsedAt: "2026-11-25T09:45:00.000Z" });
  });

  it("after a lift, a wrong password starts the count afresh; five more lock again, from the new time", async () => {
    clock.set(START + 60 * MINUTE);
    const id = await newUser("again.person");
    await lockOut("again.person");
    clock.set(START + 200 * MINUTE);
    const wrong = await checkCredentials(q, "again.person", "wrong again", null);
    expect(wrong).toMatchObject({ ok: false, reason: "unknown-or-wrong" });
    expect(await getUser(q.db, id)).toMatchObject({ failedSignins: 1, lockedAt: null });
    const actions = (await auditRows("again.person")).map((r) => r.action);
    expect(actions.slice(-2)).toEqual(["user.unlock.automatic", "auth.signin.failed"]);
    for (let n = 2; n <= 5; n++) await checkCredentials(q, "again.person", `wrong again ${n}`, null);
    expect(await getUser(q.db, id)).toMatchObject({ failedSignins: 5, lockedAt: new Date(START + 200 * MINUTE).toISOString() });
  });

  it("lifts a lapsed lock once, however many attempts arrive together", async () => {
    clock.set(START + 300 * MINUTE);
    await newUser("crowd.person");
    await lockOut("crowd.person");
    clock.set(START + 400 * MINUTE);
    const results = await Promise.all([PASSWORD, "wrong one here", PASSWORD].map((p) => checkCredentials(q, "crowd.person", p, null)));
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect((await auditRows("crowd.person")).filter((r) => r.action === "user.unlock.automatic")).toHaveLength(1);
  });

  it("does not lift the lock of a deactivated account (it cannot sign in anyway)", async () => {
    clock.set(START + 500 * MINUTE);
    const id = await newUser("gone.person");
    await lockOut("gone.person");
    await setUserActive(q, id, false, admin, "Left");
    clock.set(START + 600 * MINUTE);
    expect(await checkCredentials(q, "gone.person", PASSWORD, null)).toMatchObject({ ok: false, reason: "inactive" });
    expect(await getUser(q.db, id)).toMatchObject({ lockedAt: new Date(START + 500 * MINUTE).toISOString() });
  });

  it("keeps the audit trail's hash chain intact", async () => {
    expect(await verifyAuditTrail(q.db)).toMatchObject({ ok: true });
  });
});
