import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { now, today } from "~/clock.server";
import { SignatureForm } from "~/components/change-request";
import { Field, FormMessage, fieldErrors } from "~/components/form";
import { utcMinute } from "~/components/time";
import { TrainingNav } from "~/components/training";
import { quire } from "~/context.server";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import {
  CURRICULUM_REASON_MIN,
  curriculumChanges,
  curriculumCourses,
  decideCurriculumChange,
  listCourses,
  proposeCurriculumChange,
} from "~/modules/training/courses.server";
import { curriculumVersions } from "~/modules/training/curriculum.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { TrainingRecordRefused } from "~/modules/training/sessions.server";
import { actorOf } from "~/modules/users/auth.server";
import { formValues } from "~/modules/users/user-forms";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Curricula · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "training.read");
  const q = await quire();
  const on = today(q.config);
  const [functions, versions, courses, allCourses, changes] = await Promise.all([
    loadJobFunctions(q.db),
    curriculumVersions(q.db, on),
    curriculumCourses(q.db),
    listCourses(q.db),
    curriculumChanges(q.db),
  ]);
  return json({
    on,
    functions: functions.map((f) => ({
      id: f.id,
      name: f.name,
      documents: versions.filter((v) => v.frontmatter.audience.includes(f.id)).map((v) => ({ docId: v.docId, version: v.version, title: v.title })),
      courses: courses.get(f.id) ?? [],
    })),
    allCourses,
    pending: changes.filter((c) => c.status === "proposed"),
    decided: changes.filter((c) => c.status !== "proposed"),
    canPropose: user.permissions.includes("training.manage"),
    canDecide: user.permissions.includes("training.approve"),
    printedName: user.displayName,
  });
}

const ProposalForm = z
  .object({
    jobFunction: z.string().min(1, "Choose the job function."),
    change: z.enum(["add", "remove"]),
    courseId: z.string().default(""),
    newTitle: z.string().trim().max(200).default(""),
    refreshMonths: z.union([z.literal("").transform(() => null), z.coerce.number().int().min(1).max(120)]).default(null),
    reason: z.string().trim().min(CURRICULUM_REASON_MIN, `Give the reason for the change (at least ${CURRICULUM_REASON_MIN} characters).`).max(1000),
  })
  .refine((f) => f.courseId !== "" || f.newTitle.length >= 3, { path: ["courseId"], message: "Choose a course, or name a new one." });

const Decision = z.object({
  decision: z.enum(["approve", "reject"]),
  note: z.string().trim().max(1000).default(""),
  password: z.string().default(""),
});

type Result = { intent: string; errors: Record<string, string> };
const refuse = (intent: string, errors: Record<string, string>, status = 400) => json<Result>({ intent, errors }, { status });

export async function action({ request }: ActionFunctionArgs) {
  const form = formValues(await request.formData());
  const intent = typeof form.intent === "string" ? form.intent : "";
  const decide = /^decide-(\d+)$/.exec(intent);
  // Each intent is authorised by its own permission before anything is read from the form.
  const user = await requireUser(request, decide ? "training.approve" : "training.manage");
  const q = await quire();
  const at = now(q.config);
  try {
    if (decide) {
      const parsed = Decision.safeParse(form);
      if (!parsed.success) return refuse(intent, fieldErrors(parsed.error));
      const { decision, note, password } = parsed.data;
      // Both decisions re-enter the password; approval is the e-signature SOP-TR-001 asks for.
      if (password === "") return refuse(intent, { password: "Enter your password to sign." });
      if (decision === "reject" && note.length < CURRICULUM_REASON_MIN)
        return refuse(intent, { note: `Say why the change is rejected (at least ${CURRICULUM_REASON_MIN} characters).` });
      const signer = await verifySigner(q, user, password);
      await decideCurriculumChange(q.db, signer, Number(decide[1]), decision === "approve" ? { approve: true } : { approve: false, note }, at);
    } else if (intent === "propose") {
      const parsed = ProposalForm.safeParse(form);
      if (!parsed.success) return refuse(intent, fieldErrors(parsed.error));
      const f = parsed.data;
      await proposeCurriculumChange(
        q.db,
        { ...actorOf(user), userId: user.id, username: user.username },
        {
          jobFunction: f.jobFunction,
          action: f.change,
          reason: f.reason,
          course: f.courseId !== "" ? { id: Number(f.courseId) } : { title: f.newTitle, refreshMonths: f.refreshMonths },
        },
        at,
      );
    } else {
      return refuse(intent, { form: "Unknown action." });
    }
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return refuse(intent, { password: error.message });
    if (error instanceof TrainingRecordRefused) return refuse(intent, { [error.field ?? "form"]: error.message }, 409);
    throw error;
  }
  return redirect("/training/curriculum");
}

export default function CurriculumPage() {
  const { on, functions, allCourses, pending, decided, canPropose, canDecide, printedName } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
  const names = new Map(functions.map((f) => [f.id, f.name]));
  return (
    <section className="curriculum">
      <TrainingNav />
      <div className="page-heading">
        <h1>Curricula</h1>
        <p className="muted">
          SOP-TR-001 step 1, on <time dateTime={on}>{on}</time>: a job function&rsquo;s curriculum is every controlled document whose audience names it (changed
          through a change request to the document) and the courses below (GCP, computerised systems), which the training coordinator proposes and a quality
          manager approves with an e-signature.
        </p>
      </div>
      {errors.form ? <FormMessage error={errors.form} /> : null}
      {pending.length > 0 ? (
        <section className="card" aria-labelledby="pending-heading">
          <h2 id="pending-heading">Awaiting a quality manager&rsquo;s decision</h2>
          {pending.map((c) => (
            <article key={c.id} className="curriculum-change" data-change-id={c.id}>
              <p>
                <strong>{c.action === "add" ? "Add" : "Remove"}</strong> {c.course.title}
                {c.course.refreshMonths ? ` (refresh every ${c.course.refreshMonths} months)` : ""} {c.action === "add" ? "to" : "from"} the{" "}
                {names.get(c.jobFunction) ?? c.jobFunction} curriculum.{" "}
                <span className="muted small">
                  Proposed by {c.proposedBy} {utcMinute(c.proposedAt)} UTC.
                </span>
              </p>
              <p className="small">Reason: {c.reason}</p>
              {canDecide ? (
                <SignatureForm
                  intent={`decide-${c.id}`}
                  meaning="Curriculum approved"
                  printedName={printedName}
                  contentHash={null}
                  button="Sign the decision"
                  error={result?.intent === `decide-${c.id}` ? errors.password : null}
                >
                  <fieldset className="field choice-field">
                    <legend>Decision</legend>
                    <label className="choice">
                      <input type="radio" name="decision" value="approve" defaultChecked /> Approve (signed)
                    </label>
                    <label className="choice">
                      <input type="radio" name="decision" value="reject" /> Reject
                    </label>
                  </fieldset>
                  <Field
                    label="Note (required to reject)"
                    name={`note-${c.id}`}
                    error={result?.intent === `decide-${c.id}` ? (errors.note ?? errors.form) : null}
                  >
                    <input id={`note-${c.id}`} name="note" maxLength={1000} />
                  </Field>
                </SignatureForm>
              ) : null}
            </article>
          ))}
        </section>
      ) : null}
      <div className="table-scroll">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Job function</th>
              <th scope="col">Controlled documents</th>
              <th scope="col">Courses</th>
            </tr>
          </thead>
          <tbody>
            {functions.map((f) => (
              <tr key={f.id} data-function={f.id}>
                <th scope="row">{f.name}</th>
                <td>
                  <details>
                    <summary>
                      {f.documents.length} document{f.documents.length === 1 ? "" : "s"}
                    </summary>
                    <ul className="small">
                      {f.documents.map((d) => (
                        <li key={d.docId}>
                          <Link to={`/documents/${d.docId}`}>{d.docId}</Link> v{d.version} {d.title}
                        </li>
                      ))}
                    </ul>
                  </details>
                </td>
                <td>
                  {f.courses.length === 0 ? <span className="muted">none</span> : null}
                  <ul className="small">
                    {f.courses.map((c) => (
                      <li key={c.id}>
                        {c.title}
                        {c.refreshMonths ? <span className="muted"> (refresh every {c.refreshMonths} months)</span> : null}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canPropose ? (
        <section className="card" aria-labelledby="propose-heading">
          <h2 id="propose-heading">Propose a change to a curriculum</h2>
          <Form method="post" className="stacked-form">
            <input type="hidden" name="intent" value="propose" />
            <div className="field-row">
              <Field label="Job function" name="jobFunction" error={result?.intent === "propose" ? errors.jobFunction : null}>
                <select id="jobFunction" name="jobFunction" required>
                  {functions.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Change" name="change">
                <select id="change" name="change">
                  <option value="add">Add the course</option>
                  <option value="remove">Remove the course</option>
                </select>
              </Field>
            </div>
            <Field label="Course" name="courseId" error={result?.intent === "propose" ? errors.courseId : null}>
              <select id="courseId" name="courseId" defaultValue="">
                <option value="">A new course (name it below)</option>
                {allCourses.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.title}
                  </option>
                ))}
              </select>
            </Field>
            <div className="field-row">
              <Field label="New course title" name="newTitle" error={result?.intent === "propose" ? errors.title : null}>
                <input id="newTitle" name="newTitle" maxLength={200} />
              </Field>
              <Field label="Refresh every (months, empty for never)" name="refreshMonths" error={result?.intent === "propose" ? errors.refreshMonths : null}>
                <input id="refreshMonths" name="refreshMonths" type="number" min={1} max={120} />
              </Field>
            </div>
            <Field label="Reason" name="reason" error={result?.intent === "propose" ? (errors.reason ?? errors.course ?? errors.form) : null}>
              <textarea id="reason" name="reason" rows={2} required minLength={CURRICULUM_REASON_MIN} maxLength={1000} />
            </Field>
            <button type="submit">Propose the change</button>
          </Form>
        </section>
      ) : null}
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {decided.length === 0 ? <p className="muted">No curriculum change decided yet.</p> : null}
        <ul className="curriculum-history small">
          {decided.map((c) => (
            <li key={c.id} data-change-id={c.id}>
              {c.decidedAt ? `${utcMinute(c.decidedAt)} UTC` : ""}: {c.action === "add" ? "add" : "remove"} {c.course.title} (
              {names.get(c.jobFunction) ?? c.jobFunction}) — <strong>{c.status}</strong> by {c.decidedBy}
              {c.decisionNote ? `: ${c.decisionNote}` : ""}. Proposed by {c.proposedBy}: {c.reason}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
