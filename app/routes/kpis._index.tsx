import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

import { today } from "~/clock.server";
import { KpiSparkline } from "~/components/kpi/kpi-chart";
import { KpiStatusBadge, TrendWord } from "~/components/kpi/kpi-status";
import { quire } from "~/context.server";
import { openActionsSummary } from "~/modules/actions/actions.server";
import { monthLabel } from "~/modules/kpi/chart-geometry";
import { kpiDashboard } from "~/modules/kpi/dashboard.server";
import { addMonths, formatKpiValue, formatTarget } from "~/modules/kpi/kpi";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "KPI dashboard · Quire" }];

/**
 * GET /kpis: the monthly KPI dashboard (SOP-KP-001): each KPI's value for the last complete month
 * against its target, its status in words and colour, the 12-month trend, and what red KPIs ask for.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "kpi.read");
  const q = await quire();
  const on = today(q.config);
  const [{ period, tiles }, actions] = await Promise.all([kpiDashboard(q, on), openActionsSummary(q.db, on)]);
  const withData = tiles.filter((t) => t.months.some((m) => m.value !== null));
  const withoutData = tiles.filter((t) => !t.months.some((m) => m.value !== null));
  const counts = { green: 0, amber: 0, red: 0, none: 0 };
  for (const t of tiles) counts[t.latest.status ?? "none"] += 1;
  return json({
    on,
    period,
    reviewFrom: addMonths(period, -5),
    counts,
    actions,
    canImport: user.permissions.includes("kpi.import"),
    tiles: withData.map((t) => ({
      id: t.definition.id,
      name: t.definition.name,
      docId: t.definition.docId,
      definition: t.definition,
      value: formatKpiValue(t.definition.unit, t.latest.value),
      target: formatTarget(t.definition),
      status: t.latest.status,
      series: t.months.map((m) => ({ period: m.period, value: m.value, status: m.status })),
      trend: t.trend,
      analysisNeeded: t.analysisNeeded,
      capaNeeded: t.capaNeeded,
    })),
    withoutData: withoutData.map((t) => ({ id: t.definition.id, name: t.definition.name, docId: t.definition.docId, source: t.definition.source })),
  });
}

export default function KpiDashboard() {
  const { on, period, reviewFrom, counts, actions, canImport, tiles, withoutData } = useLoaderData<typeof loader>();
  const overdue = actions.action.overdue + actions.capa.overdue;
  return (
    <section className="kpi-dashboard">
      <div className="page-heading">
        <h1>KPI dashboard</h1>
        <p className="muted">
          Results for <strong>{monthLabel(period, "long")}</strong>, the last complete month on <time dateTime={on}>{on}</time>, against the targets in the{" "}
          <Link to="/kpis/catalogue">KPI catalogue</Link> (SOP-KP-001). Green: target met. Amber: missed within tolerance. Red: outside tolerance, or amber
          three months running.
          {canImport ? (
            <>
              {" "}
              <Link to="/kpis/import">Import figures from a CSV file</Link>.
            </>
          ) : null}
        </p>
      </div>
      <ul className="review-counts plain" aria-label="KPIs by status">
        <li>
          <strong data-count="red">{counts.red}</strong> red
        </li>
        <li>
          <strong data-count="amber">{counts.amber}</strong> amber
        </li>
        <li>
          <strong data-count="green">{counts.green}</strong> green
        </li>
        <li>
          <strong data-count="none">{counts.none}</strong> no data
        </li>
        <li>
          <Link to="/actions?status=overdue">
            <strong data-count="overdue-actions">{overdue}</strong> overdue {overdue === 1 ? "action or CAPA" : "actions and CAPAs"}
          </Link>{" "}
          of {actions.action.open + actions.capa.open} open
        </li>
      </ul>
      <ul className="kpi-tiles plain">
        {tiles.map((t) => (
          <li key={t.id} className={`kpi-tile kpi-tile-${t.status ?? "none"}`} data-kpi={t.id}>
            <h2>
              <Link to={`/kpis/${t.id}`}>{t.name}</Link>
            </h2>
            <p className="kpi-tile-value">
              <strong>{t.value}</strong> <span className="muted">target {t.target}</span>
            </p>
            <p>
              <KpiStatusBadge status={t.status} /> <TrendWord trend={t.trend} />
            </p>
            <KpiSparkline series={t.series} definition={t.definition} />
            {t.analysisNeeded ? (
              <p className="kpi-ask">
                <Link to={`/kpis/${t.id}/analysis?period=${period}`}>Cause analysis due</Link>
              </p>
            ) : null}
            {t.capaNeeded ? (
              <p className="kpi-ask">
                <Link to={`/kpis/${t.id}#capa`}>Red two months running: open a CAPA</Link>
              </p>
            ) : null}
            <p className="muted kpi-tile-source">Defined in {t.docId}</p>
          </li>
        ))}
      </ul>
      <form method="get" action="/kpis/review-pack" className="filters" aria-label="Management review input report">
        <label>
          Review from (YYYY-MM)
          <input name="from" defaultValue={reviewFrom} pattern="\d{4}-\d{2}" inputMode="numeric" required />
        </label>
        <label>
          to
          <input name="to" defaultValue={period} pattern="\d{4}-\d{2}" inputMode="numeric" required />
        </label>
        <button type="submit">Management review input report (PDF)</button>
      </form>
      {withoutData.length > 0 ? (
        <details className="kpi-without-data">
          <summary>{withoutData.length} KPIs without data in the last 12 months</summary>
          <ul>
            {withoutData.map((k) => (
              <li key={k.id}>
                <Link to={`/kpis/${k.id}`}>{k.name}</Link> ({k.docId}, {k.source === "imported" ? "no figures imported" : "not computed yet"})
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
