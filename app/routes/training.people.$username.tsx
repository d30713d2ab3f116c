import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { now, today } from "~/clock.server";
import { Field, FormMessage } from "~/components/form";
import { utcMinute } from "~/components/time";
import { TrainingNav, TrainingStateBadge } from "~/components/training";
import { quire } from "~/context.server";
import { loadJobFunctions } from "~/modules/documents/library.server";
import { lockedKnowledgeChecks, resetKnowledgeCheck } from "~/modules/training/coordination.server";
import { QuizRefused } from "~/modules/training/knowledge-check.server";
import { transcript } from "~/modules/training/reports.server";
import { actorOf, requireUser } from "~/modules/users/auth.server";
import { formValues } from "~/modules/users/user-forms";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Training record of ${data.t.displayName} · Quire` : "Not found · Quire" }];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "training.read");
  const q = await quire();
  const t = await transcript(q.db, params.username ?? "", today(q.config));
  if (!t) throw new Response(`There is no user ${params.username ?? ""}.`, { status: 404, statusText: "Not Found" });
  const functions = new Map((await loadJobFunctions(q.db)).map((f) => [f.id, f.name]));
  const locked = await lockedKnowledgeChecks(q, t.entries);
  return json({ t, functionNames: t.jobFunctions.map((f) => functions.get(f) ?? f), locked, canManage: user.permissions.includes("training.manage") });
}

const ResetForm = z.object({
  assignmentId: z.coerce.number().int().positive(),
  reason: z.string().trim().min(5, "Give the reason for the reset (at least 5 characters).").max(500),
});

export async function action({ params, request }: ActionFunctionArgs) {
  const user = await requireUser(request, "training.manage");
  const q = await quire();
  const parsed = ResetForm.safeParse(formValues(await request.formData()));
  if (!parsed.success) return json({ errors: { reason: parsed.error.issues[0]!.message } as Record<string, string> }, { status: 400 });
  try {
    await resetKnowledgeCheck(q, { ...actorOf(user), userId: user.id }, parsed.data.assignmentId, parsed.data.reason, now(q.config));
  } catch (error) {
    if (error instanceof QuizRefused) return json({ errors: { form: error.message } as Record<string, string> }, { status: 409 });
    throw error;
  }
  return redirect(`/training/people/${params.username ?? ""}`);
}

export default function TranscriptPage() {
  const { t, functionNames, locked, canManage } = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.errors ?? {};
  return (
    <section className="training-transcript">
      <TrainingNav />
      <p className="breadcrumb">
        <Link to="/training/people">People</Link> <span aria-hidden="true">/</span> {t.username}
      </p>
      <div className="page-heading">
        <h1>Training record of {t.displayName}</h1>
        <p className="muted">
          {t.username}
          {t.active ? "" : " (deactivated)"} · {functionNames.length > 0 ? functionNames.join(", ") : "no job function"}
          {t.managerUsername ? ` · line manager ${t.managerUsername}` : ""} ·{" "}
          <a href={`/training/people/${t.username}/csv`} download>
            Download CSV
          </a>
        </p>
      </div>
      {errors.form ? <FormMessage error={errors.form} /> : null}
      {t.entries.length === 0 ? (
        <p className="muted">No training has been assigned to {t.displayName}.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table transcript-table">
            <thead>
              <tr>
                <th scope="col">Document</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Assigned</th>
                <th scope="col">Due</th>
                <th scope="col">Read and understood (UTC)</th>
                <th scope="col">Knowledge check</th>
                <th scope="col">Why assigned</th>
              </tr>
            </thead>
            <tbody>
              {t.entries.map((e) => (
                <tr key={e.assignmentId} data-assignment-id={e.assignmentId}>
                  <td>
                    <Link to={`/documents/${e.docId}?version=${e.version}`}>
                      <span className="mono">{e.docId}</span>
                    </Link>{" "}
                    {e.title}
                  </td>
                  <td>
                    <Link to={`/training/documents/${e.docId}/${e.version}`}>{e.version}</Link>
                  </td>
                  <td>
                    <TrainingStateBadge state={e.state} />
                    {locked.includes(e.assignmentId) ? <span className="badge badge-training-overdue">Knowledge check locked</span> : null}
                  </td>
                  <td className="nowrap">{e.assignedAt.slice(0, 10)}</td>
                  <td className="nowrap">{e.dueOn}</td>
                  <td>
                    {e.signedAt ? (
                      <>
                        {utcMinute(e.signedAt)}
                        {e.onTime === false ? <span className="overdue small"> late</span> : null}
                        <span className="muted small mono" title={e.contentHash ?? undefined}>
                          {" "}
                          {e.contentHash?.slice(0, 10)}…
                        </span>
                      </>
                    ) : e.closedAt ? (
                      <span className="muted">closed {e.closedAt.slice(0, 10)}</span>
                    ) : (
                      <span className="muted">–</span>
                    )}
                  </td>
                  <td>
                    {e.quiz
                      ? `${e.quiz.passed ? "passed" : "not passed"}, best ${e.quiz.bestScore}%, ${e.quiz.attempts} attempt${e.quiz.attempts === 1 ? "" : "s"}`
                      : "–"}
                    {canManage && locked.includes(e.assignmentId) ? (
                      <Form method="post" className="inline-form reset-form">
                        <input type="hidden" name="assignmentId" value={e.assignmentId} />
                        <Field label="Reason for the reset" name="reason" error={errors.reason}>
                          <input id="reason" name="reason" required minLength={5} maxLength={500} />
                        </Field>
                        <button type="submit">Reset the knowledge check</button>
                      </Form>
                    ) : null}
                  </td>
                  <td>
                    {e.causeLabel}
                    {e.causeRef ? <span className="muted small"> ({e.causeRef})</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
