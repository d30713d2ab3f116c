import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

import { today } from "~/clock.server";
import { TrainingNav } from "~/components/training";
import { quire } from "~/context.server";
import { trainingMatrix } from "~/modules/training/reports.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Training matrix · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "training.read");
  const q = await quire();
  return json(await trainingMatrix(q, today(q.config)));
}

export default function TrainingMatrixPage() {
  const { on, functions, documents, cells, totals } = useLoaderData<typeof loader>();
  const staffed = functions.filter((f) => f.people > 0);
  return (
    <section className="training-matrix">
      <TrainingNav />
      <div className="page-heading">
        <h1>Training matrix</h1>
        <p className="muted">
          Job functions and the controlled documents in their curriculum (each document&rsquo;s <code>audience</code>), on <time dateTime={on}>{on}</time>: each
          cell counts the people holding the function who are trained on the current version. {totals.overdue} overdue, {totals.due} due, {totals.unassigned}{" "}
          not assigned.
        </p>
      </div>
      <div className="table-scroll">
        <table className="data-table matrix-table">
          <thead>
            <tr>
              <th scope="col">Document</th>
              {staffed.map((f) => (
                <th scope="col" key={f.id} title={`${f.people} active people`}>
                  <Link to={`/training/people?fn=${f.id}`}>{f.name}</Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {documents.map((d) => (
              <tr key={d.docId} data-doc={d.docId}>
                <th scope="row">
                  <Link to={`/training/documents/${d.docId}/${d.version}`}>
                    <span className="mono">{d.docId}</span> v{d.version}
                  </Link>
                  <span className="muted small matrix-title">{d.title}</span>
                </th>
                {staffed.map((f) => {
                  const c = cells[f.id]?.[d.docId];
                  if (!c) return <td key={f.id} className="matrix-none" aria-label="not in the curriculum" />;
                  const cls = c.overdue > 0 ? "matrix-overdue" : c.due + c.unassigned > 0 ? "matrix-due" : "matrix-current";
                  return (
                    <td key={f.id} className={cls} data-fn={f.id}>
                      <span className="matrix-count">
                        {c.current}/{c.people}
                      </span>
                      {c.overdue > 0 ? <span className="small"> {c.overdue} overdue</span> : null}
                      {c.due > 0 ? <span className="small"> {c.due} due</span> : null}
                      {c.unassigned > 0 ? <span className="small"> {c.unassigned} not assigned</span> : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        Read-only documents (forms) are not in the matrix: they need no training. Job functions nobody holds are left out of the columns.
      </p>
    </section>
  );
}
