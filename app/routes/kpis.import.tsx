import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  MaxPartSizeExceededError,
  json,
  unstable_createFileUploadHandler as createFileUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
  type NodeOnDiskFile,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";

import { now } from "~/clock.server";
import { FormMessage } from "~/components/form";
import { quire } from "~/context.server";
import { importKpiFile } from "~/modules/kpi/import-files.server";
import { KpiImportRefused, kpiImports } from "~/modules/kpi/kpi-import.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Import KPI figures · Quire" }];

/** Large exports are fine (the import streams); this only stops a mistaken upload of something else. */
const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

/**
 * The upload kept under its own name (the import records it), made safe for a file name; each
 * request has its own temporary folder, so two uploads never meet.
 */
function uploadName(filename: string): string {
  const base = path
    .basename(filename.replace(/\\/g, "/"))
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .slice(0, 120);
  return base === "" || base.startsWith(".") ? `upload${base}` : base;
}

/** GET /kpis/import: the upload form and the imports so far, each with its file's SHA-256 (question 20). */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "kpi.import");
  const q = await quire();
  return json({ imports: (await kpiImports(q.db)).slice(0, 50) });
}

/**
 * POST /kpis/import: one CSV file (header kpi,period,study,site,value[,numerator,denominator]). The
 * upload is streamed to a temporary file; every row is checked before anything is written, and a
 * file with any error imports nothing (SOP-KP-001: figures are accurate and traceable).
 */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, "kpi.import");
  const q = await quire();
  if (!(request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    return json({ error: "Choose a CSV file to import.", problems: [], imported: null }, { status: 400 });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quire-kpi-upload-"));
  try {
    let form: FormData;
    try {
      form = await parseMultipartFormData(
        request,
        createFileUploadHandler({ directory: dir, maxPartSize: MAX_UPLOAD_BYTES, file: ({ filename }) => uploadName(filename) }),
      );
    } catch (error) {
      if (error instanceof MaxPartSizeExceededError)
        return json({ error: `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`, problems: [], imported: null }, { status: 413 });
      throw error;
    }
    const file = form.get("file") as NodeOnDiskFile | string | null;
    if (file === null || typeof file === "string" || file.size === 0)
      return json({ error: "Choose a CSV file to import.", problems: [], imported: null }, { status: 400 });
    try {
      const outcome = await importKpiFile(q, file.getFilePath(), { actor: actorOf(user), now: now(q.config), fileName: file.name });
      if (outcome.status === "rejected") {
        return json(
          {
            error: `Nothing was imported from ${outcome.fileName}: ${outcome.problems.length}${outcome.truncated ? " or more" : ""} problem(s).`,
            problems: outcome.problems.map((p) => p.message),
            imported: null,
          },
          { status: 400 },
        );
      }
      return json({ error: null, problems: [], imported: outcome.import });
    } catch (error) {
      if (error instanceof KpiImportRefused) return json({ error: error.message, problems: [], imported: null }, { status: 403 });
      throw error;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export default function KpiImportPage() {
  const { imports } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="kpi-import">
      <p className="muted">
        <Link to="/kpis">KPI dashboard</Link> › Import figures
      </p>
      <h1>Import KPI figures</h1>
      <p>
        A CSV file exported from a trial system (CTMS, EDC), with the header <code>kpi,period,study,site,value,numerator,denominator</code> (the last two
        optional). Periods are months (YYYY-MM). Every row is checked first: a file with any error imports nothing, and each error names the line, column and
        value. Importing the same rows again changes nothing; a changed figure replaces the current one and the old one is kept with its import. The same is
        available as <code>npx quire kpi import file.csv</code>.
      </p>
      <FormMessage error={result?.error ?? null} />
      {result && result.problems.length > 0 ? (
        <ul className="kpi-import-problems" aria-label="Problems in the file">
          {result.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      {result?.imported ? (
        <p className="banner banner-success" role="status">
          Imported {result.imported.fileName} as import {result.imported.id}: {result.imported.rows} rows, {result.imported.new} new, {result.imported.changed}{" "}
          changed, {result.imported.unchanged} unchanged. <Link to="/kpis">Open the dashboard</Link>
        </p>
      ) : null}
      <Form method="post" encType="multipart/form-data" className="stacked-form">
        <label>
          CSV file
          <input type="file" name="file" accept=".csv,text/csv" required />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? "Importing…" : "Import"}
        </button>
      </Form>
      <h2>Imports</h2>
      {imports.length === 0 ? <p className="muted">No figures imported yet.</p> : null}
      {imports.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Import</th>
                <th scope="col">File</th>
                <th scope="col">By, at (UTC)</th>
                <th scope="col">Rows (new, changed, unchanged)</th>
                <th scope="col">SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {imports.map((i) => (
                <tr key={i.id}>
                  <td>{i.id}</td>
                  <td>
                    <a href={`/kpis/imports/${i.id}/file`} download>
                      {i.fileName}
                    </a>
                  </td>
                  <td>
                    {i.importedByUsername}, {i.importedAt.slice(0, 16).replace("T", " ")}
                  </td>
                  <td>
                    {i.rows} ({i.new}, {i.changed}, {i.unchanged})
                  </td>
                  <td>
                    <code title={i.sha256}>{i.sha256.slice(0, 16)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
