import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

import { utcMinute } from "~/components/time";
import { quire } from "~/context.server";
import { listSessions } from "~/modules/training/sessions.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Training sessions · Quire" }];

const KIND_LABELS = { classroom: "Classroom", virtual: "Virtual", "on-the-job": "On the job" } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "training.acknowledge");
  const q = await quire();
  const all = user.permissions.includes("training.read");
  return json({ all, sessions: await listSessions(q.db, all ? undefined : user.id) });
}

export default function SessionsPage() {
  const { all, sessions } = useLoaderData<typeof loader>();
  return (
    <section className="training-sessions">
      <div className="page-heading">
        <h1>Training sessions</h1>
        <p className="muted">
          Classroom, virtual and on-the-job training recorded on FRM-TR-001 (SOP-TR-001 step 5), each signed by its trainer.{" "}
          {all ? "All sessions." : "Sessions you delivered or attended."}
        </p>
        <p>
          <Link className="button" to="/training/sessions/new">
            Record a session you delivered
          </Link>{" "}
          <Link to="/training/competence">Practical competence sign-off</Link>
        </p>
      </div>
      {sessions.length === 0 ? <p className="muted">No session recorded yet.</p> : null}
      {sessions.map((s) => (
        <article key={s.id} className="card session" data-session-id={s.id}>
          <h2>{s.title}</h2>
          <p className="muted small">
            {KIND_LABELS[s.kind]} · {s.heldOn} · {s.durationMinutes} minutes · trainer {s.trainerName} ({s.trainer}), signed &ldquo;Training delivered&rdquo;{" "}
            {utcMinute(s.recordedAt)} UTC
          </p>
          <p>{s.content}</p>
          {s.course ? <p className="small">Curriculum course: {s.course}</p> : null}
          {s.documents.length > 0 ? (
            <p className="small">
              Documents:{" "}
              {s.documents.map((d, i) => (
                <span key={d.docId}>
                  {i > 0 ? ", " : ""}
                  <Link to={`/documents/${d.docId}?version=${d.version}`}>
                    {d.docId} v{d.version}
                  </Link>
                </span>
              ))}
            </p>
          ) : null}
          <p className="small">Attendees: {s.attendees.map((a) => `${a.displayName} (${a.username})${a.completed ? "" : " – did not complete"}`).join(", ")}</p>
        </article>
      ))}
    </section>
  );
}
