import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";

import { boundedCache } from "~/cache";
import { now } from "~/clock.server";
import { quire } from "~/context.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { RefusalThrottle, boundedOrigin, printable } from "~/modules/security/refusals";
import { startReminderSchedule, type ReminderSchedule } from "~/modules/training/reminder-schedule.server";
import { MarkupBodyContext } from "~/web/page-bodies";
import { filePage } from "~/web/page-responses.server";

/**
 * Pages are rendered to one string, not streamed: Quire uses no Suspense or deferred data, so
 * streaming would only cut a 20-page SOP into hundreds of small chunks on their way to the socket
 * (measured: bench/results.json).
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const markup = renderPage(request, responseStatusCode, remixContext, loadContext.markupBodies ?? new Map());
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  // Encoded once: the same bytes are sent now and kept for the page response cache.
  const bytes = Buffer.from(markup);
  filePage(loadContext, request, responseStatusCode, responseHeaders, remixContext, bytes);
  return new Response(bytes, { headers: responseHeaders, status: responseStatusCode });
}

/**
 * A page's markup is a pure function of its URL and its loaders' data (the body of a document comes
 * from the request's markup bodies, keyed by the content hash in that data). So a successful GET whose URL and data
 * match a recent render is answered with that render's markup: the key holds the data itself, so a
 * different user, permission, date or version is a different key and nothing can leak between them.
 */
const pages = boundedCache<string>("rendered-pages", 64);

function renderPage(request: Request, status: number, context: EntryContext, markupBodies: ReadonlyMap<string, string>): string {
  const state = context.staticHandlerContext;
  const cacheable = request.method === "GET" && status === 200 && !state.actionData && !state.errors;
  const key = cacheable ? `${request.url}\n${JSON.stringify(state.loaderData)}` : null;
  const hit = key ? pages.get(key) : undefined;
  if (hit !== undefined) return hit;
  const markup = `<!DOCTYPE html>${renderToString(
    <MarkupBodyContext.Provider value={markupBodies}>
      <RemixServer context={context} url={request.url} />
    </MarkupBodyContext.Provider>,
  )}`;
  if (key) {
    pages.set(key, markup);
  }
  return markup;
}

let reminders: ReminderSchedule | null = null;

/**
 * Called by server.js before it listens: opens the data folder (migrations, reconciliation of
 * git and the database), so a missing or broken data folder stops the start with a message; with
 * QUIRE_REMIND_AT set, starts the daily training reminders (SOP-TR-001).
 */
export async function startup(): Promise<void> {
  const q = await quire();
  if (q.config.remindAt && !reminders) reminders = startReminderSchedule(q, q.config.remindAt);
}

/** One per server process: the refusal counts live as long as the process that refuses. */
const refusals = new RefusalThrottle();

/**
 * Called by server.js for every state-changing request whose Origin is not this host: records the
 * refusal in the audit trail (an attempted cross-site request is a security event, Part 11
 * §11.10(d)). The record is bounded: a printable prefix of the Origin, and per client address at
 * most a few rows a minute, the refusals in between counted into the next row (`suppressedBefore`).
 * The request itself is refused by server.js whatever is recorded.
 */
export async function recordRefusedCrossSiteRequest(details: {
  method: string;
  path: string;
  origin: string | null;
  clientAddress: string | null;
}): Promise<void> {
  const q = await quire();
  const at = now(q.config);
  // Decided synchronously, before any await: concurrent refusals cannot all see a fresh window.
  const admission = refusals.admit(details.clientAddress ?? "unknown", at);
  if (!admission.record) return;
  const { suppressedBefore, suppressedUntracked } = admission;
  await q.db.transaction((tx) =>
    recordAudit(
      tx,
      {
        userId: null,
        username: null,
        action: "security.cross-site-request.refused",
        objectType: "request",
        objectId: printable(`${details.method} ${details.path}`, 200),
        newValues: {
          ...boundedOrigin(details.origin),
          ...(suppressedBefore > 0 ? { suppressedBefore } : {}),
          ...(suppressedUntracked > 0 ? { suppressedUntracked } : {}),
        },
        clientAddress: details.clientAddress === null ? null : printable(details.clientAddress, 64),
      },
      at,
    ),
  );
}

export { isSameOrigin } from "~/modules/security/origin";
export { pageLoadContext } from "~/web/page-bodies";
export { lookUpPage } from "~/web/page-responses.server";
