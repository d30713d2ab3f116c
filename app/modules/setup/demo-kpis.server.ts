// The demo's KPI story (SOP-KP-001): the data manager imports 23 months of trial figures from the
// CTMS and EDC in October 2026 and October's figures in November; data query resolution time turns
// red in September, so its owner records a cause analysis with an action; it is red again in
// October, two months running, so the quality manager opens a CAPA and the October analysis points
// to it. Everything goes through the same code as the pages, each on its day.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { isoDate } from "~/clock.server";
import { openCapaForKpi, recordKpiAnalysis } from "~/modules/actions/kpi-analysis.server";
import { kpiCatalogue } from "~/modules/kpi/definitions.server";
import { importKpiFile } from "~/modules/kpi/import-files.server";
import type { KpiDefinition } from "~/modules/kpi/kpi";
import type { Quire } from "~/quire";

import { DEMO_KPI_HEADER, DEMO_KPI_IDS, demoKpiCsv } from "./demo-kpi-data";
import { at, type DemoStep } from "./demo-timeline.server";
import { DEMO_PASSWORD } from "./demo-users";

const LAST_PERIOD = "2026-10";
const RED_KPI = "query-resolution-time";

/** A copy of `q` whose clock reads `instant`: the signature and audit rows carry the step's time. */
function at_(q: Quire, instant: Date): Quire {
  return { ...q, config: { ...q.config, fixedNow: instant.toISOString() } };
}

async function userId(q: Quire, username: string): Promise<string> {
  const row = await q.db.get<{ id: string }>("SELECT id FROM users WHERE username = ?", [username]);
  if (!row) throw new Error(`The demo has no user ${username}`);
  return row.id;
}

/** The KPI catalogue in force at a step of the history: the demo's KPIs must be in it. */
async function catalogueOn(q: Quire, instant: Date): Promise<Map<string, KpiDefinition>> {
  const definitions = new Map((await kpiCatalogue(q, isoDate(instant))).map((d) => [d.id, d]));
  const missing = DEMO_KPI_IDS.filter((id) => definitions.get(id)?.source !== "imported");
  if (missing.length > 0) throw new Error(`The demo's KPIs ${missing.join(", ")} are not imported KPIs of the catalogue in force on ${isoDate(instant)}.`);
  return definitions;
}

/**
 * The steps, when the demo history makes SOP-DM-001 v2.0, the version whose Performance Indicators
 * define data query resolution time (the project's content does; the test fixture does not).
 * `versions`: "<doc> <version>" of every version the history makes.
 */
export function demoKpiSteps(q: Quire, versions: ReadonlySet<string>): DemoStep[] {
  if (!versions.has("SOP-DM-001 2.0")) return [];
  const kpi = { id: RED_KPI, name: "", owner: "" };
  const lines = demoKpiCsv({ lastPeriod: LAST_PERIOD }).trimEnd().split("\n").slice(1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quire-demo-kpis-"));
  const file = (name: string, rows: string[]) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, [DEMO_KPI_HEADER, ...rows].join("\n") + "\n");
    return f;
  };
  const history = file(
    "edc-ctms-kpis-2024-11-to-2026-09.csv",
    lines.filter((l) => l.split(",")[1]! < LAST_PERIOD),
  );
  const october = file(
    "edc-ctms-kpis-2026-10.csv",
    lines.filter((l) => l.split(",")[1] === LAST_PERIOD),
  );
  const dm = { username: "dm1", clientAddress: null };
  const imported = async (f: string, instant: Date) => {
    const definitions = await catalogueOn(q, instant);
    const red = definitions.get(RED_KPI)!;
    Object.assign(kpi, { name: red.name, owner: red.owner });
    const outcome = await importKpiFile(q, f, { definitions, actor: { userId: await userId(q, "dm1"), ...dm }, now: instant });
    if (outcome.status !== "imported") throw new Error(`The demo's KPI figures did not import: ${outcome.problems.map((p) => p.message).join("; ")}`);
  };
  const capa = { id: "" };
  const septemberImport = at("2026-10-07", "10:00");
  const septemberAnalysis = at("2026-10-13", "14:00");
  const octoberImport = at("2026-11-06", "10:00");
  const capaOpened = at("2026-11-09", "11:00");
  const octoberAnalysis = at("2026-11-11", "15:00");
  return [
    { at: septemberImport, what: "the KPI figures to September 2026 imported", run: () => imported(history, septemberImport) },
    {
      at: septemberAnalysis,
      what: "the cause analysis of query resolution time in September 2026",
      run: async () => {
        await recordKpiAnalysis(at_(q, septemberAnalysis), {
          kpi,
          period: "2026-09",
          cause:
            "Two sites of QRX-410 lost their study coordinator in August; open queries waited for a replacement, and the EDC's query reminder was switched off at study set-up.",
          actions: [
            {
              description: "Switch on the EDC's 7-day query reminders for QRX-410 and agree cover for the two sites with the CRAs.",
              owner: await userId(q, "dm1"),
              due: "2026-10-30",
            },
          ],
          password: DEMO_PASSWORD,
          actor: dm,
        });
      },
    },
    { at: octoberImport, what: "the KPI figures for October 2026 imported", run: () => imported(october, octoberImport) },
    {
      at: capaOpened,
      what: "a CAPA opened for query resolution time, red two months running",
      run: async () => {
        capa.id = await openCapaForKpi(
          q.db,
          { userId: await userId(q, "qa"), username: "qa", clientAddress: null },
          { kpi, period: LAST_PERIOD, ownerId: await userId(q, "dm1") },
          isoDate(capaOpened),
          capaOpened,
        );
      },
    },
    {
      at: octoberAnalysis,
      what: "the cause analysis of query resolution time in October 2026",
      run: async () => {
        await recordKpiAnalysis(at_(q, octoberAnalysis), {
          kpi,
          period: LAST_PERIOD,
          cause:
            "The reminders helped at one site only; query ageing is spreading to QRX-301. The cause looks systemic (query workload per data manager), so it goes to the CAPA.",
          actions: [],
          linkActionIds: [capa.id],
          password: DEMO_PASSWORD,
          actor: dm,
        });
        fs.rmSync(dir, { recursive: true, force: true });
      },
    },
  ];
}
