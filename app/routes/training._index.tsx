import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

import { today } from "~/clock.server";
import { utcMinute } from "~/components/time";
import { TrainingStateBadge } from "~/components/training";
import { quire } from "~/context.server";
import { myTraining } from "~/modules/training/my-training.server";
import { requireUser } from "~/modules/users/auth.server";

export const meta: MetaFunction = () => [{ title: "My training · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "training.acknowledge");
  const q = await quire();
  const on = today(q.config);
  return json({ on, displayName: user.displayName, hasFunctions: user.jobFunctions.length > 0, ...(await myTraining(q, user.id, on)) });
}

export default function MyTrainingPage() {
  const { on, displayName, hasFunctions, open, completed, notices, counts } = useLoaderData<typeof loader>();
  return (
    <section className="my-training">
      <div className="page-heading">
        <h1>My training</h1>
        <p className="muted">
          {displayName} · on <time dateTime={on}>{on}</time>: {counts.overdue} overdue, {counts.due} due, {counts.completed} completed.
        </p>
      </div>

      {!hasFunctions ? (
        <p className="banner" role="status">
          You hold no job function, so no controlled document is in your curriculum. Your training coordinator assigns job functions.
        </p>
      ) : null}

      {notices.length > 0 ? (
        <section className="card" aria-labelledby="notices-heading">
          <h2 id="notices-heading">Notices</h2>
          <ul className="notice-list">
            {notices.map((n) => (
              <li key={n.id}>
                {n.docId ? <Link to={`/documents/${n.docId}${n.version ? `?version=${n.version}` : ""}`}>{n.docId}</Link> : null} {n.message}{" "}
                <span className="muted small">{utcMinute(n.createdAt)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="todo-heading">
        <h2 id="todo-heading">To do</h2>
        {open.length === 0 ? (
          <p className="muted">Nothing to do: you are trained on every document assigned to you.</p>
        ) : (
          <ul className="training-list">
            {open.map((a) => (
              <li key={a.id} className={`training-item training-${a.state}`} data-assignment-id={a.id}>
                <div className="training-item-main">
                  <Link to={`/training/${a.id}`} className="training-title">
                    <span className="mono">{a.docId}</span> {a.title}
                  </Link>
                  <span className="muted small">
                    Version {a.version} · {a.causeLabel}
                  </span>
                </div>
                <div className="training-item-status">
                  <TrainingStateBadge state={a.state} />
                  <span className="small">
                    Due <time dateTime={a.dueOn}>{a.dueOn}</time>
                    {a.daysOverdue > 0 ? `, ${a.daysOverdue} days overdue` : null}
                  </span>
                  <Link className="button" to={`/training/${a.id}`}>
                    Read and sign
                  </Link>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="done-heading">
        <h2 id="done-heading">Completed</h2>
        {completed.length === 0 ? (
          <p className="muted">No training completed yet.</p>
        ) : (
          <ul className="training-list">
            {completed.map((a) => (
              <li key={a.id} className="training-item training-completed" data-assignment-id={a.id}>
                <div className="training-item-main">
                  <Link to={`/training/${a.id}`} className="training-title">
                    <span className="mono">{a.docId}</span> {a.title}
                  </Link>
                  <span className="muted small">Version {a.version}</span>
                </div>
                <div className="training-item-status">
                  <TrainingStateBadge state={a.state} />
                  <span className="small">Signed {a.signedAt ? utcMinute(a.signedAt) : a.closedAt ? utcMinute(a.closedAt) : ""}</span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
