import type { LoaderFunctionArgs } from "@remix-run/node";

import { now, today } from "~/clock.server";
import { quire } from "~/context.server";
import { parseActionFilter } from "~/modules/actions/actions";
import { listActions, recordActionsExport } from "~/modules/actions/actions.server";
import { csvRecord } from "~/modules/audit/audit-csv";
import { actorOf } from "~/modules/users/auth.server";
import { requireActionsReader } from "~/web/actions-reader.server";

const COLUMNS = [
  "id",
  "kind",
  "status",
  "overdue",
  "source",
  "source_ref",
  "kpi_id",
  "kpi_period",
  "description",
  "owner",
  "owner_name",
  "due_on",
  "change_requests",
  "closure_evidence",
  "closed_by",
  "closed_at",
  "created_by",
  "created_at",
] as const;

/**
 * GET /actions.csv: the register rows the page shows for the same filters. `status` is what is
 * stored (open, closed); `overdue` is derived on the day of the export (yes, no). Audited as an export.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireActionsReader(request);
  const q = await quire();
  const { problems, ...filter } = parseActionFilter(new URL(request.url).searchParams);
  if (problems.length > 0) {
    return new Response(`Nothing was exported: ${problems.join(" ")}\n`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const on = today(q.config);
  const rows = await listActions(q.db, filter, on);
  await recordActionsExport(q.db, actorOf(user), filter, rows.length, now(q.config));
  const body =
    csvRecord(COLUMNS) +
    rows
      .map((r) =>
        csvRecord([
          r.id,
          r.kind,
          r.status,
          r.overdue ? "yes" : "no",
          r.source,
          r.sourceRef,
          r.kpiId,
          r.kpiPeriod,
          r.description,
          r.ownerUsername,
          r.ownerName,
          r.dueOn,
          r.changeRequests.join(" "),
          r.closureEvidence,
          r.closedByName,
          r.closedAt,
          r.createdByName,
          r.createdAt,
        ]),
      )
      .join("");
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="actions-${on}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
