import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { readConfig, readScryptCost } from "~/config.server";
import { open, type Quire } from "~/context.server";
import type { AuditRow } from "~/modules/audit/audit";
import { verifyAuditTrail } from "~/modules/audit/audit.server";
import { DEMO_PASSWORD, DEMO_USERS } from "~/modules/setup/demo-users";
import { startSession } from "~/modules/users/auth.server";
import {
  PRODUCTION_SCRYPT_COST,
  SCRYPT_CONCURRENCY,
  hashPassword,
  passwordHashing,
  temporaryPassword,
  verifyPassword,
} from "~/modules/users/password-hash.server";
import { MIN_PASSWORD_SCORE, guessabilityProblem, passwordRefusal } from "~/modules/users/password-strength.server";
import { passwordProblems } from "~/modules/users/passwords";
import type { Role } from "~/modules/users/permissions";
import { accountStatuses, eventChanges, lockInForce, lockLapsesAt } from "~/modules/users/users";
import {
  UserInputError,
  changeOwnPassword,
  checkCredentials,
  createUser,
  forcePasswordReset,
  getUser,
  recentUserEvents,
  setUserActive,
  unlockUser,
  updateUser,
  type Actor,
} from "~/modules/users/users.server";

import { copyDataFolder } from "../helpers/data-folder";
import { TEST_PASSWORD, adminOf, createTestUser } from "../helpers/factories";

let q: Quire;
let admin: Actor;
const PASSWORD = TEST_PASSWORD;

beforeAll(async () => {
  const { config } = await copyDataFolder("fixture-plain");
  q = await open(config);
  admin = await adminOf(q, "127.0.0.1");
});
afterAll(async () => {
  await q?.db.close();
});

async function newUser(username: string, roles: Role[] = ["staff"], jobFunctions: string[] = ["cra"]): Promise<string> {
  return (await createTestUser(q, username, { roles, jobFunctions }, admin)).id;
}

function auditRows(objectId: string): Promise<AuditRow[]> {
  return q.db.all<AuditRow>(
    "SELECT seq, at, user_id, username, action, object_type, object_id, old_values, new_values, reason, client_address, prev_hash, hash FROM audit_events WHERE object_id = ? ORDER BY seq",
    [objectId],
  );
}

function actorFor(id: string, username: string): Actor & { userId: string } {
  return { userId: id, username, clientAddress: null };
}

async function refusal(promise: Promise<unknown>): Promise<UserInputError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserInputError);
  return error as UserInputError;
}

describe("password rules (Part 11 §11.300)", () => {
  it("refuses fewer than 12 characters and the user name, in any case or padding", () => {
    expect(passwordProblems("elevenchars", "someone")).toEqual(["must be at least 12 characters long"]);
    expect(passwordProblems("twelve chars", "someone")).toEqual([]);
    expect(passwordProblems("longusername1", "longusername1")).toEqual(["must not be the user name"]);
    expect(passwordProblems(" LongUserName1 ", "longusername1")).toEqual(["must not be the user name"]);
  });

  it("applies the rules when a user changes their own password, naming the field", async () => {
    const id = await newUser("rules.person");
    const me = actorFor(id, "rules.person");
    const short = await refusal(changeOwnPassword(q, me, PASSWORD, "short"));
    expect([short.field, short.message]).toEqual(["password", "The new password must be at least 12 characters long."]);
    const name = await refusal(changeOwnPassword(q, me, PASSWORD, "RULES.PERSON"));
    expect(name.field).toBe("password");
    expect(name.message).toContain("must not be the user name");
    const common = await refusal(changeOwnPassword(q, me, PASSWORD, "qwertyuiop123"));
    expect([common.field, common.message]).toEqual([
      "password",
      "The new password is too easy to guess: this is similar to a commonly used password. Add more words that are less common.",
    ]);
    const wrong = await refusal(changeOwnPassword(q, me, "not my password", "a brand new password"));
    expect([wrong.field, wrong.message]).toEqual(["current", "The current password is wrong."]);
    // The rule refusals wrote nothing; the wrong current password is audited and counts toward lockout.
    expect((await auditRows("rules.person")).map((r) => r.action)).toEqual(["user.create", "user.password.change.failed"]);
    expect(await q.db.get("SELECT failed_signins AS n FROM users WHERE id = ?", [id])).toEqual({ n: 1 });
  });

  // About 80 scrypt derivations (each change checks the current password and the last five): CPU-bound,
  // and npm test runs it beside the typecheck, lint and cli tests.
  it("refuses each of the last five passwords and allows the sixth-oldest", { timeout: 180_000 }, async () => {
    const id = await newUser("history.person");
    const me = actorFor(id, "history.person");
    const passwords = [PASSWORD, "second password 2", "third password 33", "fourth password 444", "fifth password 5555"];
    for (let i = 1; i < passwords.length; i++) await changeOwnPassword(q, me, passwords[i - 1]!, passwords[i]!);
    // The five most recent (the current one included) are all refused.
    for (const reused of passwords) {
      const error = await refusal(changeOwnPassword(q, me, passwords[4]!, reused));
      expect([error.field, error.message]).toEqual(["password", "The new password must differ from your last 5 passwords."]);
    }
    await changeOwnPassword(q, me, passwords[4]!, "sixth password 666666");
    // Now the first password is the sixth-oldest: allowed again; the second is still one of the last five.
    await refusal(changeOwnPassword(q, me, "sixth password 666666", passwords[1]!));
    await changeOwnPassword(q, me, "sixth password 666666", PASSWORD);
    expect((await checkCredentials(q, "history.person", PASSWORD, null)).ok).toBe(true);
    const changes = (await auditRows("history.person")).filter((r) => r.action === "user.password.change");
    expect(changes).toHaveLength(6);
    expect(changes.every((r) => r.user_id === id && !r.new_values?.includes("scrypt"))).toBe(true);
  });
});

describe("guessable passwords (Part 11 §11.300, zxcvbn)", () => {
  const owner = { username: "pokafor", displayName: "Priya Okafor-Lindqvist", email: "priya.okafor@example.org" };
  const stranger = { username: "someone", displayName: "Sam One", email: "sam@example.org" };

  it("refuses common, repetitive and keyboard-run passwords, saying why and what to do", async () => {
    expect(await passwordRefusal("password1234", stranger)).toBe(
      "The password is too easy to guess: this is similar to a commonly used password. Add more words that are less common.",
    );
    expect(await passwordRefusal("aaaaaaaaaaaa", stranger)).toBe(
      'The password is too easy to guess: repeated characters like "aaa" are easy to guess. Add more words that are less common. Avoid repeated words and characters.',
    );
    expect(await passwordRefusal("Password2026!", stranger, "The new password")).toMatch(
      /^The new password is too easy to guess: .*Capitalize more than the first letter\.$/,
    );
    expect(await guessabilityProblem("qwertyuiop123", stranger)).toMatch(/^is too easy to guess/);
  });

  it("treats the person's own name, user name and email as known to an attacker", async () => {
    // Strong for anyone else, weak for its owner: the owner's details are zxcvbn's user inputs.
    for (const password of ["okaforlindqvist", "priya.okafor.1985", "pokafor-2026"]) {
      expect(await passwordRefusal(password, stranger)).toBeNull();
      expect(await passwordRefusal(password, owner)).toMatch(/^The password is too easy to guess: there should not be any personal or page related data\./);
    }
  });

  it("reports length and user name first, without a guessability lecture on top", async () => {
    expect(await passwordRefusal("aaaa", stranger)).toBe("The password must be at least 12 characters long.");
    expect(await passwordRefusal("someone", stranger)).toBe("The password must be at least 12 characters long and must not be the user name.");
  });

  it(`accepts (score ${MIN_PASSWORD_SCORE} or more) the demo password for every demo user and every password the tests set`, async () => {
    for (const u of DEMO_USERS) {
      expect(await passwordRefusal(DEMO_PASSWORD, { ...u, email: `${u.username}@demo.quire.invalid` })).toBeNull();
    }
    const chosen = [
      PASSWORD,
      "second password 2",
      "third password 33",
      "fourth password 444",
      "fifth password 5555",
      "sixth password 666666",
      "a brand new password",
      "a long new passphrase",
      "monitoring visits on tuesdays",
      "twelve chars",
    ];
    for (const password of chosen) expect(await passwordRefusal(password, stranger)).toBeNull();
    expect(await passwordRefusal("a long new passphrase", { username: "jsmith", displayName: "Jane Smith", email: "jane.smith@example.org" })).toBeNull();
    for (let i = 0; i < 20; i++) expect(await passwordRefusal(temporaryPassword(), stranger)).toBeNull();
  });

  it("refuses a guessable password when an account is created with one, creating nothing", async () => {
    const error = await refusal(
      createUser(
        q,
        { username: "weak.person", displayName: "Weak Person", email: "weak@example.org", roles: ["staff"], jobFunctions: [], password: "iloveyou2026" },
        admin,
      ),
    );
    expect([error.field, error.message]).toEqual([
      "password",
      "The password is too easy to guess: this is similar to a commonly used password. Add more words that are less common.",
    ]);
    expect(await q.db.get("SELECT 1 FROM users WHERE username = 'weak.person'")).toBeUndefined();
  });
});

describe("sign-in checks and lockout (Part 11 §11.300(d))", () => {
  it("refuses a correct password whose account was locked while it was being checked", async () => {
    const id = await newUser("race.person");
    const attempt = checkCredentials(q, "race.person", PASSWORD, null, "signature");
    // Locked by parallel wrong attempts while scrypt verifies the right one.
    await q.db.transaction((tx) => tx.run("UPDATE users SET locked_at = ? WHERE id = ?", [new Date().toISOString(), id]));
    await expect(attempt).resolves.toMatchObject({ ok: false, reason: "locked" });
  });

  it("locks the account after five wrong passwords, auditing each attempt and the lock", async () => {
    const id = await newUser("lock.person");
    const user = await getUser(q.db, id);
    await startSession(q, user!, "10.0.0.9");
    for (let attempt = 1; attempt <= 4; attempt++) {
      const result = await checkCredentials(q, "lock.person", "wrong password!", "10.0.0.9");
      expect(result).toMatchObject({ ok: false, reason: "unknown-or-wrong", message: "Unknown user name or wrong password." });
    }
    expect(await getUser(q.db, id)).toMatchObject({ failedSignins: 4, lockedAt: null });
    const fifth = await checkCredentials(q, "lock.person", "wrong password!", "10.0.0.9");
    expect(fifth).toMatchObject({ ok: false, reason: "locked" });
    expect(fifth.ok ? "" : fifth.message).toMatch(
      /^Wrong password\. This account is locked after 5 failed attempts\. It unlocks itself at \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );

    const rows = await auditRows("lock.person");
    const failed = rows.filter((r) => r.action === "auth.signin.failed");
    expect(failed).toHaveLength(5);
    expect(failed.map((r) => JSON.parse(r.new_values!))).toEqual([1, 2, 3, 4, 5].map((n) => ({ reason: "wrong password", failedAttempts: n })));
    expect(failed.every((r) => r.client_address === "10.0.0.9" && r.user_id === id)).toBe(true);
    const locked = rows.filter((r) => r.action === "user.locked");
    expect(locked).toHaveLength(1);
    expect(JSON.parse(locked[0]!.new_values!)).toEqual({ failedAttempts: 5, lockoutMinutes: 30 });
    expect(locked[0]!.seq).toBeGreaterThan(failed[4]!.seq);
    // The lock ended the account's sessions.
    expect(await q.db.get<{ n: number }>("SELECT count(*) AS n FROM sessions WHERE user_id = ?", [id])).toEqual({ n: 0 });
  });

  it("refuses a locked account even with the right password, and unlocking resets the count", async () => {
    const id = (await q.db.get<{ id: string }>("SELECT id FROM users WHERE username = 'lock.person'"))!.id;
    const refused = await checkCredentials(q, "lock.person", PASSWORD, null);
    expect(refused).toMatchObject({ ok: false, reason: "locked" });
    expect(refused.ok ? "" : refused.message).toMatch(
      /^This account is locked after 5 failed attempts\. It unlocks itself at .* UTC, or an administrator can unlock it sooner\.$/,
    );
    expect((await auditRows("lock.person")).at(-1)).toMatchObject({ action: "auth.signin.failed", new_values: '{"reason":"account locked"}' });

    await unlockUser(q, id, admin, "Confirmed by phone: the holder mistyped");
    expect(await getUser(q.db, id)).toMatchObject({ failedSignins: 0, lockedAt: null });
    const unlock = (await auditRows("lock.person")).at(-1)!;
    expect(unlock).toMatchObject({ action: "user.unlock", username: "admin", reason: "Confirmed by phone: the holder mistyped" });
    expect(JSON.parse(unlock.old_values!)).toMatchObject({ failedSignins: 5 });
    expect(JSON.parse(unlock.new_values!)).toEqual({ failedSignins: 0, lockedAt: null });
    expect((await checkCredentials(q, "lock.person", PASSWORD, null)).ok).toBe(true);
    expect((await refusal(unlockUser(q, id, admin, null))).message).toBe("The account is not locked.");
  });

  it("refuses a deactivated account, ends its sessions, and lets it back in once reactivated", async () => {
    const id = await newUser("leaver.person");
    await startSession(q, (await getUser(q.db, id))!, null);
    await setUserActive(q, id, false, admin, "Left the company");
    expect(await q.db.get<{ n: number }>("SELECT count(*) AS n FROM sessions WHERE user_id = ?", [id])).toEqual({ n: 0 });
    const refused = await checkCredentials(q, "leaver.person", PASSWORD, null);
    expect(refused).toEqual({ ok: false, reason: "inactive", message: "This account is deactivated. Ask an administrator." });
    expect(accountStatuses((await getUser(q.db, id))!, new Date(), 30)).toEqual(["deactivated"]);
    expect((await refusal(setUserActive(q, id, false, admin, null))).message).toBe("The account is already deactivated.");

    await setUserActive(q, id, true, admin, "Rehired");
    expect((await checkCredentials(q, "leaver.person", PASSWORD, null)).ok).toBe(true);
    const actions = (await auditRows("leaver.person")).map((r) => [r.action, r.reason]);
    expect(actions).toContainEqual(["user.deactivate", "Left the company"]);
    expect(actions).toContainEqual(["user.reactivate", "Rehired"]);
  });

  it("does not let administrators deactivate themselves, drop their own administrator role or reset their own password", async () => {
    expect((await refusal(setUserActive(q, admin.userId!, false, admin, null))).message).toBe("You cannot deactivate your own account.");
    const role = await refusal(
      updateUser(q, admin.userId!, { displayName: "Administrator", email: "admin@localhost", roles: ["staff"], jobFunctions: [] }, admin, null),
    );
    expect([role.field, role.message]).toEqual(["roles", "You cannot remove your own administrator role; ask another administrator."]);
    expect((await refusal(forcePasswordReset(q, admin.userId!, admin, null))).message).toContain("Change password page");
    expect((await getUser(q.db, admin.userId!))!.roles).toEqual(["administrator"]);
  });
});

describe("user names are never reused (Part 11 §11.300(a))", () => {
  it("refuses a user name already used, even by a deactivated account, and never deletes a user", async () => {
    const id = await newUser("temp.person");
    await setUserActive(q, id, false, admin, null);
    const before = await q.db.get<{ n: number }>("SELECT count(*) AS n FROM users");
    const again = await refusal(newUser("temp.person"));
    expect(again.field).toBe("username");
    expect(again.message).toBe("The user name temp.person is taken (user names are never reused, even for deactivated accounts).");
    expect((await refusal(newUser("Temp.Person"))).field).toBe("username");
    expect(await q.db.get<{ n: number }>("SELECT count(*) AS n FROM users")).toEqual(before);
    await expect(q.db.transaction((tx) => tx.run("DELETE FROM users WHERE id = ?", [id]))).rejects.toThrow(/never deleted/);
    await expect(q.db.transaction((tx) => tx.run("UPDATE users SET username = 'other' WHERE id = ?", [id]))).rejects.toThrow(/never changes/);
  });
});

describe("account changes in the audit trail", () => {
  it("records a creation with its new values and reason, never a password hash", async () => {
    const { id, temporaryPassword: temp } = await createUser(
      q,
      { username: "new.starter", displayName: "Nia Starter", email: "nia@example.org", roles: ["author", "reviewer"], jobFunctions: ["cra"] },
      admin,
      "Access request AR-17",
    );
    expect(temp).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect(await getUser(q.db, id)).toMatchObject({ mustChangePassword: true, active: true, roles: ["author", "reviewer"], jobFunctions: ["cra"] });
    const [row, ...rest] = await auditRows("new.starter");
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      action: "user.create",
      object_type: "user",
      user_id: admin.userId,
      username: "admin",
      old_values: null,
      reason: "Access request AR-17",
      client_address: "127.0.0.1",
    });
    expect(JSON.parse(row!.new_values!)).toEqual({
      username: "new.starter",
      displayName: "Nia Starter",
      email: "nia@example.org",
      roles: ["author", "reviewer"],
      jobFunctions: ["cra"],
      active: true,
    });
    const signIn = await checkCredentials(q, "new.starter", temp!, null);
    expect(signIn.ok && signIn.user.mustChangePassword).toBe(true);
  });

  it("records an update with old and new values and the reason, and writes nothing when nothing changed", async () => {
    const id = (await q.db.get<{ id: string }>("SELECT id FROM users WHERE username = 'new.starter'"))!.id;
    const changed = await updateUser(
      q,
      id,
      { displayName: "Nia Starter-Jones", email: "nia@example.org", roles: ["author", "quality-manager"], jobFunctions: ["quality-manager"] },
      admin,
      "Promoted to QA",
    );
    expect(changed).toBe(true);
    const rows = await auditRows("new.starter");
    const row = rows.filter((r) => r.action === "user.update").at(-1)!;
    expect(row).toMatchObject({ action: "user.update", reason: "Promoted to QA", username: "admin" });
    // The CRA curriculum's open training goes with the function, in the same change.
    expect(rows.at(-1)).toMatchObject({ action: "training.cancel", reason: "No longer in the audience: job function(s) cra removed." });
    expect(JSON.parse(row.old_values!)).toMatchObject({ displayName: "Nia Starter", roles: ["author", "reviewer"], jobFunctions: ["cra"] });
    expect(JSON.parse(row.new_values!)).toMatchObject({
      displayName: "Nia Starter-Jones",
      roles: ["author", "quality-manager"],
      jobFunctions: ["quality-manager"],
    });

    const count = (await auditRows("new.starter")).length;
    const same = await updateUser(
      q,
      id,
      { displayName: "Nia Starter-Jones", email: "nia@example.org", roles: ["quality-manager", "author"], jobFunctions: ["quality-manager"] },
      admin,
      null,
    );
    expect(same).toBe(false);
    expect(await auditRows("new.starter")).toHaveLength(count);
  });

  it("writes nothing when a change is refused half-way (an unknown job function)", async () => {
    const id = (await q.db.get<{ id: string }>("SELECT id FROM users WHERE username = 'new.starter'"))!.id;
    const before = await getUser(q.db, id);
    const count = (await auditRows("new.starter")).length;
    const error = await refusal(
      updateUser(q, id, { displayName: "Changed", email: "x@example.org", roles: ["staff"], jobFunctions: ["astronaut"] }, admin, null),
    );
    expect([error.field, error.message]).toEqual(["jobFunctions", "astronaut is not a defined job function"]);
    expect(await getUser(q.db, id)).toEqual(before);
    expect(await auditRows("new.starter")).toHaveLength(count);
  });

  it("forces a password reset: a new one-time password, the old one dead, sessions ended", async () => {
    const id = await newUser("reset.person");
    await startSession(q, (await getUser(q.db, id))!, null);
    const temp = await forcePasswordReset(q, id, admin, "Forgot it");
    expect(temp).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect(await q.db.get<{ n: number }>("SELECT count(*) AS n FROM sessions WHERE user_id = ?", [id])).toEqual({ n: 0 });
    expect((await checkCredentials(q, "reset.person", PASSWORD, null)).ok).toBe(false);
    const signIn = await checkCredentials(q, "reset.person", temp, null);
    expect(signIn.ok && signIn.user.mustChangePassword).toBe(true);
    expect((await auditRows("reset.person")).find((r) => r.action === "user.password.reset")).toMatchObject({
      username: "admin",
      reason: "Forgot it",
      new_values: '{"mustChangePassword":true}',
    });
  });

  it("lists a user's recent events, about them and by them, newest first, at most 20", async () => {
    const events = await recentUserEvents(q.db, "lock.person");
    expect(events.length).toBe(10);
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => b - a));
    expect(events[0]).toMatchObject({ action: "user.unlock", actor: "admin", reason: "Confirmed by phone: the holder mistyped" });
    expect(events[1]).toMatchObject({ action: "auth.signin.failed", actor: "lock.person" }); // refused while locked
    expect(events.at(-1)).toMatchObject({ action: "user.create", actor: "admin" });
    expect(events.some((e) => e.action === "auth.signin" && e.objectType === "session")).toBe(true);
    const unlock = events.find((e) => e.action === "user.unlock")!;
    expect(unlock.changes).toEqual([
      { field: "Failed sign-ins", from: "5", to: "0" },
      { field: "Locked at", from: expect.any(String), to: null },
    ]);

    const busy = await newUser("busy.person");
    for (let n = 1; n <= 21; n++) {
      await updateUser(q, busy, { displayName: `Busy ${n}`, email: "busy@example.org", roles: ["staff"], jobFunctions: ["cra"] }, admin, null);
    }
    const latest = await recentUserEvents(q.db, "busy.person");
    expect(latest).toHaveLength(20);
    expect(latest[0]!.changes).toEqual([{ field: "Name", from: "Busy 20", to: "Busy 21" }]);
    expect(await recentUserEvents(q.db, "nobody.here")).toEqual([]);
  });

  it("keeps the hash chain intact through all of the above", async () => {
    expect(await verifyAuditTrail(q.db)).toMatchObject({ ok: true });
  });
});

describe("password hashes", () => {
  it("stores scrypt$N$r$p$salt$hash with a random salt, and verifies only the right password", async () => {
    // At the production cost (N=2^15), whatever the suite runs at.
    const hash = await hashPassword("correct horse battery", PRODUCTION_SCRYPT_COST);
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await hashPassword("correct horse battery")).not.toBe(hash);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
    expect(await verifyPassword("correct horse battery", "md5$abc")).toBe(false);
    const stored = await q.db.get<{ password_hash: string }>("SELECT password_hash FROM users WHERE username = 'rules.person'");
    expect(stored!.password_hash).toMatch(/^scrypt\$/);
    expect(stored!.password_hash).not.toContain(PASSWORD);
  });

  it("hashes at N=2^15 unless QUIRE_SCRYPT_COST says otherwise (10 to 20), and a stored hash keeps its own cost", async () => {
    expect(readScryptCost({})).toBe(PRODUCTION_SCRYPT_COST);
    expect(PRODUCTION_SCRYPT_COST).toBe(15);
    expect(readScryptCost({ QUIRE_SCRYPT_COST: "12" })).toBe(12);
    expect(() => readScryptCost({ QUIRE_SCRYPT_COST: "8" })).toThrow("QUIRE_SCRYPT_COST: must be at least 10");
    expect(() => readScryptCost({ QUIRE_SCRYPT_COST: "fast" })).toThrow("QUIRE_SCRYPT_COST");
    expect(() => readConfig({ QUIRE_SCRYPT_COST: "21" })).toThrow("QUIRE_SCRYPT_COST: must be at most 20");
    // New hashes take the configured cost (this suite's, from vitest.config.ts)...
    expect(await hashPassword("correct horse battery")).toMatch(new RegExp(`^scrypt\\$${2 ** readScryptCost()}\\$8\\$1\\$`));
    // ...and a hash made at another cost verifies at its own.
    expect(await verifyPassword("correct horse battery", await hashPassword("correct horse battery", 11))).toBe(true);
  });

  it("runs at most two hashes at once, queueing the rest, so a burst of sign-ins leaves threads for the database", async () => {
    const hash = await hashPassword("correct horse battery");
    let most = 0;
    let queued = 0;
    const watch = setInterval(() => {
      const now = passwordHashing();
      most = Math.max(most, now.active);
      queued = Math.max(queued, now.pending);
    }, 1);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => verifyPassword(i % 2 === 0 ? "correct horse battery" : "wrong", hash)));
    clearInterval(watch);
    expect(results).toEqual([true, false, true, false, true, false]);
    expect(most).toBe(SCRYPT_CONCURRENCY);
    expect(queued).toBeGreaterThan(0);
    expect(passwordHashing()).toEqual({ active: 0, pending: 0 });
  });

  it("generates readable one-time passwords that differ each time and meet the length rule", () => {
    const a = temporaryPassword();
    expect(a).toHaveLength(19);
    expect(a).not.toBe(temporaryPassword());
    expect(passwordProblems(a, "someone")).toEqual([]);
  });
});

describe("account status and event changes (pure)", () => {
  it("says Deactivated alone, else Locked (while the lock is in force) and/or Must change password, else Active", () => {
    const at = new Date("2026-11-25T10:00:00Z");
    const lockedAt = "2026-11-25T09:45:00.000Z";
    expect(accountStatuses({ active: false, lockedAt, mustChangePassword: true }, at, 30)).toEqual(["deactivated"]);
    expect(accountStatuses({ active: true, lockedAt, mustChangePassword: true }, at, 30)).toEqual(["locked", "must-change-password"]);
    expect(accountStatuses({ active: true, lockedAt: null, mustChangePassword: false }, at, 30)).toEqual(["active"]);
    // A lock whose period is over no longer stops anyone: not shown as Locked.
    expect(accountStatuses({ active: true, lockedAt, mustChangePassword: false }, at, 15)).toEqual(["active"]);
  });

  it("keeps a lock in force for exactly the lockout period (Part 11 §11.300(d))", () => {
    const lockedAt = "2026-11-25T09:00:00.000Z";
    expect(lockLapsesAt(lockedAt, 30).toISOString()).toBe("2026-11-25T09:30:00.000Z");
    expect(lockInForce(lockedAt, new Date("2026-11-25T09:29:59.999Z"), 30)).toBe(true);
    expect(lockInForce(lockedAt, new Date("2026-11-25T09:30:00.000Z"), 30)).toBe(false);
    expect(lockInForce(lockedAt, new Date("2026-11-25T09:30:00.000Z"), 45)).toBe(true);
    expect(lockInForce(null, new Date(lockedAt), 30)).toBe(false);
  });

  it("lists the fields an event changed, or its new values", () => {
    expect(eventChanges('{"roles":["a"],"email":"e"}', '{"roles":["a","b"],"email":"e"}')).toEqual([{ field: "Roles", from: "a", to: "a, b" }]);
    expect(eventChanges(null, '{"active":true,"jobFunctions":[]}')).toEqual([
      { field: "Active", from: null, to: "yes" },
      { field: "Job functions", from: null, to: "none" },
    ]);
    expect(eventChanges(null, null)).toEqual([]);
  });
});
