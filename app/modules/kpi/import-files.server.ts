// The data extracts behind imported KPI figures (SOP-KP-001, "Collect and check the data": manually
// calculated KPIs are accompanied by the data extract used). Each imported file is kept in the data
// folder under its SHA-256, so the figure on the dashboard, its import record and the bytes that
// were imported can be put side by side (inspection question 20). Content-addressed: the same file
// imported twice is kept once, and a kept file is never rewritten.
import fs from "node:fs";
import path from "node:path";

import { isoDate } from "~/clock.server";
import type { Actor } from "~/modules/users/actor";
import type { Quire } from "~/quire";

import { kpiCatalogue } from "./definitions.server";
import type { KpiDefinition } from "./kpi";
import { importKpiCsv, type KpiImportOutcome } from "./kpi-import.server";

/** Where imported files are kept: `<QUIRE_DATA_DIR>/kpi-imports/<sha256>.csv`. */
export function importFilePath(dataDir: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`Not a SHA-256: ${sha256}`);
  return path.join(dataDir, "kpi-imports", `${sha256}.csv`);
}

/** Keeps a copy of an imported file (written to a temporary name, then renamed into place). */
export function keepImportFile(dataDir: string, source: string, sha256: string): void {
  const target = importFilePath(dataDir, sha256);
  if (fs.existsSync(target)) return;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  fs.copyFileSync(source, temporary);
  fs.renameSync(temporary, target);
}

/** The kept file of an import, or null when it was imported before files were kept. */
export function keptImportFile(dataDir: string, sha256: string): string | null {
  const file = importFilePath(dataDir, sha256);
  return fs.existsSync(file) ? file : null;
}

export interface KpiFileImport {
  actor: Actor;
  now: Date;
  /** The name to record (an upload's original name); defaults to the file's base name. */
  fileName?: string;
  /** The catalogue to check rows against; by default the KPIs in force on `now`'s day. */
  definitions?: ReadonlyMap<string, KpiDefinition>;
}

/**
 * Imports a CSV file of KPI figures against the catalogue in force and, once imported, keeps the
 * file itself: what the upload form, `quire kpi import` and the demo all do.
 */
export async function importKpiFile(q: Pick<Quire, "db" | "repo" | "config">, file: string, options: KpiFileImport): Promise<KpiImportOutcome> {
  const definitions = options.definitions ?? new Map((await kpiCatalogue(q, isoDate(options.now))).map((d) => [d.id, d]));
  const outcome = await importKpiCsv(q.db, file, {
    definitions,
    actor: options.actor,
    now: options.now,
    ...(options.fileName ? { fileName: options.fileName } : {}),
  });
  if (outcome.status === "imported") keepImportFile(q.config.dataDir, file, outcome.import.sha256);
  return outcome;
}
