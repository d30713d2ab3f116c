import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import { useEffect } from "react";
import { z } from "zod";

import { now, today } from "~/clock.server";
import { DateInput } from "~/components/date-input";
import { quire } from "~/context.server";
import { BinderRequestError } from "~/modules/binder/binder";
import { binderJob, binderJobsOf, jobStatus, startBinderJob } from "~/modules/binder/binder-jobs.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Inspection binder · Quire" }];

/** GET /binder: pick a day and start a binder; with ?job=<id>, that build's progress and its download. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "export.binder");
  const q = await quire();
  const id = new URL(request.url).searchParams.get("job");
  const job = id ? binderJob(id, user.id) : null;
  return json({ today: today(q.config), job: job ? jobStatus(job) : null, recent: binderJobsOf(user.id).map(jobStatus) });
}

const StartForm = z.object({
  asOf: z.iso.date({ message: "Give the day as YYYY-MM-DD." }),
  format: z.enum(["pdf", "zip"]).default("pdf"),
});

/** POST /binder: starts the build (one at a time) and shows its progress; the export is audited when the file is complete. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, "export.binder");
  const q = await quire();
  const parsed = StartForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ error: parsed.error.issues[0]!.message }, { status: 400 });
  const { asOf, format } = parsed.data;
  try {
    const job = await startBinderJob(
      q,
      { ...actorOf(user), userId: user.id },
      { asOf, generatedAt: now(q.config), generatedBy: user.displayName },
      format === "zip",
    );
    return redirect(`/binder?job=${job.id}`);
  } catch (error) {
    if (error instanceof BinderRequestError) return json({ error: error.message.replace(/^--as-of /, "") }, { status: 400 });
    throw error;
  }
}

type Status = ReturnType<typeof jobStatus>;

export default function BinderPage() {
  const { today: day, job, recent } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <section className="binder">
      <div className="page-heading">
        <h1>Inspection binder</h1>
        <p className="muted">
          The quality management system as it stood on a day, to the end of it (UTC): every document version in force with its signatures and revision history,
          the signature manifest, the audit trail and the training records, in one PDF with an index and bookmarks, or a ZIP of one PDF per version with CSVs
          and a manifest of SHA-256s. Nothing approved, signed or recorded later is shown. Each export is recorded in the audit trail.
        </p>
      </div>
      <Form method="post" className="filters" aria-label="Build a binder">
        <label htmlFor="binder-as-of">
          As of
          <DateInput id="binder-as-of" name="asOf" defaultValue={params.get("asOf") ?? day} max={day} required />
        </label>
        <label>
          Format
          <select name="format" defaultValue="pdf">
            <option value="pdf">One PDF</option>
            <option value="zip">ZIP (one PDF per version, CSVs, manifest)</option>
          </select>
        </label>
        <button type="submit">Build the binder</button>
      </Form>
      {refused && "error" in refused ? (
        <p className="form-error" role="alert">
          {refused.error}
        </p>
      ) : null}
      {job ? <JobProgress initial={job} /> : null}
      {recent.filter((r) => r.id !== job?.id && r.state === "done").length > 0 ? (
        <>
          <h2>Your recent binders</h2>
          <ul>
            {recent
              .filter((r) => r.id !== job?.id && r.state === "done")
              .map((r) => (
                <li key={r.id}>
                  <a href={`/binder/jobs/${r.id}/download`}>{r.fileName}</a> ({r.result?.pages} pages, sha256 {r.result?.sha256.slice(0, 12)}…)
                </li>
              ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** Polls the job's status once a second until it has finished, then offers the file. */
function JobProgress({ initial }: { initial: Status }) {
  const fetcher = useFetcher<{ job: Status }>();
  const job = fetcher.data?.job ?? initial;
  useEffect(() => {
    if (job.state !== "running") return;
    const timer = setTimeout(() => fetcher.load(`/binder/jobs/${job.id}`), 1000);
    return () => clearTimeout(timer);
  }, [job, fetcher]);
  const p = job.progress;
  return (
    <section className="card binder-job" data-state={job.state} aria-live="polite">
      <h2>
        Binder as of {job.asOf} ({job.format === "zip" ? "ZIP" : "PDF"})
      </h2>
      {job.state === "running" ? (
        <p>
          Building: {p ? `${p.phase} ${p.done} of ${p.total}` : "starting"}
          {p ? <progress max={p.total} value={p.done} /> : null}
        </p>
      ) : null}
      {job.state === "failed" ? (
        <p className="form-error" role="alert">
          {job.error}
        </p>
      ) : null}
      {job.state === "done" && job.result ? (
        <p>
          <a href={`/binder/jobs/${job.id}/download`} download={job.fileName}>
            Download {job.fileName}
          </a>{" "}
          · {job.result.documents} documents, {job.result.pages} pages, {job.result.bytes} bytes, SHA-256 <code>{job.result.sha256}</code>
        </p>
      ) : null}
    </section>
  );
}
