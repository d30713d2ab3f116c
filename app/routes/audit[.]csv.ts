import type { LoaderFunctionArgs } from "@remix-run/node";

import { now, today } from "~/clock.server";
import { quire } from "~/context.server";
import { auditCsv } from "~/modules/audit/audit-csv";
import { exportFileName, parseAuditQuery } from "~/modules/audit/audit-filter";
import { exportAudit } from "~/modules/audit/audit.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

/**
 * GET /audit.csv: the rows the audit page shows for the same filters, all of them, oldest first,
 * with seq, prev_hash and hash so the chain can be re-verified outside Quire. Taking the copy is
 * itself audited (audit.export), in the transaction that reads the rows.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "audit.read");
  const q = await quire();
  // A filter that is not valid would export more than was asked for: refuse it, naming the value.
  const { filter, ignored } = parseAuditQuery(new URL(request.url).searchParams);
  if (ignored.length > 0) {
    return new Response(`Nothing was exported: ${ignored.join(" ")}\n`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const { rows } = await exportAudit(q.db, filter, actorOf(user), now(q.config));
  const fileName = exportFileName(filter, rows[0]?.at ?? null, today(q.config));
  return new Response(auditCsv(rows), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      // An extract of the audit trail is sensitive: no shared or browser cache keeps a copy.
      "Cache-Control": "no-store",
    },
  });
}
