import type { LoaderFunctionArgs } from "@remix-run/node";

import { now, today } from "~/clock.server";
import { quire } from "~/context.server";
import { csvRecord } from "~/modules/audit/audit-csv";
import { parseRegisterFilter } from "~/modules/copies/copies";
import { recordRegisterExport } from "~/modules/copies/copies.server";
import { listRegister } from "~/modules/copies/register.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

const COLUMNS = [
  "copy_id",
  "doc_id",
  "version",
  "version_status",
  "copy_status",
  "recipient",
  "location",
  "reason",
  "issued_by",
  "issued_at",
  "printed_by",
  "printed_at",
  "pages",
  "sha256",
  "recall_outcome",
  "closed_on",
  "recall_note",
  "recalled_by",
  "recall_recorded_at",
] as const;

/**
 * GET /copies.csv: the register rows the page shows for the same filters, with each copy's SHA-256
 * and its recall. Taking the copy is audited as an export (copies.export).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "copies.read");
  const q = await quire();
  const { problems, ...filter } = parseRegisterFilter(new URL(request.url).searchParams);
  if (problems.length > 0) {
    return new Response(`Nothing was exported: ${problems.join(" ")}\n`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const on = today(q.config);
  const rows = await listRegister(q.db, filter, on);
  await recordRegisterExport(q.db, actorOf(user), filter, rows.length, now(q.config));
  const body =
    csvRecord(COLUMNS) +
    rows
      .map((r) =>
        csvRecord([
          r.copyId,
          r.docId,
          r.version,
          r.versionStatus,
          r.status,
          r.recipient,
          r.location,
          r.reason,
          r.issuedBy,
          r.issuedAt,
          r.printedBy,
          r.printedAt,
          r.pages,
          r.sha256,
          r.recall?.outcome ?? null,
          r.recall?.closedOn ?? null,
          r.recall?.note ?? null,
          r.recall?.recordedBy ?? null,
          r.recall?.recordedAt ?? null,
        ]),
      )
      .join("");
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="copy-register-${on}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
