import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";

import { today } from "~/clock.server";
import { ActionStatusBadge } from "~/components/actions";
import { KpiChart } from "~/components/kpi/kpi-chart";
import { KpiStatusBadge } from "~/components/kpi/kpi-status";
import { quire } from "~/context.server";
import { actionsForKpi } from "~/modules/actions/actions.server";
import { analysesForKpi } from "~/modules/actions/kpi-analysis.server";
import { monthLabel } from "~/modules/kpi/chart-geometry";
import { kpiFollowUp, kpiMonths, reportingPeriod } from "~/modules/kpi/dashboard.server";
import { kpiDefinition } from "~/modules/kpi/definitions.server";
import { SOURCE_LABELS, aggregate, formatKpiValue, formatTarget, formatTolerance, isPeriod, rawStatus } from "~/modules/kpi/kpi";
import { kpiImports, kpiObservations, kpiStudies } from "~/modules/kpi/kpi-import.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.definition.name ?? "KPI"} · Quire` }];

const MONTHS_SHOWN = 24;

/**
 * GET /kpis/:kpiId: one KPI over 24 months, its definition as its SOP gives it, the breakdown of a
 * month by study and site with the import each figure came from (question 20), and the analyses,
 * actions and CAPAs its red months led to (question 21). `?study=` narrows the chart to one study,
 * `?period=` picks the month broken down.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "kpi.read");
  const q = await quire();
  const on = today(q.config);
  const definition = await kpiDefinition(q, params.kpiId ?? "", on);
  if (!definition) throw new Response(`No KPI ${params.kpiId ?? ""} in the catalogue in force today.`, { status: 404 });
  const url = new URL(request.url);
  const last = reportingPeriod(on);
  const askedPeriod = url.searchParams.get("period");
  if (askedPeriod !== null && (!isPeriod(askedPeriod) || askedPeriod > last)) {
    throw new Response(`period must be a month (YYYY-MM) no later than ${last}, not "${askedPeriod.slice(0, 20)}".`, { status: 400 });
  }
  const studies = definition.source === "imported" ? await kpiStudies(q.db, definition.id) : [];
  const studyNames = [...new Set(studies.map((s) => s.study))];
  const study = url.searchParams.get("study") || undefined;
  if (study !== undefined && !studyNames.includes(study)) throw new Response(`No figures for study "${study.slice(0, 40)}" on this KPI.`, { status: 400 });
  const months = await kpiMonths(q, definition, last, MONTHS_SHOWN, on, { study });
  const period = askedPeriod ?? [...months].reverse().find((m) => m.value !== null)?.period ?? last;
  const [rows, imports, analyses, items, followUp] = await Promise.all([
    definition.source === "imported" ? kpiObservations(q.db, definition.id, { from: period, to: period, study }) : Promise.resolve([]),
    kpiImports(q.db),
    analysesForKpi(q.db, definition.id),
    actionsForKpi(q.db, definition.id, on),
    study === undefined ? kpiFollowUp(q, definition, months, on) : Promise.resolve({ analysisNeeded: false, capaNeeded: false }),
  ]);
  const importsById = new Map(imports.map((i) => [i.id, i]));
  const byStudy = studyNames
    .filter((s) => study === undefined || s === study)
    .map((s) => {
      const value = aggregate(
        definition,
        rows.filter((r) => r.study === s),
      );
      return { study: s, value: formatKpiValue(definition.unit, value), status: rawStatus(definition, value) };
    });
  return json({
    on,
    last,
    period,
    study: study ?? null,
    studyNames,
    definition,
    target: formatTarget(definition),
    tolerance: formatTolerance(definition),
    months: months.map((m) => ({ ...m, shown: formatKpiValue(definition.unit, m.value) })),
    byStudy,
    sites: rows.map((r) => {
      const imp = importsById.get(r.importId);
      return {
        ...r,
        shown: formatKpiValue(definition.unit, r.value),
        status: rawStatus(definition, r.value),
        importFile: imp?.fileName ?? null,
        importSha: imp?.sha256 ?? null,
        importedAt: imp?.importedAt ?? null,
        importedBy: imp?.importedByUsername ?? null,
      };
    }),
    analyses,
    items,
    followUp,
    canManage: user.permissions.includes("actions.manage"),
  });
}

export default function KpiPage() {
  const data = useLoaderData<typeof loader>();
  const { definition: d, months, period, study } = data;
  const latest = months[months.length - 1];
  return (
    <section className="kpi-page">
      <p className="muted">
        <Link to="/kpis">KPI dashboard</Link> › {d.name}
      </p>
      <div className="page-heading">
        <h1>{d.name}</h1>
        <p>
          {latest ? (
            <>
              {monthLabel(latest.period, "long")}: <strong>{latest.shown}</strong> <KpiStatusBadge status={latest.status} />{" "}
            </>
          ) : null}
          Target {data.target}; {data.tolerance}.
        </p>
      </div>
      <dl className="kpi-definition">
        <dt>Definition</dt>
        <dd>{d.definition}</dd>
        <dt>Formula</dt>
        <dd>{d.formula}</dd>
        <dt>Source</dt>
        <dd>
          {SOURCE_LABELS[d.source]}: {d.dataSource}. Aggregated over studies and sites as{" "}
          {d.aggregation === "ratio" ? "the sum of numerators over the sum of denominators" : `the ${d.aggregation}`}.
        </dd>
        <dt>Defined in</dt>
        <dd>
          <Link to={`/documents/${d.docId}#kpi-${d.id}`}>{d.docId}</Link> (changed only through its change request), reported {d.frequency}
        </dd>
      </dl>
      {data.followUp.analysisNeeded || data.followUp.capaNeeded ? (
        <div className="banner banner-warning" role="status">
          {data.followUp.analysisNeeded ? (
            <p>
              <strong>Red in {monthLabel(data.last, "long")}.</strong> The owner records a cause analysis and actions within 10 working days (SOP-KP-001).{" "}
              {data.canManage ? <Link to={`/kpis/${d.id}/analysis?period=${data.last}`}>Record the cause analysis</Link> : null}
            </p>
          ) : null}
          {data.followUp.capaNeeded ? (
            <p id="capa">
              <strong>Red two months running.</strong> The quality manager opens a CAPA (SOP-KP-001, SOP-CA-001).{" "}
              {data.canManage ? <Link to={`/actions/new?source=kpi&kpi=${d.id}&period=${data.last}&kind=capa`}>Open a CAPA</Link> : null}
            </p>
          ) : null}
        </div>
      ) : null}
      {data.studyNames.length > 0 ? (
        <Form method="get" className="filters" aria-label="Narrow to a study">
          <label>
            Study
            <select name="study" defaultValue={study ?? ""}>
              <option value="">All studies</option>
              {data.studyNames.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Show</button>
        </Form>
      ) : null}
      <KpiChart series={months.map((m) => ({ period: m.period, value: m.value, status: m.status }))} definition={d} />
      <p>
        <a href={`/kpis/${d.id}/data.csv${study ? `?study=${encodeURIComponent(study)}` : ""}`} download>
          Download the figures (CSV)
        </a>
      </p>
      <h2>Month by month</h2>
      <div className="table-scroll">
        <table className="data-table">
          <caption>
            {d.name}
            {study ? ` for ${study}` : ""}, the data behind the chart
          </caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Value</th>
              <th scope="col">Status</th>
              <th scope="col">Figures</th>
            </tr>
          </thead>
          <tbody>
            {[...months].reverse().map((m) => (
              <tr key={m.period}>
                <th scope="row">
                  {d.source === "imported" ? <Link to={`?period=${m.period}${study ? `&study=${encodeURIComponent(study)}` : ""}`}>{m.period}</Link> : m.period}
                </th>
                <td>{m.shown}</td>
                <td>
                  <KpiStatusBadge status={m.status} />
                </td>
                <td>{m.figures}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {d.source === "imported" ? (
        <>
          <h2>{monthLabel(period, "long")} by study and site</h2>
          {data.byStudy.length > 0 ? (
            <ul className="plain kpi-by-study">
              {data.byStudy.map((s) => (
                <li key={s.study}>
                  {s.study}: <strong>{s.value}</strong> <KpiStatusBadge status={s.status} />
                </li>
              ))}
            </ul>
          ) : null}
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Study</th>
                  <th scope="col">Site</th>
                  <th scope="col">Value</th>
                  <th scope="col">Numerator / denominator</th>
                  <th scope="col">Status</th>
                  <th scope="col">Imported from</th>
                </tr>
              </thead>
              <tbody>
                {data.sites.map((r) => (
                  <tr key={`${r.study}/${r.site}`}>
                    <td>{r.study}</td>
                    <td>{r.site}</td>
                    <td>{r.shown}</td>
                    <td>{r.numerator !== null && r.denominator !== null ? `${r.numerator} / ${r.denominator}` : "not given"}</td>
                    <td>
                      <KpiStatusBadge status={r.status} />
                    </td>
                    <td>
                      Import {r.importId}:{" "}
                      <a href={`/kpis/imports/${r.importId}/file`} download>
                        {r.importFile}
                      </a>{" "}
                      by {r.importedBy} at {r.importedAt?.slice(0, 16).replace("T", " ")} UTC{" "}
                      <code title={r.importSha ?? ""}>sha256:{r.importSha?.slice(0, 12)}…</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.sites.length === 0 ? <p className="muted">No figures imported for this month.</p> : null}
        </>
      ) : (
        <p className="muted">Computed by Quire from its own records, company-wide; there is no breakdown by study or site.</p>
      )}
      <h2>Cause analyses, actions and CAPAs</h2>
      {data.analyses.length === 0 && data.items.length === 0 ? <p className="muted">None recorded for this KPI.</p> : null}
      {data.analyses.length > 0 ? (
        <ul>
          {data.analyses.map((a) => (
            <li key={a.id}>
              {a.period}: {a.cause}{" "}
              <span className="muted">
                (signed by {a.recordedByName}, {a.onTime ? "on time" : "late"})
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {data.items.length > 0 ? (
        <ul>
          {data.items.map((i) => (
            <li key={i.id}>
              <Link to={`/actions/${i.id}`}>{i.id}</Link> {i.description} · due {i.dueOn} <ActionStatusBadge status={i.shownStatus} />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
