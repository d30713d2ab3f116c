import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { now, today } from "~/clock.server";
import { DateInput } from "~/components/date-input";
import { Field, FormMessage, fieldErrors } from "~/components/form";
import { utcMinute } from "~/components/time";
import { TrainingNav, TrainingStateBadge } from "~/components/training";
import { quire } from "~/context.server";
import { lockedKnowledgeChecks, resetKnowledgeCheck } from "~/modules/training/coordination.server";
import { COURSE_STANDING_LABELS } from "~/modules/training/courses";
import { coursesOfPerson } from "~/modules/training/courses.server";
import { ExemptionRefused, decideExemption, exemptionsOf, requestExemption } from "~/modules/training/exemptions.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { QuizRefused } from "~/modules/training/knowledge-check.server";
import { transcript } from "~/modules/training/reports.server";
import { competenceSignoffs, listSessions } from "~/modules/training/sessions.server";
import { actorOf } from "~/modules/users/auth.server";
import { formValues } from "~/modules/users/user-forms";
import { getUserByUsername } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Training record of ${data.t.displayName} · Quire` : "Not found · Quire" }];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "training.read");
  const q = await quire();
  const t = await transcript(q.db, params.username ?? "", today(q.config));
  if (!t) throw new Response(`There is no user ${params.username ?? ""}.`, { status: 404, statusText: "Not Found" });
  const functions = new Map((await loadJobFunctions(q.db)).map((f) => [f.id, f.name]));
  const locked = await lockedKnowledgeChecks(q, t.entries);
  return json({
    t,
    functionNames: t.jobFunctions.map((f) => functions.get(f) ?? f),
    locked,
    exemptions: await exemptionsOf(q.db, t.userId),
    sessions: (await listSessions(q.db, t.userId)).filter((x) => x.attendees.some((a) => a.username === t.username)),
    competence: await competenceSignoffs(q.db, { userId: t.userId }),
    courses: await coursesOfPerson(q.db, t.userId, t.jobFunctions, today(q.config)),
    canManage: user.permissions.includes("training.manage"),
    canApprove: user.permissions.includes("training.approve"),
    me: user.username,
  });
}

const ResetForm = z.object({
  assignmentId: z.coerce.number().int().positive(),
  reason: z.string().trim().min(5, "Give the reason for the reset (at least 5 characters).").max(500),
});

const ExemptionForm = z.object({
  absentFrom: z.iso.date({ message: "Give the first day of absence (YYYY-MM-DD)." }),
  returnsOn: z.iso.date({ message: "Give the day of return (YYYY-MM-DD)." }),
  absenceReason: z.string().trim().min(5, "Say why the person is absent (at least 5 characters).").max(500),
});

const DecisionForm = z.object({
  exemptionId: z.coerce.number().int().positive(),
  decision: z.enum(["approved", "rejected"]),
  note: z.string().trim().max(500).default(""),
});

type Result = { intent: string; errors: Record<string, string> };
const refuse = (intent: string, errors: Record<string, string>, status = 400) => json<Result>({ intent, errors }, { status });

export async function action({ params, request }: ActionFunctionArgs) {
  const form = formValues(await request.formData());
  const intent = typeof form.intent === "string" ? form.intent : "reset";
  // Each intent is authorised by its own permission before anything is read from the form.
  const user = await requireUser(request, intent === "exemption-decide" ? "training.approve" : "training.manage");
  const q = await quire();
  const person = await getUserByUsername(q.db, params.username ?? "");
  if (!person) throw new Response(`There is no user ${params.username ?? ""}.`, { status: 404, statusText: "Not Found" });
  const by = { ...actorOf(user), userId: user.id };
  const at = now(q.config);
  try {
    if (intent === "exemption-request") {
      const parsed = ExemptionForm.safeParse(form);
      if (!parsed.success) return refuse(intent, fieldErrors(parsed.error));
      const { absentFrom, returnsOn, absenceReason } = parsed.data;
      await q.db.transaction((tx) => requestExemption(tx, { person, absentFrom, returnsOn, reason: absenceReason }, by, at));
    } else if (intent === "exemption-decide") {
      const parsed = DecisionForm.safeParse(form);
      if (!parsed.success) return refuse(intent, fieldErrors(parsed.error));
      await q.db.transaction((tx) => decideExemption(tx, parsed.data.exemptionId, parsed.data.decision, parsed.data.note, by, at));
    } else {
      const parsed = ResetForm.safeParse(form);
      if (!parsed.success) return refuse("reset", { reason: parsed.error.issues[0]!.message });
      await resetKnowledgeCheck(q, by, parsed.data.assignmentId, parsed.data.reason, at);
    }
  } catch (error) {
    if (error instanceof QuizRefused) return refuse(intent, { form: error.message }, 409);
    if (error instanceof ExemptionRefused) return refuse(intent, { [error.field ?? "form"]: error.message }, 409);
    throw error;
  }
  return redirect(`/training/people/${person.username}`);
}

export default function TranscriptPage() {
  const { t, functionNames, locked, exemptions, sessions, competence, courses, canManage, canApprove, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
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
                        <input type="hidden" name="intent" value="reset" />
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
      <section className="card" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Classroom, virtual and on-the-job training</h2>
        <h3>Curriculum courses</h3>
        {courses.length === 0 ? <p className="muted">The curricula of {t.displayName}&rsquo;s job functions name no course.</p> : null}
        <ul className="course-list">
          {courses.map((c) => (
            <li key={c.id} data-course={c.title}>
              <strong>{c.title}</strong>{" "}
              <span className={`badge badge-training-${c.standing === "current" ? "completed" : "overdue"}`}>{COURSE_STANDING_LABELS[c.standing]}</span>
              {c.completedOn ? <span className="small"> · completed {c.completedOn}</span> : null}
              {c.refreshDue ? <span className="small"> · refresh due {c.refreshDue}</span> : null}
              <span className="muted small"> · for {c.jobFunctions.join(", ")}</span>
            </li>
          ))}
        </ul>
        <h3>Sessions attended</h3>
        {sessions.length === 0 ? <p className="muted">No session attended.</p> : null}
        <ul className="session-list">
          {sessions.map((x) => {
            const mine = x.attendees.find((a) => a.username === t.username);
            return (
              <li key={x.id} data-session-id={x.id}>
                {x.heldOn}: <strong>{x.title}</strong> ({x.kind}, {x.durationMinutes} min), trainer {x.trainerName}
                {x.course ? <span className="small"> · course: {x.course}</span> : null}
                {mine && !mine.completed ? <span className="overdue small"> did not complete</span> : null}
                {x.documents.length > 0 ? <span className="muted small"> · {x.documents.map((d) => `${d.docId} v${d.version}`).join(", ")}</span> : null}
              </li>
            );
          })}
        </ul>
        <h3>Practical competence</h3>
        {competence.length === 0 ? <p className="muted">No practical sign-off recorded.</p> : null}
        <ul>
          {competence.map((c) => (
            <li key={c.id} data-signoff-id={c.id}>
              {c.jobFunction}: {c.task} (observed {c.observedOn} by {c.assessorName}) —{" "}
              {c.status === "approved" ? `approved by ${c.approver} ${c.approvedAt?.slice(0, 10) ?? ""}` : "awaiting the line manager"}
            </li>
          ))}
        </ul>
      </section>
      <section className="card exemptions" aria-labelledby="exemptions-heading">
        <h2 id="exemptions-heading">Absences and exemptions</h2>
        <p className="hint">
          SOP-TR-001: training falling due during an absence longer than the training window is due 10 working days after return, once a quality manager
          approves.
        </p>
        {exemptions.length === 0 ? <p className="muted">No absence recorded.</p> : null}
        <ul className="exemption-list">
          {exemptions.map((x) => (
            <li key={x.id} data-exemption-id={x.id}>
              <strong>
                {x.absentFrom} to {x.returnsOn}
              </strong>{" "}
              <span className={`badge badge-exemption-${x.status}`}>
                {x.status === "requested" ? "Awaiting approval" : x.status === "approved" ? "Approved" : "Rejected"}
              </span>{" "}
              {x.reason} <span className="muted small">(recorded by {x.requestedBy})</span>
              {x.status === "approved" ? (
                <span className="small">
                  {" "}
                  · approved by {x.decidedBy}; {x.moved.length} due date{x.moved.length === 1 ? "" : "s"} moved to {x.newDueOn}
                </span>
              ) : null}
              {x.status === "rejected" ? (
                <span className="small">
                  {" "}
                  · rejected by {x.decidedBy}: {x.decisionNote}
                </span>
              ) : null}
              {canApprove && x.status === "requested" && x.requestedBy !== me && t.username !== me ? (
                <Form method="post" className="inline-form decision-form">
                  <input type="hidden" name="intent" value="exemption-decide" />
                  <input type="hidden" name="exemptionId" value={x.id} />
                  <Field label="Note (required to reject)" name="note" error={result?.intent === "exemption-decide" ? errors.note : undefined}>
                    <input id="note" name="note" maxLength={500} />
                  </Field>
                  <button type="submit" name="decision" value="approved">
                    Approve: due dates to {x.newDueOn}
                  </button>{" "}
                  <button type="submit" name="decision" value="rejected" className="secondary">
                    Reject
                  </button>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
        {canManage && t.username !== me ? (
          <Form method="post" className="stack exemption-form">
            <input type="hidden" name="intent" value="exemption-request" />
            <h3>Record an absence</h3>
            <div className="field-row">
              <Field label="First day of absence" name="absentFrom" error={result?.intent === "exemption-request" ? errors.absentFrom : undefined}>
                <DateInput id="absentFrom" name="absentFrom" required />
              </Field>
              <Field label="Returns on" name="returnsOn" error={result?.intent === "exemption-request" ? errors.returnsOn : undefined}>
                <DateInput id="returnsOn" name="returnsOn" required />
              </Field>
            </div>
            <Field label="Reason for the absence" name="absenceReason" error={result?.intent === "exemption-request" ? errors.absenceReason : undefined}>
              <input id="absenceReason" name="absenceReason" required minLength={5} maxLength={500} />
            </Field>
            <button type="submit">Record the absence for approval</button>
          </Form>
        ) : null}
      </section>
    </section>
  );
}
