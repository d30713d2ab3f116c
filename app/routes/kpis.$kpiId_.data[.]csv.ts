import type { LoaderFunctionArgs } from "@remix-run/node";

import { now, today } from "~/clock.server";
import { quire } from "~/context.server";
import { csvRecord } from "~/modules/audit/audit-csv";
import { recordAudit } from "~/modules/audit/audit.server";
import { kpiMonths, reportingPeriod } from "~/modules/kpi/dashboard.server";
import { kpiDefinition } from "~/modules/kpi/definitions.server";
import { addMonths, rawStatus } from "~/modules/kpi/kpi";
import { kpiImports, kpiObservations, kpiStudies } from "~/modules/kpi/kpi-import.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

const COLUMNS = [
  "kpi",
  "period",
  "study",
  "site",
  "value",
  "numerator",
  "denominator",
  "status",
  "import_id",
  "import_file",
  "import_sha256",
  "imported_at",
] as const;

const MONTHS = 24;

/**
 * GET /kpis/:kpiId/data.csv: the figures behind the KPI page. First each month's value over all
 * studies and sites (study and site "ALL", status by SOP-KP-001's rules), then, for an imported KPI,
 * every current figure with the import it came from and that file's SHA-256 (question 20).
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "kpi.read");
  const q = await quire();
  const on = today(q.config);
  const def = await kpiDefinition(q, params.kpiId ?? "", on);
  if (!def)
    return new Response(`No KPI ${params.kpiId ?? ""} in the catalogue in force today.\n`, {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  const study = new URL(request.url).searchParams.get("study") || undefined;
  if (study !== undefined && !(await kpiStudies(q.db, def.id)).some((s) => s.study === study)) {
    return new Response(`Nothing was exported: no figures for study "${study.slice(0, 40)}" on ${def.id}.\n`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const last = reportingPeriod(on);
  const months = await kpiMonths(q, def, last, MONTHS, on, { study });
  const scope = study ?? "ALL";
  const lines = months.map((m) => csvRecord([def.id, m.period, scope, "ALL", m.value, null, null, m.status, null, null, null, null]));
  if (def.source === "imported") {
    const imports = new Map((await kpiImports(q.db)).map((i) => [i.id, i]));
    for (const r of await kpiObservations(q.db, def.id, { from: addMonths(last, 1 - MONTHS), to: last, study })) {
      const i = imports.get(r.importId);
      lines.push(
        csvRecord([
          def.id,
          r.period,
          r.study,
          r.site,
          r.value,
          r.numerator,
          r.denominator,
          rawStatus(def, r.value),
          r.importId,
          i?.fileName ?? null,
          i?.sha256 ?? null,
          i?.importedAt ?? null,
        ]),
      );
    }
  }
  await q.db.transaction((tx) =>
    recordAudit(
      tx,
      {
        ...actorOf(user),
        action: "kpi.export",
        objectType: "kpi",
        objectId: def.id,
        newValues: { study: study ?? null, from: months[0]?.period ?? null, to: last, rows: lines.length },
      },
      now(q.config),
    ),
  );
  return new Response(csvRecord(COLUMNS) + lines.join(""), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="${def.id}-${last}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
