import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

import { today } from "~/clock.server";
import { quire } from "~/context.server";
import { isComputable } from "~/modules/kpi/computed.server";
import { kpiCatalogue } from "~/modules/kpi/definitions.server";
import { SOURCE_LABELS, formatTarget, formatTolerance } from "~/modules/kpi/kpi";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "KPI catalogue · Quire" }];

/**
 * GET /kpis/catalogue: every KPI defined by a document in force today (SOP-KP-001, "Define and
 * approve KPIs"), with the document it comes from: the definitions are the SOPs' own text.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "kpi.read");
  const q = await quire();
  const on = today(q.config);
  const [catalogue, functions] = await Promise.all([kpiCatalogue(q, on), loadJobFunctions(q.db)]);
  const names = new Map(functions.map((f) => [f.id, f.name]));
  return json({
    on,
    kpis: catalogue.map((d) => ({
      ...d,
      ownerName: names.get(d.owner) ?? d.owner,
      target: formatTarget(d),
      tolerance: formatTolerance(d),
      notComputedYet: d.source === "computed" && !isComputable(d.id),
    })),
  });
}

export default function KpiCatalogue() {
  const { on, kpis } = useLoaderData<typeof loader>();
  return (
    <section className="kpi-catalogue">
      <div className="page-heading">
        <h1>KPI catalogue</h1>
        <p className="muted">
          The {kpis.length} KPIs defined in the Performance Indicators sections of the documents in force on <time dateTime={on}>{on}</time>. A definition
          changes only through its document&apos;s change request (SOP-KP-001). <Link to="/kpis">Back to the dashboard</Link>
        </p>
      </div>
      <div className="table-scroll">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">KPI</th>
              <th scope="col">Defined in</th>
              <th scope="col">Definition and formula</th>
              <th scope="col">Target</th>
              <th scope="col">Source</th>
              <th scope="col">Frequency</th>
              <th scope="col">Owner</th>
            </tr>
          </thead>
          <tbody>
            {kpis.map((k) => (
              <tr key={k.id} id={k.id}>
                <th scope="row">
                  <Link to={`/kpis/${k.id}`}>{k.name}</Link>
                  <br />
                  <code className="kpi-id">{k.id}</code>
                </th>
                <td>
                  <Link to={`/documents/${k.docId}#kpi-${k.id}`}>{k.docId}</Link>
                </td>
                <td>
                  {k.definition}
                  <p className="kpi-formula">Formula: {k.formula}</p>
                </td>
                <td>
                  {k.target}; {k.tolerance}
                </td>
                <td>
                  {SOURCE_LABELS[k.source]}: {k.dataSource}
                  {k.notComputedYet ? <p className="muted">Quire does not compute this yet: shown as no data.</p> : null}
                </td>
                <td>{k.frequency}</td>
                <td>{k.ownerName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
