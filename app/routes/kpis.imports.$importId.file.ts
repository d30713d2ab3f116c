import fs from "node:fs";
import { Readable } from "node:stream";

import type { LoaderFunctionArgs } from "@remix-run/node";

import { quire } from "~/context.server";
import { keptImportFile } from "~/modules/kpi/import-files.server";
import { kpiImport } from "~/modules/kpi/kpi-import.server";
import { requireUser } from "~/web/auth.server";

/**
 * GET /kpis/imports/:importId/file: the data extract an import read, byte for byte (its SHA-256 is
 * the import record's), for whoever reads KPIs (SOP-KP-001; inspection question 20).
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, "kpi.read");
  const q = await quire();
  const id = Number(params.importId);
  const record = Number.isInteger(id) && id > 0 ? await kpiImport(q.db, id) : null;
  if (!record) throw new Response(`There is no KPI import ${String(params.importId).slice(0, 20)}.`, { status: 404, statusText: "Not Found" });
  const file = keptImportFile(q.config.dataDir, record.sha256);
  if (!file) throw new Response(`The file of import ${id} was not kept (imported before Quire kept imported files).`, { status: 404, statusText: "Not Found" });
  return new Response(Readable.toWeb(fs.createReadStream(file)) as ReadableStream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${record.fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "X-Content-SHA256": record.sha256,
      "Cache-Control": "no-store",
    },
  });
}
