import crypto from "node:crypto";

import { isoDate, now } from "~/clock.server";
import type { DataFolder } from "~/data-folder.server";
import type { Queryable, Tx } from "~/db/db.server";
import { eventsAboutOrBy, recordAudit } from "~/modules/audit/audit.server";
import { changeCurriculum, closeTrainingOfLeaver } from "~/modules/training/curriculum.server";
import { isJobFunction } from "~/modules/training/job-functions.server";

import { SYSTEM_ACTOR, type Actor } from "./actor";
import { dummyHash, hashPassword, temporaryPassword, verifyPassword } from "./password-hash.server";
import { passwordRefusal } from "./password-strength.server";
import { MAX_FAILED_SIGNINS, PASSWORD_HISTORY } from "./passwords";
import { isRole, type Role } from "./permissions";
import { eventChanges, lockInForce, lockLapsesAt, type UserEvent } from "./users";

export { SYSTEM_ACTOR, type Actor } from "./actor";

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  email: string;
  active: boolean;
  failedSignins: number;
  lockedAt: string | null;
  mustChangePassword: boolean;
  passwordChangedAt: string;
  createdAt: string;
  roles: Role[];
  jobFunctions: string[];
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  email: string;
  active: number;
  failed_signins: number;
  locked_at: string | null;
  must_change_password: number;
  password_changed_at: string;
  created_at: string;
}

const USER_COLUMNS = "id, username, display_name, email, active, failed_signins, locked_at, must_change_password, password_changed_at, created_at";

export class UserInputError extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

async function toRecord(db: Queryable, row: UserRow): Promise<UserRecord> {
  const roles = await db.all<{ role: string }>("SELECT role FROM user_roles WHERE user_id = ? ORDER BY role", [row.id]);
  const jfs = await db.all<{ job_function_id: string }>("SELECT job_function_id FROM user_job_functions WHERE user_id = ? ORDER BY job_function_id", [row.id]);
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    active: row.active === 1,
    failedSignins: row.failed_signins,
    lockedAt: row.locked_at,
    mustChangePassword: row.must_change_password === 1,
    passwordChangedAt: row.password_changed_at,
    createdAt: row.created_at,
    roles: roles.map((r) => r.role).filter(isRole),
    jobFunctions: jfs.map((j) => j.job_function_id),
  };
}

export async function getUser(db: Queryable, id: string): Promise<UserRecord | null> {
  const row = await db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
  return row ? toRecord(db, row) : null;
}

/** A user by user name, as typed at sign-in or on the command line (trimmed, any case). */
export async function getUserByUsername(db: Queryable, username: string): Promise<UserRecord | null> {
  const row = await db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`, [username.trim().toLowerCase()]);
  return row ? toRecord(db, row) : null;
}

/** Display names of users by id, for showing who authored, reviewed, signed and commented. */
export async function userNames(db: Queryable): Promise<Map<string, { username: string; displayName: string }>> {
  const rows = await db.all<{ id: string; username: string; display_name: string }>("SELECT id, username, display_name FROM users");
  return new Map(rows.map((r) => [r.id, { username: r.username, displayName: r.display_name }]));
}

export async function listUsers(db: Queryable): Promise<UserRecord[]> {
  const rows = await db.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`);
  return Promise.all(rows.map((r) => toRecord(db, r)));
}

/** Whether the account is active, and its roles (null: no such account), for checking who may review. */
export async function accountStanding(db: Queryable, userId: string): Promise<{ active: boolean; roles: string[] } | null> {
  const user = await db.get<{ active: number }>("SELECT active FROM users WHERE id = ?", [userId]);
  const roles = (await db.all<{ role: string }>("SELECT role FROM user_roles WHERE user_id = ?", [userId])).map((r) => r.role);
  return user ? { active: user.active === 1, roles } : null;
}

/** Whether any of these people holds the job function. */
export async function anyHoldsJobFunction(db: Queryable, userIds: readonly string[], jobFunction: string): Promise<boolean> {
  const placeholders = userIds.map(() => "?").join(", ") || "NULL";
  return (await db.get(`SELECT 1 FROM user_job_functions WHERE job_function_id = ? AND user_id IN (${placeholders})`, [jobFunction, ...userIds])) !== undefined;
}

/** A person as training sees them: who holds which job functions. */
export interface Trainee {
  id: string;
  username: string;
  displayName: string;
  jobFunctions: string[];
}

/** Active people holding at least one of `functions` (a document's audience), ordered by user name. */
export async function activePeopleIn(db: Queryable, functions: readonly string[]): Promise<Trainee[]> {
  if (functions.length === 0) return [];
  const rows = await db.all<{ id: string; username: string; display_name: string; functions: string }>(
    `SELECT u.id, u.username, u.display_name, group_concat(j.job_function_id, char(10)) AS functions
       FROM users u JOIN user_job_functions j ON j.user_id = u.id
      WHERE u.active = 1 AND j.job_function_id IN (${functions.map(() => "?").join(", ")})
      GROUP BY u.id ORDER BY u.username`,
    [...functions],
  );
  return rows.map((r) => ({ id: r.id, username: r.username, displayName: r.display_name, jobFunctions: r.functions.split("\n").sort() }));
}

/** A person as notices address them: everyone, active or not, with their line manager, roles and job functions. */
export interface DirectoryEntry {
  id: string;
  username: string;
  displayName: string;
  email: string;
  active: boolean;
  managerId: string | null;
  roles: string[];
  jobFunctions: string[];
}

/** Every user with line manager, roles and job functions, in three statements whatever the number of users. */
export async function peopleDirectory(db: Queryable): Promise<DirectoryEntry[]> {
  const [users, roles, functions] = await Promise.all([
    db.all<{ id: string; username: string; display_name: string; email: string; active: number; manager_id: string | null }>(
      "SELECT id, username, display_name, email, active, manager_id FROM users ORDER BY username",
    ),
    db.all<{ user_id: string; role: string }>("SELECT user_id, role FROM user_roles ORDER BY role"),
    db.all<{ user_id: string; job_function_id: string }>("SELECT user_id, job_function_id FROM user_job_functions ORDER BY job_function_id"),
  ]);
  const group = <T extends { user_id: string }>(rows: T[], value: (r: T) => string) => {
    const by = new Map<string, string[]>();
    for (const r of rows) by.set(r.user_id, [...(by.get(r.user_id) ?? []), value(r)]);
    return by;
  };
  const rolesOf = group(roles, (r) => r.role);
  const functionsOf = group(functions, (r) => r.job_function_id);
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    email: u.email,
    active: u.active === 1,
    managerId: u.manager_id,
    roles: rolesOf.get(u.id) ?? [],
    jobFunctions: functionsOf.get(u.id) ?? [],
  }));
}

/** The usernames of active people who are someone's line manager, for filters. */
export async function lineManagerUsernames(db: Queryable): Promise<string[]> {
  const rows = await db.all<{ username: string }>(
    "SELECT DISTINCT m.username FROM users u JOIN users m ON m.id = u.manager_id WHERE u.active = 1 ORDER BY m.username",
  );
  return rows.map((r) => r.username);
}

/**
 * Sets (or, with null, clears) a person's line manager, inside the caller's transaction: the person
 * SOP-TR-001 sends overdue training to. The manager must be an active account other than the person,
 * and not someone who reports, directly or through others, to the person. Returns false, writing
 * nothing, when it is already so.
 */
export async function setManager(tx: Tx, userId: string, managerId: string | null, actor: Actor, at: Date, reason: string | null = null): Promise<boolean> {
  const person = await tx.get<{ username: string; manager_id: string | null }>("SELECT username, manager_id FROM users WHERE id = ?", [userId]);
  if (!person) throw new UserInputError("No such user.");
  if (person.manager_id === managerId) return false;
  let managerName: string | null = null;
  if (managerId !== null) {
    if (managerId === userId) throw new UserInputError("A person cannot be their own line manager.", "manager");
    const manager = await tx.get<{ username: string; active: number }>("SELECT username, active FROM users WHERE id = ?", [managerId]);
    if (!manager) throw new UserInputError("No such line manager.", "manager");
    if (manager.active !== 1) throw new UserInputError(`${manager.username} is deactivated and cannot be a line manager.`, "manager");
    // Walk up from the new manager: reaching the person would make a loop.
    const chain = new Set<string>([managerId]);
    for (let up = await managerOf(tx, managerId); up !== null; up = await managerOf(tx, up)) {
      if (up === userId) throw new UserInputError(`${manager.username} reports to ${person.username}, so cannot be their line manager.`, "manager");
      if (chain.has(up)) break;
      chain.add(up);
    }
    managerName = manager.username;
  }
  const before =
    person.manager_id === null
      ? null
      : ((await tx.get<{ username: string }>("SELECT username FROM users WHERE id = ?", [person.manager_id]))?.username ?? null);
  await tx.run("UPDATE users SET manager_id = ? WHERE id = ?", [managerId, userId]);
  await recordAudit(
    tx,
    {
      ...auditActor(actor),
      action: "user.manager.set",
      objectType: "user",
      objectId: person.username,
      oldValues: { manager: before },
      newValues: { manager: managerName },
      reason,
    },
    at,
  );
  return true;
}

async function managerOf(db: Queryable, userId: string): Promise<string | null> {
  return (await db.get<{ manager_id: string | null }>("SELECT manager_id FROM users WHERE id = ?", [userId]))?.manager_id ?? null;
}

/** The facts about a user the audit trail keeps as old/new values (never the password hash). */
function auditView(u: Pick<UserRecord, "username" | "displayName" | "email" | "roles" | "jobFunctions" | "active">) {
  return { username: u.username, displayName: u.displayName, email: u.email, roles: u.roles, jobFunctions: u.jobFunctions, active: u.active };
}

export interface NewUser {
  username: string;
  displayName: string;
  email: string;
  roles: Role[];
  jobFunctions: string[];
  /** Given: the account is ready to use. Omitted: a one-time password is generated and must be changed. */
  password?: string;
}

async function checkJobFunctions(tx: Queryable, ids: string[]): Promise<void> {
  for (const id of ids) {
    if (!(await isJobFunction(tx, id))) {
      throw new UserInputError(`${id} is not a defined job function`, "jobFunctions");
    }
  }
}

async function writeMemberships(tx: Tx, userId: string, roles: Role[], jobFunctions: string[]): Promise<void> {
  await tx.run("DELETE FROM user_roles WHERE user_id = ?", [userId]);
  await tx.run("DELETE FROM user_job_functions WHERE user_id = ?", [userId]);
  for (const role of roles) await tx.run("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", [userId, role]);
  for (const jf of jobFunctions) {
    await tx.run("INSERT INTO user_job_functions (user_id, job_function_id) VALUES (?, ?)", [userId, jf]);
  }
}

/**
 * Creates a user inside the caller's transaction. User names are unique for all time: users are
 * never deleted, so a name once used stays taken (Part 11 §11.300(a)).
 */
export async function insertUser(
  tx: Tx,
  input: NewUser,
  actor: Actor,
  at: Date,
  reason: string | null = null,
): Promise<{ id: string; temporaryPassword: string | null }> {
  if (!/^[a-z][a-z0-9._-]{1,31}$/.test(input.username)) {
    throw new UserInputError("User names are 2-32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter.", "username");
  }
  if (await tx.get("SELECT 1 FROM users WHERE username = ?", [input.username])) {
    throw new UserInputError(`The user name ${input.username} is taken (user names are never reused, even for deactivated accounts).`, "username");
  }
  await checkJobFunctions(tx, input.jobFunctions);
  // A generated one-time password (16 random characters) needs no guessability check; a chosen one does.
  const temp = input.password === undefined ? temporaryPassword() : null;
  const password = input.password ?? temp!;
  const refusal = temp === null ? await passwordRefusal(password, input) : null;
  if (refusal) throw new UserInputError(refusal, "password");
  const id = crypto.randomUUID();
  const hash = await hashPassword(password);
  const stamp = at.toISOString();
  await tx.run(
    `INSERT INTO users (id, username, display_name, email, password_hash, must_change_password, password_changed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, input.username, input.displayName, input.email, hash, temp ? 1 : 0, stamp, stamp],
  );
  await tx.run("INSERT INTO password_history (user_id, password_hash, set_at) VALUES (?, ?, ?)", [id, hash, stamp]);
  await writeMemberships(tx, id, input.roles, input.jobFunctions);
  await recordAudit(
    tx,
    { ...auditActor(actor), action: "user.create", objectType: "user", objectId: input.username, newValues: auditView({ ...input, active: true }), reason },
    at,
  );
  // A new person's curriculum is assigned with the account (SOP-TR-001 step 2: induction).
  await changeCurriculum(tx, {
    person: { id, username: input.username },
    before: [],
    after: input.jobFunctions,
    cause: "induction",
    actor,
    at,
    today: isoDate(at),
  });
  return { id, temporaryPassword: temp };
}

function auditActor(actor: Actor) {
  return { userId: actor.userId, username: actor.username, clientAddress: actor.clientAddress };
}

export async function createUser(q: DataFolder, input: NewUser, actor: Actor, reason: string | null = null) {
  return q.db.transaction((tx) => insertUser(tx, input, actor, now(q.config), reason));
}

export interface UserChanges {
  displayName: string;
  email: string;
  roles: Role[];
  jobFunctions: string[];
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}

/**
 * Changes a user's name, email, roles and job functions. Returns false, writing nothing, when the
 * changes equal what is stored: an audit row whose old and new values are the same says nothing.
 */
export async function updateUser(q: DataFolder, id: string, changes: UserChanges, actor: Actor, reason: string | null): Promise<boolean> {
  return q.db.transaction(async (tx) => {
    const before = await getUser(tx, id);
    if (!before) throw new UserInputError("No such user.");
    if (actor.userId === id && before.roles.includes("administrator") && !changes.roles.includes("administrator")) {
      throw new UserInputError("You cannot remove your own administrator role; ask another administrator.", "roles");
    }
    await checkJobFunctions(tx, changes.jobFunctions);
    if (
      before.displayName === changes.displayName &&
      before.email === changes.email &&
      sameMembers(before.roles, changes.roles) &&
      sameMembers(before.jobFunctions, changes.jobFunctions)
    ) {
      return false;
    }
    await tx.run("UPDATE users SET display_name = ?, email = ? WHERE id = ?", [changes.displayName, changes.email, id]);
    await writeMemberships(tx, id, changes.roles, changes.jobFunctions);
    const after = { ...before, ...changes };
    await recordAudit(
      tx,
      {
        ...auditActor(actor),
        action: "user.update",
        objectType: "user",
        objectId: before.username,
        oldValues: auditView(before),
        newValues: auditView(after),
        reason,
      },
      now(q.config),
    );
    // Training follows the person's job functions in the same transaction (SOP-TR-001 step 1).
    if (before.active) {
      const at = now(q.config);
      await changeCurriculum(tx, {
        person: before,
        before: before.jobFunctions,
        after: changes.jobFunctions,
        cause: "function-gained",
        actor,
        at,
        today: isoDate(at),
      });
    }
    return true;
  });
}

/** Deactivate or reactivate; deactivation also ends the user's sessions. */
export async function setUserActive(q: DataFolder, id: string, active: boolean, actor: Actor, reason: string | null): Promise<void> {
  await q.db.transaction(async (tx) => {
    const before = await getUser(tx, id);
    if (!before) throw new UserInputError("No such user.");
    if (!active && actor.userId === id) throw new UserInputError("You cannot deactivate your own account.");
    if (before.active === active) throw new UserInputError(`The account is already ${active ? "active" : "deactivated"}.`);
    await tx.run("UPDATE users SET active = ? WHERE id = ?", [active ? 1 : 0, id]);
    if (!active) await tx.run("DELETE FROM sessions WHERE user_id = ?", [id]);
    await recordAudit(
      tx,
      {
        ...auditActor(actor),
        action: active ? "user.reactivate" : "user.deactivate",
        objectType: "user",
        objectId: before.username,
        oldValues: { active: before.active },
        newValues: { active },
        reason,
      },
      now(q.config),
    );
    // A leaver's open training is closed the same day; a returning person's curriculum is assigned again (SOP-TR-001 step 8).
    const at = now(q.config);
    if (active) {
      await changeCurriculum(tx, { person: before, before: [], after: before.jobFunctions, cause: "induction", actor, at, today: isoDate(at) });
    } else {
      await closeTrainingOfLeaver(tx, before, actor, at);
    }
  });
}

export async function unlockUser(q: DataFolder, id: string, actor: Actor, reason: string | null): Promise<void> {
  await q.db.transaction(async (tx) => {
    const before = await getUser(tx, id);
    if (!before) throw new UserInputError("No such user.");
    if (!before.lockedAt) throw new UserInputError("The account is not locked.");
    await tx.run("UPDATE users SET locked_at = NULL, failed_signins = 0 WHERE id = ?", [id]);
    await recordAudit(
      tx,
      {
        ...auditActor(actor),
        action: "user.unlock",
        objectType: "user",
        objectId: before.username,
        oldValues: { lockedAt: before.lockedAt, failedSignins: before.failedSignins },
        newValues: { lockedAt: null, failedSignins: 0 },
        reason,
      },
      now(q.config),
    );
  });
}

/**
 * Sets a one-time password the user must change at next sign-in, and ends their sessions. Not for
 * one's own account: that would end the administrator's own session mid-action, and a password
 * nobody else may know is changed on the own-password page, with the current one re-entered.
 */
export async function forcePasswordReset(q: DataFolder, id: string, actor: Actor, reason: string | null): Promise<string> {
  if (actor.userId === id) throw new UserInputError("To change your own password, use the Change password page (your name in the header).");
  const temp = temporaryPassword();
  const hash = await hashPassword(temp);
  await q.db.transaction(async (tx) => {
    const before = await getUser(tx, id);
    if (!before) throw new UserInputError("No such user.");
    const at = now(q.config).toISOString();
    await tx.run("UPDATE users SET password_hash = ?, must_change_password = 1, password_changed_at = ? WHERE id = ?", [hash, at, id]);
    await tx.run("INSERT INTO password_history (user_id, password_hash, set_at) VALUES (?, ?, ?)", [id, hash, at]);
    await tx.run("DELETE FROM sessions WHERE user_id = ?", [id]);
    await recordAudit(
      tx,
      { ...auditActor(actor), action: "user.password.reset", objectType: "user", objectId: before.username, newValues: { mustChangePassword: true }, reason },
      now(q.config),
    );
  });
  return temp;
}

/**
 * A user changes their own password: current password re-entered, rules checked, last five
 * refused. Every other session of the user ends (a stolen session does not survive the change);
 * `keepSessionId`, the session making the change, stays.
 */
export async function changeOwnPassword(
  q: DataFolder,
  actor: Actor & { userId: string },
  current: string,
  next: string,
  keepSessionId: string | null = null,
): Promise<void> {
  const row = await q.db.get<{ username: string; display_name: string; email: string }>("SELECT username, display_name, email FROM users WHERE id = ?", [
    actor.userId,
  ]);
  if (!row) throw new UserInputError("No such user.");
  // Checked like a sign-in: a wrong current password is audited and counts toward the lockout.
  const check = await checkCredentials(q, row.username, current, actor.clientAddress, "password-change");
  if (!check.ok) throw new UserInputError(check.reason === "unknown-or-wrong" ? "The current password is wrong." : check.message, "current");
  const refusal = await passwordRefusal(next, { username: row.username, displayName: row.display_name, email: row.email }, "The new password");
  if (refusal) throw new UserInputError(refusal, "password");
  const history = await q.db.all<{ password_hash: string }>(
    "SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY set_at DESC, rowid DESC LIMIT ?",
    [actor.userId, PASSWORD_HISTORY],
  );
  for (const h of history) {
    if (await verifyPassword(next, h.password_hash)) {
      throw new UserInputError(`The new password must differ from your last ${PASSWORD_HISTORY} passwords.`, "password");
    }
  }
  const hash = await hashPassword(next);
  await q.db.transaction(async (tx) => {
    const at = now(q.config).toISOString();
    await tx.run("UPDATE users SET password_hash = ?, must_change_password = 0, password_changed_at = ? WHERE id = ?", [hash, at, actor.userId]);
    await tx.run("INSERT INTO password_history (user_id, password_hash, set_at) VALUES (?, ?, ?)", [actor.userId, hash, at]);
    await tx.run("DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?", [actor.userId, keepSessionId]);
    await recordAudit(tx, { ...auditActor(actor), action: "user.password.change", objectType: "user", objectId: row.username }, now(q.config));
  });
}

/**
 * The newest audit events about a user account (object_type 'user') and by that user (sign-ins,
 * failed attempts, their own changes), newest first, for the administrator's account page.
 */
export async function recentUserEvents(db: Queryable, username: string, limit = 20): Promise<UserEvent[]> {
  const id = (await db.get<{ id: string }>("SELECT id FROM users WHERE username = ?", [username]))?.id ?? null;
  const rows = await eventsAboutOrBy(db, { objectType: "user", objectId: username }, id, limit);
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    actor: r.username,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    reason: r.reason,
    clientAddress: r.client_address,
    changes: eventChanges(r.old_values, r.new_values),
  }));
}

export type SignInResult = { ok: true; user: UserRecord } | { ok: false; reason: "unknown-or-wrong" | "locked" | "inactive"; message: string };

/** "2026-11-25 09:30 UTC": when a lock lapses, for the messages of people already signed in. */
function minuteLabel(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function lockedMessage(lockedAt: string, lockoutMinutes: number): string {
  return `This account is locked after ${MAX_FAILED_SIGNINS} failed attempts. It unlocks itself at ${minuteLabel(lockLapsesAt(lockedAt, lockoutMinutes))}, or an administrator can unlock it sooner.`;
}

/**
 * Lifts a lock whose period is over, at the attempt that finds it so: the lapse is a change to the
 * account, so it is audited when it takes effect, as the system's act, with the address of the
 * attempt that set it off. Re-read inside the transaction so parallel attempts lift it once.
 */
async function liftLapsedLock(q: DataFolder, userId: string, at: Date, clientAddress: string | null): Promise<void> {
  await q.db.transaction(async (tx) => {
    const current = await tx.get<{ username: string; locked_at: string | null; failed_signins: number }>(
      "SELECT username, locked_at, failed_signins FROM users WHERE id = ?",
      [userId],
    );
    if (!current?.locked_at || lockInForce(current.locked_at, at, q.config.lockoutMinutes)) return;
    const lapsedAt = lockLapsesAt(current.locked_at, q.config.lockoutMinutes).toISOString();
    await tx.run("UPDATE users SET locked_at = NULL, failed_signins = 0 WHERE id = ?", [userId]);
    await recordAudit(
      tx,
      {
        ...SYSTEM_ACTOR,
        clientAddress,
        action: "user.unlock.automatic",
        objectType: "user",
        objectId: current.username,
        oldValues: { lockedAt: current.locked_at, failedSignins: current.failed_signins },
        newValues: { lockedAt: null, failedSignins: 0, lockLapsedAt: lapsedAt },
        reason: `The ${q.config.lockoutMinutes}-minute lockout period was over; lifted at the next sign-in attempt.`,
      },
      at,
    );
  });
}

/**
 * Checks a user name and password (Part 11 §11.300(d): attempts at unauthorised use are detected
 * and reported). Every outcome is audited. Five failures in a row lock the account for
 * QUIRE_LOCKOUT_MINUTES; wrong passwords while it is locked still count and are audited; the
 * first attempt after the period lifts the lock (audited) and is then checked as usual.
 * `purpose` distinguishes a sign-in from a signature's password re-entry.
 *
 * `message` is for people already signed in (a signature, a password change). The sign-in form
 * must not show it: it would tell a stranger whether a user name exists and whether the account
 * is locked or deactivated (login.tsx shows one message for every refusal).
 */
export async function checkCredentials(
  q: DataFolder,
  username: string,
  password: string,
  clientAddress: string | null,
  purpose: "sign-in" | "signature" | "password-change" = "sign-in",
): Promise<SignInResult> {
  const row = await q.db.get<UserRow & { password_hash: string }>(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE username = ?`, [
    username.trim().toLowerCase(),
  ]);
  // Exactly one scrypt verification on every path, before anything depends on what was found, so
  // the time an answer takes does not tell an unknown user name, a deactivated or a locked account
  // from a wrong password. An unknown name is verified against dummyHash(), which costs the same.
  const passwordRight = await verifyPassword(password, row?.password_hash ?? dummyHash());
  const at = now(q.config);
  const minutes = q.config.lockoutMinutes;
  const failAction = { "sign-in": "auth.signin.failed", signature: "signature.password.failed", "password-change": "user.password.change.failed" }[purpose];
  if (!row) {
    await q.db.transaction((tx) =>
      recordAudit(
        tx,
        {
          userId: null,
          username: null,
          action: failAction,
          objectType: "user",
          objectId: username.slice(0, 64),
          newValues: { reason: "unknown user name" },
          clientAddress,
        },
        at,
      ),
    );
    return { ok: false, reason: "unknown-or-wrong", message: "Unknown user name or wrong password." };
  }
  const actor = { userId: row.id, username: row.username, clientAddress };
  if (!row.active) {
    await q.db.transaction((tx) =>
      recordAudit(tx, { ...actor, action: failAction, objectType: "user", objectId: row.username, newValues: { reason: "account deactivated" } }, at),
    );
    return { ok: false, reason: "inactive", message: "This account is deactivated. Ask an administrator." };
  }
  if (row.locked_at && lockInForce(row.locked_at, at, minutes)) {
    await q.db.transaction(async (tx) => {
      if (passwordRight) {
        await recordAudit(tx, { ...actor, action: failAction, objectType: "user", objectId: row.username, newValues: { reason: "account locked" } }, at);
        return;
      }
      // Still counted while locked, so the administrator sees how hard the account is being tried.
      const current = await tx.get<{ failed_signins: number }>("SELECT failed_signins FROM users WHERE id = ?", [row.id]);
      const failures = (current?.failed_signins ?? 0) + 1;
      await tx.run("UPDATE users SET failed_signins = ? WHERE id = ?", [failures, row.id]);
      await recordAudit(
        tx,
        {
          ...actor,
          action: failAction,
          objectType: "user",
          objectId: row.username,
          newValues: { reason: "wrong password while locked", failedAttempts: failures },
        },
        at,
      );
    });
    return { ok: false, reason: "locked", message: lockedMessage(row.locked_at, minutes) };
  }
  if (row.locked_at) await liftLapsedLock(q, row.id, at, clientAddress);
  if (!passwordRight) {
    const locked = await q.db.transaction(async (tx) => {
      // Counted inside the transaction, so concurrent failures cannot skip the lock.
      const current = await tx.get<{ failed_signins: number }>("SELECT failed_signins FROM users WHERE id = ?", [row.id]);
      const failures = (current?.failed_signins ?? 0) + 1;
      const lock = failures >= MAX_FAILED_SIGNINS;
      await tx.run("UPDATE users SET failed_signins = ?, locked_at = ? WHERE id = ?", [failures, lock ? at.toISOString() : null, row.id]);
      await recordAudit(
        tx,
        { ...actor, action: failAction, objectType: "user", objectId: row.username, newValues: { reason: "wrong password", failedAttempts: failures } },
        at,
      );
      if (lock) {
        await tx.run("DELETE FROM sessions WHERE user_id = ?", [row.id]);
        await recordAudit(
          tx,
          { ...actor, action: "user.locked", objectType: "user", objectId: row.username, newValues: { failedAttempts: failures, lockoutMinutes: minutes } },
          at,
        );
      }
      return lock;
    });
    return locked
      ? { ok: false, reason: "locked", message: `Wrong password. ${lockedMessage(at.toISOString(), minutes)}` }
      : { ok: false, reason: "unknown-or-wrong", message: "Unknown user name or wrong password." };
  }
  // Checked again where attempts are serialised: attempts made in parallel all passed the lock
  // check above, and one that locked the account meanwhile must stop a correct guess among them.
  const recheck = await q.db.transaction(async (tx): Promise<SignInResult | null> => {
    const current = await tx.get<{ active: number; locked_at: string | null }>("SELECT active, locked_at FROM users WHERE id = ?", [row.id]);
    if (!current || current.active !== 1) return { ok: false, reason: "inactive", message: "This account is deactivated. Ask an administrator." };
    if (current.locked_at) return { ok: false, reason: "locked", message: lockedMessage(current.locked_at, minutes) };
    await tx.run("UPDATE users SET failed_signins = 0 WHERE id = ? AND failed_signins > 0", [row.id]);
    return null;
  });
  if (recheck) return recheck;
  return { ok: true, user: await toRecord(q.db, { ...row, failed_signins: 0, locked_at: null }) };
}
