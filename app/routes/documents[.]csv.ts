import type { LoaderFunctionArgs } from "@remix-run/node";

import { now, today } from "~/clock.server";
import { quire } from "~/context.server";
import { csvRecord } from "~/modules/audit/audit-csv";
import { recordAudit } from "~/modules/audit/audit.server";
import { libraryListing } from "~/modules/documents/library-listing.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

const COLUMNS = [
  "doc_id",
  "title",
  "type",
  "owner",
  "version",
  "status",
  "effective_from",
  "next_review",
  "retired_from",
  "upcoming_version",
  "upcoming_effective_from",
  "audience",
  "training",
] as const;

/**
 * GET /documents.csv: the document register (SOP-DC-001), the rows the library shows for the same
 * filters and day. A filter value that is not valid is refused (400), never exported as everything.
 * Taking the copy is audited (documents.export).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "document.read");
  const q = await quire();
  const { on, filter, problems, entries } = await libraryListing(q, new URL(request.url).searchParams, today(q.config));
  if (problems.length > 0) {
    return new Response(`Nothing was exported: ${problems.join(" ")}\n`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  await q.db.transaction((tx) =>
    recordAudit(
      tx,
      {
        ...actorOf(user),
        action: "documents.export",
        objectType: "document-register",
        objectId: null,
        newValues: { ...filter, on, format: "csv", rows: entries.length },
      },
      now(q.config),
    ),
  );
  const body =
    csvRecord(COLUMNS) +
    entries
      .map((e) =>
        csvRecord([
          e.id,
          e.title,
          e.type,
          e.owner,
          e.version,
          e.status,
          e.effectiveFrom,
          e.nextReview,
          e.retiredFrom,
          e.upcoming?.version ?? null,
          e.upcoming?.effectiveFrom ?? null,
          e.audience.join(" "),
          e.training,
        ]),
      )
      .join("");
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="document-register-${on}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
