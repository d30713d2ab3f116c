import { redirect } from "@remix-run/node";
import { Lucia, TimeSpan, generateIdFromEntropySize, type Adapter, type DatabaseSession, type DatabaseUser } from "lucia";

import { now } from "~/clock.server";
import { quire, type Quire } from "~/context.server";
import { recordAudit } from "~/modules/audit/audit.server";

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
function luciaFor(q: Quire) {
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

/** The client's address, set by server.js from the socket (never trusted from the client). */
export function clientAddress(request: Request): string | null {
  return request.headers.get("x-quire-client-address");
}

/** Session cookies are Secure whenever the request came over HTTPS (directly or via a proxy). */
function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
}

export async function sessionCookie(request: Request, sessionId: string): Promise<string> {
  const cookie = luciaFor(await quire()).createSessionCookie(sessionId);
  cookie.attributes.secure = isHttps(request);
  // A browser-session cookie: it goes when the browser closes; the server ends idle sessions anyway.
  cookie.attributes.maxAge = undefined;
  cookie.attributes.expires = undefined;
  return cookie.serialize();
}

export async function blankSessionCookie(request: Request): Promise<string> {
  const cookie = luciaFor(await quire()).createBlankSessionCookie();
  cookie.attributes.secure = isHttps(request);
  return cookie.serialize();
}

export type SessionState = { state: "signed-in"; user: CurrentUser } | { state: "anonymous" } | { state: "expired"; why: "idle" | "absolute" };

const perRequest = new WeakMap<Request, Promise<SessionState>>();

/** Reads and checks the session cookie once per request (root and route loaders share the result). */
export function sessionState(request: Request): Promise<SessionState> {
  let state = perRequest.get(request);
  if (!state) {
    state = readSession(request);
    perRequest.set(request, state);
  }
  return state;
}

async function readSession(request: Request): Promise<SessionState> {
  const q = await quire();
  const lucia = luciaFor(q);
  const sessionId = lucia.readSessionCookie(request.headers.get("cookie") ?? "");
  if (!sessionId) return { state: "anonymous" };
  const { session, user } = await lucia.validateSession(sessionId);
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
          clientAddress: clientAddress(request),
        },
        at,
      );
    });
    return { state: "expired", why: idle ? "idle" : "absolute" };
  }
  // Record activity, but at most every 30 s: a page view should not always cost a write.
  if (at.getTime() - Date.parse(session.lastSeenAt) > 30_000) {
    await q.db.transaction((tx) => tx.run("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [at.toISOString(), session.id]));
  }
  const record = await q.db.cached(`user:${user.id}`, () => getUser(q.db, user.id));
  if (!record) return { state: "anonymous" };
  return { state: "signed-in", user: toCurrentUser(record, session.id, clientAddress(request)) };
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

export async function optionalUser(request: Request): Promise<CurrentUser | null> {
  const s = await sessionState(request);
  return s.state === "signed-in" ? s.user : null;
}

/**
 * The one permission helper: every loader and action starts with it. No session: redirect to
 * sign-in (with the blank cookie when one was sent). A password that must be changed: redirect
 * there. A missing permission: 403 naming it.
 */
export async function requireUser(request: Request, permission?: Permission): Promise<CurrentUser> {
  const s = await sessionState(request);
  const url = new URL(request.url);
  if (s.state !== "signed-in") {
    const params = new URLSearchParams({ redirectTo: `${url.pathname}${url.search}` });
    if (s.state === "expired") params.set("expired", s.why);
    const headers = new Headers();
    if (request.headers.get("cookie")?.includes(`${SESSION_COOKIE}=`)) headers.append("Set-Cookie", await blankSessionCookie(request));
    throw redirect(`/login?${params}`, { headers });
  }
  if (s.user.mustChangePassword && url.pathname !== "/account/password") {
    throw redirect("/account/password?required=1");
  }
  if (permission && !s.user.permissions.includes(permission)) {
    throw new Response(`You do not have the permission ${permission} needed for this page or action.`, {
      status: 403,
      statusText: "Forbidden",
    });
  }
  return s.user;
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

/** Only same-site paths: an open redirect would let a link send a fresh sign-in elsewhere. */
export function safeRedirect(to: string | null | undefined, fallback = "/"): string {
  if (!to || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}
