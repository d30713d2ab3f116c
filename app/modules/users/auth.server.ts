import { Lucia, TimeSpan, generateIdFromEntropySize, type Adapter, type DatabaseSession, type DatabaseUser } from "lucia";

import { now } from "~/clock.server";
import { recordAudit } from "~/modules/audit/audit.server";
import type { Quire } from "~/quire";

import { permissionsOf, type Permission, type Role } from "./permissions";
import { getUser, type Actor, type UserRecord } from "./users.server";

export const SESSION_COOKIE = "quire_session";

interface SessionRow {
  id: string;
  user_id: string;
  expires_at: number;
  created_at: string;
  last_seen_at: string;
}

/** lucia v3 over our own adapter on the `sqlite3` layer (stack.md pitfall 8: attributes objects). */
function sqliteAdapter(q: Quire): Adapter {
  const toSession = (r: SessionRow): DatabaseSession => ({
    id: r.id,
    userId: r.user_id,
    expiresAt: new Date(r.expires_at),
    attributes: { createdAt: r.created_at, lastSeenAt: r.last_seen_at },
  });
  return {
    async getSessionAndUser(sessionId) {
      // Kept until the database changes (a sign-out, lock or activity update is a change).
      const row = await q.db.cached(`session:${sessionId}`, () =>
        q.db.get<SessionRow & { active: number; locked_at: string | null }>(
          `SELECT s.id, s.user_id, s.expires_at, s.created_at, s.last_seen_at, u.active, u.locked_at
           FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`,
          [sessionId],
        ),
      );
      if (!row) return [null, null];
      // A deactivated or locked account has no valid session, whatever the cookie says.
      const user: DatabaseUser | null = row.active === 1 && row.locked_at === null ? { id: row.user_id, attributes: {} } : null;
      return [toSession(row), user];
    },
    async getUserSessions(userId) {
      const rows = await q.db.all<SessionRow>("SELECT id, user_id, expires_at, created_at, last_seen_at FROM sessions WHERE user_id = ?", [userId]);
      return rows.map(toSession);
    },
    async setSession(session) {
      const attrs = session.attributes as { createdAt: string; lastSeenAt: string };
      await q.db.transaction((tx) =>
        tx.run("INSERT INTO sessions (id, user_id, expires_at, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)", [
          session.id,
          session.userId,
          session.expiresAt.getTime(),
          attrs.createdAt,
          attrs.lastSeenAt,
        ]),
      );
    },
    async updateSessionExpiration(sessionId, expiresAt) {
      await q.db.transaction((tx) => tx.run("UPDATE sessions SET expires_at = ? WHERE id = ?", [expiresAt.getTime(), sessionId]));
    },
    async deleteSession(sessionId) {
      await q.db.transaction((tx) => tx.run("DELETE FROM sessions WHERE id = ?", [sessionId]));
    },
    async deleteUserSessions(userId) {
      await q.db.transaction((tx) => tx.run("DELETE FROM sessions WHERE user_id = ?", [userId]));
    },
    async deleteExpiredSessions() {
      await q.db.transaction((tx) => tx.run("DELETE FROM sessions WHERE expires_at <= ?", [Date.now()]));
    },
  };
}

function createLucia(q: Quire) {
  return new Lucia(sqliteAdapter(q), {
    // lucia's own sliding expiry is a backstop at twice the idle limit; the exact idle and absolute
    // limits are checked below with Quire's clock.
    sessionExpiresIn: new TimeSpan(q.config.sessionIdleMinutes * 2, "m"),
    sessionCookie: { name: SESSION_COOKIE, expires: false, attributes: { sameSite: "lax", secure: false } },
    getSessionAttributes: (a) => a,
  });
}

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
    DatabaseSessionAttributes: { createdAt: string; lastSeenAt: string };
    DatabaseUserAttributes: Record<never, never>;
  }
}

const lucias = new WeakMap<Quire, ReturnType<typeof createLucia>>();
/** The data folder's lucia (sessions and their cookies), made once per Quire. */
export function luciaFor(q: Quire) {
  let lucia = lucias.get(q);
  if (!lucia) {
    lucia = createLucia(q);
    lucias.set(q, lucia);
  }
  return lucia;
}

/** The signed-in person as every loader and action sees them. */
export interface CurrentUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  jobFunctions: string[];
  permissions: Permission[];
  mustChangePassword: boolean;
  sessionId: string;
  clientAddress: string | null;
}

export function actorOf(user: CurrentUser): Actor {
  return { userId: user.id, username: user.username, clientAddress: user.clientAddress };
}

export type SessionState = { state: "signed-in"; user: CurrentUser } | { state: "anonymous" } | { state: "expired"; why: "idle" | "absolute" };

/**
 * Checks a session id from a cookie with Quire's clock: an idle or too old session ends here (and is
 * audited); an active one records activity at most every 30 s (a page view should not always cost a
 * write) and yields the signed-in person.
 */
export async function checkSession(q: Quire, sessionId: string, address: string | null): Promise<SessionState> {
  const { session, user } = await luciaFor(q).validateSession(sessionId);
  if (!session || !user) return { state: "anonymous" };
  const at = now(q.config);
  const idleMs = q.config.sessionIdleMinutes * 60_000;
  const absoluteMs = q.config.sessionAbsoluteHours * 3_600_000;
  const idle = at.getTime() - Date.parse(session.lastSeenAt) > idleMs;
  const absolute = at.getTime() - Date.parse(session.createdAt) > absoluteMs;
  if (idle || absolute) {
    const record = await getUser(q.db, user.id);
    await q.db.transaction(async (tx) => {
      await tx.run("DELETE FROM sessions WHERE id = ?", [session.id]);
      await recordAudit(
        tx,
        {
          userId: user.id,
          username: record?.username ?? null,
          action: "auth.session.expired",
          objectType: "session",
          objectId: null,
          newValues: { why: idle ? "idle" : "absolute", lastSeenAt: session.lastSeenAt, createdAt: session.createdAt },
          clientAddress: address,
        },
        at,
      );
    });
    return { state: "expired", why: idle ? "idle" : "absolute" };
  }
  if (at.getTime() - Date.parse(session.lastSeenAt) > 30_000) {
    await q.db.transaction((tx) => tx.run("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [at.toISOString(), session.id]));
  }
  const record = await q.db.cached(`user:${user.id}`, () => getUser(q.db, user.id));
  if (!record) return { state: "anonymous" };
  return { state: "signed-in", user: toCurrentUser(record, session.id, address) };
}

function toCurrentUser(u: UserRecord, sessionId: string, address: string | null): CurrentUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles,
    jobFunctions: u.jobFunctions,
    permissions: [...permissionsOf(u.roles)],
    mustChangePassword: u.mustChangePassword,
    sessionId,
    clientAddress: address,
  };
}

/** Starts a session after a successful sign-in; the session and its audit row commit together. */
export async function startSession(q: Quire, user: UserRecord, address: string | null): Promise<string> {
  const at = now(q.config);
  const id = generateIdFromEntropySize(25);
  const expiresAt = Date.now() + q.config.sessionIdleMinutes * 2 * 60_000;
  await q.db.transaction(async (tx) => {
    await tx.run("INSERT INTO sessions (id, user_id, expires_at, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)", [
      id,
      user.id,
      expiresAt,
      at.toISOString(),
      at.toISOString(),
    ]);
    await recordAudit(
      tx,
      { userId: user.id, username: user.username, action: "auth.signin", objectType: "session", objectId: null, clientAddress: address },
      at,
    );
  });
  return id;
}

export async function endSession(q: Quire, user: CurrentUser): Promise<void> {
  await q.db.transaction(async (tx) => {
    await tx.run("DELETE FROM sessions WHERE id = ?", [user.sessionId]);
    await recordAudit(tx, { ...actorOf(user), action: "auth.signout", objectType: "session", objectId: null }, now(q.config));
  });
}
