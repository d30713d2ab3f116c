import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { today } from "~/clock.server";
import { DateInput } from "~/components/date-input";
import { utcMinute } from "~/components/time";
import { TrainingNav } from "~/components/training";
import { quire } from "~/context.server";
import { trainedAsOfDay } from "~/modules/training/reports.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Trained as of a date · Quire" }];

const Query = z.object({
  on: z.iso.date().optional().catch(undefined),
  doc: z.string().max(40).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "training.read");
  const q = await quire();
  const query = Query.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== "")));
  const on = query.on ?? today(q.config);
  const documents = await trainedAsOfDay(q, on, query.doc);
  return json({ on, doc: query.doc ?? null, documents });
}

export default function TrainedAsOfPage() {
  const { on, doc, documents } = useLoaderData<typeof loader>();
  return (
    <section className="training-as-of">
      <TrainingNav />
      <div className="page-heading">
        <h1>Trained as of a date</h1>
        <p className="muted">
          For each document, the version in force on the day and whether each person assigned it had signed &ldquo;Read and understood&rdquo; by the end of that
          day (UTC). A minor revision that needed no retraining counts the version it revised.
        </p>
      </div>
      <Form method="get" className="filters" aria-label="Choose the date">
        <label htmlFor="trained-on">
          Date
          <DateInput id="trained-on" name="on" defaultValue={on} required />
        </label>
        <label>
          Document id (optional)
          <input name="doc" defaultValue={doc ?? ""} placeholder="e.g. SOP-CM-001" />
        </label>
        <button type="submit">Show</button>
      </Form>
      {documents.length === 0 ? <p className="muted">No document needing training was in force on {on}.</p> : null}
      {documents.map((d) => (
        <section key={d.docId} className="card as-of-doc" data-doc={d.docId}>
          <h2>
            <Link to={`/documents/${d.docId}?version=${d.version}`}>
              {d.docId} v{d.version}
            </Link>{" "}
            {d.title}
          </h2>
          <p className="muted small">
            {d.trained} of {d.people.length} trained by the end of {on}.
          </p>
          {doc ? (
            <ul className="as-of-people">
              {d.people.map((p) => (
                <li key={p.username} data-username={p.username}>
                  {p.displayName} ({p.username}):{" "}
                  {p.trained ? <span className="ok">trained, signed {utcMinute(p.acknowledgedAt!)}</span> : <span className="overdue">not trained</span>}
                </li>
              ))}
            </ul>
          ) : (
            <p className="small">
              Not trained:{" "}
              {d.people
                .filter((p) => !p.trained)
                .map((p) => p.username)
                .join(", ") || "nobody"}{" "}
              · <Link to={`/training/as-of?on=${on}&doc=${d.docId}`}>details</Link>
            </p>
          )}
        </section>
      ))}
    </section>
  );
}
