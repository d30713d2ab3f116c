import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

import { today } from "~/clock.server";
import { utcMinute } from "~/components/time";
import { TrainingNav, TrainingStateBadge } from "~/components/training";
import { quire } from "~/context.server";
import { versionTraining } from "~/modules/training/reports.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Training on ${data.docId} v${data.version} · Quire` : "Not found · Quire" }];

export async function loader({ params, request }: LoaderFunctionArgs) {
  await requireUser(request, "training.read");
  const q = await quire();
  const status = await versionTraining(q, params.docId ?? "", params.version ?? "", today(q.config));
  if (!status) throw new Response(`${params.docId ?? ""} has no version ${params.version ?? ""}.`, { status: 404, statusText: "Not Found" });
  return json({ on: today(q.config), ...status });
}

export default function VersionTrainingPage() {
  const { on, docId, version, title, effectiveFrom, trainees, counts, medianWorkingDays, notified } = useLoaderData<typeof loader>();
  return (
    <section className="version-training">
      <TrainingNav />
      <div className="page-heading">
        <p className="doc-kicker">
          <Link to={`/documents/${docId}?version=${version}`}>
            {docId} v{version}
          </Link>{" "}
          · effective {effectiveFrom}
        </p>
        <h1>Training on {title}</h1>
        <p className="muted" data-counts>
          On <time dateTime={on}>{on}</time>: {counts.mustTrain} must be trained, {counts.trained} trained ({counts.onTime} by the due date), {counts.due} due,{" "}
          {counts.overdue} overdue.
          {medianWorkingDays !== null ? ` Median time to sign: ${medianWorkingDays} working days from assignment.` : ""}
        </p>
      </div>
      {trainees.length === 0 ? (
        <p className="muted">Nobody was assigned training on this version.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Status</th>
                <th scope="col">Why assigned</th>
                <th scope="col">Assigned</th>
                <th scope="col">Due</th>
                <th scope="col">Signed (UTC)</th>
                <th scope="col">Working days</th>
                <th scope="col">Knowledge check</th>
              </tr>
            </thead>
            <tbody>
              {trainees.map((t) => (
                <tr key={t.assignmentId} data-username={t.username}>
                  <td>
                    <Link to={`/training/people/${t.username}`}>{t.displayName}</Link>
                    {t.active ? null : <span className="muted small"> (deactivated)</span>}
                  </td>
                  <td>
                    <TrainingStateBadge state={t.state} />
                    {t.daysOverdue > 0 ? <span className="small overdue"> {t.daysOverdue} days</span> : null}
                  </td>
                  <td>{t.causeLabel}</td>
                  <td className="nowrap">{t.assignedAt.slice(0, 10)}</td>
                  <td className="nowrap">{t.dueOn}</td>
                  <td className="nowrap">{t.signedAt ? utcMinute(t.signedAt) : "–"}</td>
                  <td>{t.workingDaysToSign ?? "–"}</td>
                  <td>{t.quizScore !== null ? `passed, ${t.quizScore}%` : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {notified.length > 0 ? (
        <section className="card">
          <h2>Told, without retraining</h2>
          <p className="muted small">A minor revision that needed no retraining: these people were notified in Quire.</p>
          <p>{notified.map((n) => `${n.username} (${n.at.slice(0, 10)})`).join(", ")}</p>
        </section>
      ) : null}
    </section>
  );
}
