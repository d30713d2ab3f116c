import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";

import { now, today } from "~/clock.server";
import { utcMinute } from "~/components/time";
import { TrainingStateBadge } from "~/components/training";
import { quire } from "~/context.server";
import { markNoticesRead } from "~/modules/training/assignments.server";
import { myTraining } from "~/modules/training/my-training.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "My training · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "training.acknowledge");
  const q = await quire();
  const on = today(q.config);
  return json({ on, displayName: user.displayName, hasFunctions: user.jobFunctions.length > 0, ...(await myTraining(q, user.id, on)) });
}

/** POST: the person has read their notices (recorded, with the time, in the audit trail). */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, "training.acknowledge");
  const q = await quire();
  await q.db.transaction((tx) => markNoticesRead(tx, { id: user.id, username: user.username }, actorOf(user), now(q.config)));
  return redirect("/training");
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
        <p className="small">
          <Link to="/training/sessions">Training sessions</Link> · <Link to="/training/competence">Practical competence</Link>
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
              <li key={n.id} className={n.readAt ? "muted" : "notice-unread"}>
                {n.docId ? <Link to={`/documents/${n.docId}${n.version ? `?version=${n.version}` : ""}`}>{n.docId}</Link> : null} {n.message}{" "}
                <span className="muted small">{utcMinute(n.createdAt)}</span>
              </li>
            ))}
          </ul>
          {notices.some((n) => n.readAt === null) ? (
            <Form method="post">
              <button type="submit" className="secondary">
                I have read these notices
              </button>
            </Form>
          ) : null}
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
