// The web edge of sign-in: the session cookie of a request, and the one permission helper every loader
// and action starts with (Part 11 §11.10(d), (g)). Sessions themselves, their checks and records live in
// the users module (app/modules/users/auth.server.ts).

import { redirect } from "@remix-run/node";

import { quire } from "~/context.server";
import { SESSION_COOKIE, checkSession, luciaFor, type CurrentUser, type SessionState } from "~/modules/users/auth.server";
import type { Permission } from "~/modules/users/permissions";

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

const perRequest = new WeakMap<Request, Promise<SessionState>>();
const perTurn = new Map<string, Promise<SessionState>>();

/**
 * Reads and checks the session cookie once per request (root and route loaders share the result).
 * Remix hands each loader its own copy of the Request, so the copies of one request are matched by
 * what the check reads (the cookie and the client address) within one turn of the event loop, when
 * the loaders of a page start: the same session checked at the same instant has one answer.
 */
export function sessionState(request: Request): Promise<SessionState> {
  let state = perRequest.get(request);
  if (state) return state;
  const key = `${clientAddress(request) ?? ""}\n${request.headers.get("cookie") ?? ""}`;
  state = perTurn.get(key);
  if (!state) {
    state = readSession(request);
    if (perTurn.size === 0) setImmediate(() => perTurn.clear());
    perTurn.set(key, state);
  }
  perRequest.set(request, state);
  return state;
}

async function readSession(request: Request): Promise<SessionState> {
  const q = await quire();
  const sessionId = luciaFor(q).readSessionCookie(request.headers.get("cookie") ?? "");
  if (!sessionId) return { state: "anonymous" };
  return checkSession(q, sessionId, clientAddress(request));
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

/** Only same-site paths: an open redirect would let a link send a fresh sign-in elsewhere. */
export function safeRedirect(to: string | null | undefined, fallback = "/"): string {
  if (!to || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}
