import type { EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";

import { now } from "~/clock.server";
import { quire } from "~/context.server";
import { recordAudit } from "~/modules/audit/audit.server";

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
) {
  const markup = renderToString(<RemixServer context={remixContext} url={request.url} />);
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  return new Response(`<!DOCTYPE html>${markup}`, { headers: responseHeaders, status: responseStatusCode });
}

/**
 * Called by server.js before it listens: opens the data folder (migrations, reconciliation of
 * git and the database), so a missing or broken data folder stops the start with a message.
 */
export async function startup(): Promise<void> {
  await quire();
}

/**
 * Called by server.js for every state-changing request whose Origin is not this host: records the
 * refusal in the audit trail (an attempted cross-site request is a security event).
 */
export async function recordRefusedCrossSiteRequest(details: {
  method: string;
  path: string;
  origin: string | null;
  clientAddress: string | null;
}): Promise<void> {
  const q = await quire();
  await q.db.transaction((tx) =>
    recordAudit(
      tx,
      {
        userId: null,
        username: null,
        action: "security.cross-site-request.refused",
        objectType: "request",
        objectId: `${details.method} ${details.path}`.slice(0, 200),
        newValues: { origin: details.origin },
        clientAddress: details.clientAddress,
      },
      now(q.config),
    ),
  );
}

export { isSameOrigin } from "~/modules/security/origin";
