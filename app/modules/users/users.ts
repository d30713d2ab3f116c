/** Pure logic about user accounts, shared by the server and the pages (no database here). */

export type AccountStatus = "active" | "deactivated" | "locked" | "must-change-password";

export const ACCOUNT_STATUS_LABELS: Record<AccountStatus, string> = {
  active: "Active",
  deactivated: "Deactivated",
  locked: "Locked",
  "must-change-password": "Must change password",
};

/**
 * The one answer to every refused sign-in: unknown user name, wrong password, locked account,
 * deactivated account. Telling them apart would let a stranger list the user names that exist and
 * see which accounts their guessing has locked (checkCredentials also makes them take the same
 * time). The account holder learns the rest from an administrator, whose pages show it.
 */
export const SIGN_IN_REFUSED = "The user name or password is wrong, or the account cannot sign in now.";

/**
 * The instant a lock lapses: `lockoutMinutes` after it was set (Part 11 §11.300(d)). A lock is
 * never permanent, so nobody can shut a person out for good by typing wrong passwords under their
 * name; the lapse takes effect, and is audited, at the next sign-in attempt.
 */
export function lockLapsesAt(lockedAt: string, lockoutMinutes: number): Date {
  return new Date(Date.parse(lockedAt) + lockoutMinutes * 60_000);
}

/** True while a lock stops sign-in: set, and its period not yet over at `at`. */
export function lockInForce(lockedAt: string | null, at: Date, lockoutMinutes: number): boolean {
  return lockedAt !== null && at.getTime() < lockLapsesAt(lockedAt, lockoutMinutes).getTime();
}

/**
 * What stops (or does not stop) a person using their account at `at`. A deactivated account says
 * only that: whether it is also locked matters again only once it is reactivated, and then it
 * shows. A lock whose period is over no longer stops anyone, so it is not shown as Locked (the
 * account page says it lapsed and clears at the next attempt).
 */
export function accountStatuses(
  u: { active: boolean; lockedAt: string | null; mustChangePassword: boolean },
  at: Date,
  lockoutMinutes: number,
): AccountStatus[] {
  if (!u.active) return ["deactivated"];
  const statuses: AccountStatus[] = [];
  if (lockInForce(u.lockedAt, at, lockoutMinutes)) statuses.push("locked");
  if (u.mustChangePassword) statuses.push("must-change-password");
  return statuses.length > 0 ? statuses : ["active"];
}

/** One audit event about or by a user, as the account page shows it. */
export interface UserEvent {
  seq: number;
  at: string;
  /** The user name of whoever acted (null for an unknown person, "system" for Quire itself). */
  actor: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  reason: string | null;
  clientAddress: string | null;
  changes: FieldChange[];
}

export interface FieldChange {
  field: string;
  /** null when the event records only new values (a creation, a failed sign-in). */
  from: string | null;
  to: string | null;
}

export const ACTION_LABELS: Record<string, string> = {
  "user.create": "Account created",
  "user.update": "Account changed",
  "user.deactivate": "Account deactivated",
  "user.reactivate": "Account reactivated",
  "user.unlock": "Account unlocked",
  "user.locked": "Account locked",
  "user.unlock.automatic": "Account unlocked: lockout period over",
  "user.password.reset": "Password reset by an administrator",
  "user.password.change": "Password changed by the user",
  "user.manager.set": "Line manager set",
  "auth.signin": "Signed in",
  "auth.signout": "Signed out",
  "auth.signin.failed": "Sign-in refused",
  "auth.session.expired": "Session expired",
  "signature.password.failed": "Signature password refused",
  "user.password.change.failed": "Password change refused: wrong current password",
};

const FIELD_LABELS: Record<string, string> = {
  username: "User name",
  displayName: "Name",
  email: "Email",
  roles: "Roles",
  jobFunctions: "Job functions",
  active: "Active",
  lockedAt: "Locked at",
  failedSignins: "Failed sign-ins",
  failedAttempts: "Failed attempts",
  lockLapsedAt: "Lock lapsed at",
  mustChangePassword: "Must change password",
  manager: "Line manager",
};

function parseValues(json: string | null): Record<string, unknown> | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { value: json };
  }
}

function show(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.length > 0 ? value.map((v) => String(v)).join(", ") : "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * The fields an audit event changed, from its stored old/new JSON: every field whose value
 * differs, or every new value when the event has no old values.
 */
export function eventChanges(oldJson: string | null, newJson: string | null): FieldChange[] {
  const before = parseValues(oldJson);
  const after = parseValues(newJson);
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const changes: FieldChange[] = [];
  for (const key of keys) {
    const from = before ? show(before[key]) : null;
    const to = after ? show(after[key]) : null;
    if (before && from === to) continue;
    changes.push({ field: FIELD_LABELS[key] ?? key, from, to });
  }
  return changes;
}
