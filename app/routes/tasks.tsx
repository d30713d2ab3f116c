import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";

import { today } from "~/clock.server";
import { quire } from "~/context.server";
import { myTasks } from "~/modules/notifications/tasks.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "My tasks · Quire" }];

/** Anyone signed in: each sees only their own work, so no permission beyond a session is needed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "document.read");
  const q = await quire();
  return json({ displayName: user.displayName, tasks: await myTasks(q, user, today(q.config)) });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function daysText(daysLeft: number): string {
  if (daysLeft === 0) return "due today";
  return daysLeft < 0 ? `${plural(-daysLeft, "day")} overdue` : `due in ${plural(daysLeft, "day")}`;
}

/** One kind of work: a heading with its count and one row per item (nothing when there is none). */
function TaskGroup({ id, title, count, children }: { id: string; title: string; count: number; children: ReactNode }) {
  if (count === 0) return null;
  return (
    <section className="task-group" aria-labelledby={`${id}-heading`} data-task-group={id}>
      <h2 id={`${id}-heading`}>
        {title} <span className="task-count">{count}</span>
      </h2>
      <ul className="task-list">{children}</ul>
    </section>
  );
}

function Task({ to, title, detail, urgent = false }: { to: string; title: string; detail: string; urgent?: boolean }) {
  return (
    <li className={`task-item${urgent ? " task-urgent" : ""}`}>
      <Link to={to} className="task-title">
        {title}
      </Link>
      <span className="muted small">{detail}</span>
    </li>
  );
}

export default function MyTasksPage() {
  const { displayName, tasks } = useLoaderData<typeof loader>();
  const training = tasks.training ? tasks.training.due + tasks.training.overdue : 0;
  return (
    <section className="my-tasks">
      <div className="page-heading">
        <h1>My tasks</h1>
        <p className="muted">
          {displayName} · on <time dateTime={tasks.on}>{tasks.on}</time>: {tasks.total === 0 ? "nothing waiting" : `${plural(tasks.total, "item")} waiting`}.
        </p>
      </div>
      {tasks.total === 0 ? (
        <p className="banner task-empty" role="status">
          Nothing is waiting for you: no change request to review, approve or edit, no comment to resolve, no periodic review coming due, no copy to recall and
          no training due.
        </p>
      ) : null}
      <TaskGroup id="review" title="Change requests to review" count={tasks.review.length}>
        {tasks.review.map((c) => (
          <Task key={c.id} to={c.link} title={`${c.id} · ${c.docId}`} detail={`${c.title}: read the redline, comment, sign as reviewed`} />
        ))}
      </TaskGroup>
      <TaskGroup id="approve" title="Change requests to approve" count={tasks.approve.length}>
        {tasks.approve.map((c) => (
          <Task key={c.id} to={c.link} title={`${c.id} · ${c.docId}`} detail={`${c.title}: every reviewer has signed`} />
        ))}
      </TaskGroup>
      <TaskGroup id="comments" title="Comments to resolve" count={tasks.comments.length}>
        {tasks.comments.map((c) => (
          <Task key={c.id} to={c.link} title={`${c.id} · ${c.docId}`} detail={`${plural(c.comments, "comment")} to resolve on ${c.title}`} />
        ))}
      </TaskGroup>
      <TaskGroup id="drafts" title="Change requests to edit" count={tasks.drafts.length}>
        {tasks.drafts.map((c) => (
          <Task key={c.id} to={c.link} title={`${c.id} · ${c.docId}`} detail={`${c.title}: in Draft, submit it for review when ready`} />
        ))}
      </TaskGroup>
      <TaskGroup id="reviews" title="Periodic reviews" count={tasks.reviews.length}>
        {tasks.reviews.map((r) => (
          <Task key={r.docId} to={r.link} title={r.docId} detail={`${r.title}: ${daysText(r.daysLeft)} (${r.nextReview})`} urgent={r.daysLeft < 0} />
        ))}
      </TaskGroup>
      <TaskGroup id="copies" title="Controlled copies to recall" count={tasks.copies?.length ?? 0}>
        {(tasks.copies ?? []).map((c) => (
          <Task key={c.copyId} to={c.link} title={c.copyId} detail={`${c.docId} v${c.version}, held by ${c.recipient}, ${c.location}`} urgent />
        ))}
      </TaskGroup>
      <TaskGroup id="kpis" title="Red KPIs to act on" count={tasks.kpis?.length ?? 0}>
        {(tasks.kpis ?? []).map((k) => (
          <Task
            key={`${k.kpiId}-${k.ask}`}
            to={k.link}
            title={k.name}
            detail={
              k.ask === "analysis"
                ? `Red in ${k.period}: record the cause analysis and actions (SOP-KP-001, within 10 working days)`
                : `Red two months running up to ${k.period}: open a CAPA (SOP-KP-001, SOP-CA-001)`
            }
            urgent
          />
        ))}
      </TaskGroup>
      <TaskGroup id="training" title="Training" count={training}>
        <Task
          to="/training"
          title="My training"
          detail={[tasks.training?.overdue ? `${tasks.training.overdue} overdue` : "", tasks.training?.due ? `${tasks.training.due} due` : ""]
            .filter(Boolean)
            .join(", ")}
          urgent={(tasks.training?.overdue ?? 0) > 0}
        />
      </TaskGroup>
    </section>
  );
}
