// Whole responses of pages that say they are a pure function of the URL, the signed-in session, the
// database and today's date (a route's `handle.responseCache`), kept so that the same session asking for
// the same URL again, with nothing committed since, gets the same bytes without Remix running its loaders
// and render again. server.js asks here before handing a GET to Remix; entry.server.tsx files what Remix
// rendered. Correctness rests on the same signal as Database.cached (SQLite's data_version changes with
// every commit of any connection) plus the day, and the session is checked on every request as Remix's
// loaders would check it (Part 11 §11.10(d): an expired or revoked session never reads a page).

import type { AppLoadContext, EntryContext } from "@remix-run/node";

import { boundedCache } from "~/cache";
import { today } from "~/clock.server";
import { quire } from "~/context.server";
import { requireUser } from "~/web/auth.server";

/** What a stored response is valid for: the database as of a data_version, on a day. */
export interface PageSlot {
  key: string;
  stamp: string;
}

/** A response for server.js to send as it is. */
export interface PageResponse {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

interface StoredPage extends PageResponse {
  stamp: string;
}

/** What server.js does with a GET: send a response (a stored page, or the session's refusal), or let Remix render, filing the page under `slot`. */
export type PageLookup = { send: PageResponse } | { render: PageSlot | null };

/** Per session and URL, so at most a few per reader: the pages just read. */
const responses = boundedCache<StoredPage>("page-responses", 64);

declare module "@remix-run/server-runtime" {
  interface AppLoadContext {
    /** Where entry.server.tsx files this request's rendered page, if it may be kept (set by server.js). */
    pageSlot?: PageSlot | null;
  }
}

/**
 * For server.js, before Remix: a stored page for this session and URL if nothing it depends on has
 * changed; otherwise the slot under which the render about to happen may be filed. `url` is the
 * request's full URL; `headers` its headers as server.js passes them on to Remix.
 */
export async function lookUpPage(url: string, headers: Record<string, string | string[] | undefined>): Promise<PageLookup> {
  const cookie = typeof headers.cookie === "string" ? headers.cookie : "";
  if (!cookie || new URL(url).searchParams.has("_data")) return { render: null };
  const key = `${cookie}\n${headers["x-quire-client-address"] ?? ""}\n${url}`;
  const stored = responses.get(key);
  if (stored) {
    try {
      // The session's own checks (idle and absolute expiry, revocation), exactly as the page's loaders run
      // them, on the request's headers as Remix would pass them (x-forwarded-proto sets a cookie's Secure flag).
      await requireUser(new Request(url, { headers: fetchHeaders(headers) }));
    } catch (thrown) {
      if (thrown instanceof Response) return { send: { status: thrown.status, headers: [...thrown.headers], body: Buffer.from(await thrown.arrayBuffer()) } };
      throw thrown;
    }
  }
  // Read after the session check, which may itself write (last seen): the stamp covers that write.
  const stamp = await currentStamp();
  if (stored?.stamp === stamp) return { send: stored };
  return { render: { key, stamp } };
}

function fetchHeaders(headers: Record<string, string | string[] | undefined>): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) result.append(name, one);
  }
  return result;
}

async function currentStamp(): Promise<string> {
  const q = await quire();
  return `${await q.db.version()} ${today(q.config)}`;
}

/** Routes whose page is a pure function of URL, session user, database and day say so in their `handle`. */
export interface ResponseCacheHandle {
  responseCache?: boolean;
}

/**
 * For entry.server.tsx: files a rendered page under the slot server.js took before the loaders ran (so
 * the stamp is no newer than the data), if every route on the page opted in and nothing in the response
 * is particular to this one request (a cookie being set, an error, an action's result).
 */
export function filePage(loadContext: AppLoadContext, request: Request, status: number, headers: Headers, context: EntryContext, body: Buffer): void {
  const slot = loadContext.pageSlot;
  const state = context.staticHandlerContext;
  if (!slot || request.method !== "GET" || status !== 200 || state.actionData || state.errors || headers.has("Set-Cookie")) return;
  const everyRouteOptedIn = state.matches.every((m) => (context.routeModules[m.route.id]?.handle as ResponseCacheHandle | undefined)?.responseCache === true);
  if (!everyRouteOptedIn) return;
  responses.set(slot.key, { stamp: slot.stamp, status, headers: [...headers], body });
}
