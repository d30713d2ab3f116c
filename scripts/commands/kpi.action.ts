// What `quire kpi import` and `quire kpi show` do (inspection questions 19 and 20), loaded only when they run.
import fs from "node:fs";

import { z } from "zod";

import { now, today } from "~/clock.server";
import { kpiMonths, reportingPeriod } from "~/modules/kpi/dashboard.server";
import { kpiDefinition } from "~/modules/kpi/definitions.server";
import { importKpiFile } from "~/modules/kpi/import-files.server";
import { formatKpiValue, formatTarget, isPeriod } from "~/modules/kpi/kpi";
import { KpiImportRefused, kpiStudies } from "~/modules/kpi/kpi-import.server";

import { EXIT, cliActor, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

export async function kpiImport(file: string, raw: unknown): Promise<void> {
  const json = z.object({ json: z.boolean().optional() }).parse(raw).json ?? false;
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) fail(`no such file: ${file}`);
  const q = await openDataFolderOrExit();
  try {
    let outcome;
    try {
      outcome = await importKpiFile(q, file, { actor: cliActor(), now: now(q.config) });
    } catch (error) {
      if (error instanceof KpiImportRefused) fail(error.message);
      throw error;
    }
    if (outcome.status === "rejected") {
      if (json) printJson(outcome);
      else {
        for (const p of outcome.problems) process.stderr.write(`${file}: ${p.message}\n`);
        process.stderr.write(`quire: nothing imported from ${file}: ${outcome.problems.length}${outcome.truncated ? "+" : ""} problem(s).\n`);
      }
      process.exitCode = EXIT.problems;
      return;
    }
    const i = outcome.import;
    if (json) printJson(outcome);
    else
      process.stdout.write(
        `Imported ${file} as import ${i.id} (sha256:${i.sha256}): ${i.rows} row(s), ${i.new} new, ${i.changed} changed, ${i.unchanged} unchanged.\n`,
      );
    process.exitCode = EXIT.ok;
  } finally {
    await q.db.close();
  }
}

const ShowOptions = z.object({
  id: z.string().min(1),
  period: z.string().refine(isPeriod, { message: "--period must be a month YYYY-MM" }).optional(),
  study: z.string().min(1).optional(),
  json: z.boolean().optional(),
});

export async function kpiShow(raw: unknown): Promise<void> {
  const parsed = ShowOptions.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { id, study, json } = parsed.data;
  const q = await openDataFolderOrExit();
  try {
    const on = today(q.config);
    const def = await kpiDefinition(q, id, on);
    if (!def) fail(`unknown KPI ${id}: see the catalogue (/kpis/catalogue)`);
    if (study !== undefined && !(await kpiStudies(q.db, id)).some((s) => s.study === study)) fail(`no figures for study ${study} on ${id}`);
    const period = parsed.data.period ?? reportingPeriod(on);
    if (period > on.slice(0, 7)) fail(`--period ${period} is in the future`);
    const [month] = (await kpiMonths(q, def, period, 1, on, { study })).slice(-1);
    const value = month?.value ?? null;
    const status = month?.status ?? null;
    if (json) printJson({ id, period, value, target: def.target, status });
    else
      process.stdout.write(
        `${def.name} (${id})${study ? ` for ${study}` : ""}, ${period}: ${formatKpiValue(def.unit, value)}; target ${formatTarget(def)}; status ${status ?? "none (no data)"}.\n`,
      );
    process.exitCode = EXIT.ok;
  } finally {
    await q.db.close();
  }
}
