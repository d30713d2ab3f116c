import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { now, today } from "~/clock.server";
import { SignatureForm } from "~/components/change-request";
import { DateInput } from "~/components/date-input";
import { Field, FormMessage, useFocusFirstError, fieldErrors } from "~/components/form";
import { quire } from "~/context.server";
import { allVersions } from "~/modules/documents/versions.server";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import { listCourses } from "~/modules/training/courses.server";
import { SESSION_KINDS, TrainingRecordRefused, recordSession } from "~/modules/training/sessions.server";
import { formValues } from "~/modules/users/user-forms";
import { listUsers } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Record a training session · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "training.acknowledge");
  const q = await quire();
  const people = (await listUsers(q.db)).filter((u) => u.active && u.id !== user.id && u.jobFunctions.length > 0);
  const latest = new Map<string, string>();
  for (const v of await allVersions(q.db)) latest.set(v.docId, v.version);
  return json({
    today: today(q.config),
    printedName: user.displayName,
    people: people.map((p) => ({ id: p.id, username: p.username, displayName: p.displayName })),
    documents: [...latest].map(([docId, version]) => ({ docId, version })).sort((a, b) => a.docId.localeCompare(b.docId)),
    courses: await listCourses(q.db),
  });
}

const SessionForm = z.object({
  title: z.string().trim().min(3, "Give the session a title.").max(200),
  kind: z.enum(SESSION_KINDS),
  heldOn: z.iso.date({ message: "Give the date the session was held (YYYY-MM-DD)." }),
  durationMinutes: z.coerce
    .number()
    .int()
    .min(1, "Give the duration in minutes.")
    .max(24 * 60),
  content: z.string().trim().min(10, "Describe what was covered (at least 10 characters).").max(4000),
  attendees: z.array(z.string()).min(1, "Name at least one attendee."),
  notCompleted: z.array(z.string()).default([]),
  documents: z.array(z.string().regex(/^[A-Z]+-[A-Z0-9]+-\d{3} \d+\.\d+$/)).default([]),
  courseId: z.union([z.literal("").transform(() => null), z.coerce.number().int().positive()]).default(null),
  password: z.string().min(1, "Enter your password to sign."),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, "training.acknowledge");
  const q = await quire();
  const parsed = SessionForm.safeParse(formValues(await request.formData(), ["attendees", "notCompleted", "documents"]));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const f = parsed.data;
  try {
    const signer = await verifySigner(q, user, f.password);
    await recordSession(
      q.db,
      signer,
      {
        title: f.title,
        kind: f.kind,
        heldOn: f.heldOn,
        durationMinutes: f.durationMinutes,
        content: f.content,
        documents: f.documents.map((d) => {
          const [docId, version] = d.split(" ");
          return { docId: docId!, version: version! };
        }),
        attendees: f.attendees.map((userId) => ({ userId, completed: !f.notCompleted.includes(userId) })),
        courseId: f.courseId,
      },
      today(q.config),
      now(q.config),
    );
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return json({ errors: { password: error.message } as Record<string, string> }, { status: 400 });
    if (error instanceof TrainingRecordRefused) return json({ errors: { [error.field ?? "form"]: error.message } as Record<string, string> }, { status: 409 });
    throw error;
  }
  return redirect("/training/sessions");
}

export default function NewSessionPage() {
  const { today: day, printedName, people, documents, courses } = useLoaderData<typeof loader>();
  const errors: Record<string, string> = useActionData<typeof action>()?.errors ?? {};
  useFocusFirstError(errors);
  return (
    <section className="new-session">
      <p className="breadcrumb">
        <Link to="/training/sessions">Training sessions</Link> <span aria-hidden="true">/</span> new
      </p>
      <h1>Record a training session you delivered</h1>
      <p className="hint">FRM-TR-001: trainer, date, content, duration and attendees. You sign the record as its trainer.</p>
      {errors.form ? <FormMessage error={errors.form} /> : null}
      <SignatureForm
        intent="session"
        meaning="Training delivered"
        printedName={printedName}
        contentHash={null}
        button="Sign: training delivered"
        error={errors.password}
      >
        <Field label="Title" name="title" error={errors.title}>
          <input id="title" name="title" required maxLength={200} />
        </Field>
        <div className="field-row">
          <Field label="Kind" name="kind" error={errors.kind}>
            <select id="kind" name="kind">
              <option value="classroom">Classroom</option>
              <option value="virtual">Virtual</option>
              <option value="on-the-job">On the job</option>
            </select>
          </Field>
          <Field label="Held on" name="heldOn" error={errors.heldOn}>
            <DateInput id="heldOn" name="heldOn" max={day} defaultValue={day} required />
          </Field>
          <Field label="Duration (minutes)" name="durationMinutes" error={errors.durationMinutes}>
            <input id="durationMinutes" name="durationMinutes" type="number" min={1} defaultValue={60} required />
          </Field>
        </div>
        <Field label="Content covered" name="content" error={errors.content}>
          <textarea id="content" name="content" rows={4} required maxLength={4000} />
        </Field>
        <Field label="Curriculum course delivered (optional)" name="courseId" error={errors.courseId}>
          <select id="courseId" name="courseId" defaultValue="">
            <option value="">None</option>
            {courses.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
                {c.refreshMonths ? ` (refresh every ${c.refreshMonths} months)` : ""}
              </option>
            ))}
          </select>
        </Field>
        <fieldset className="field choice-field" aria-describedby={errors.documents ? "documents-error" : undefined}>
          <legend>Controlled documents covered (optional)</legend>
          <div className="checkbox-list columns">
            {documents.map((d) => (
              <label key={d.docId} className="choice">
                <input type="checkbox" name="documents" value={`${d.docId} ${d.version}`} /> {d.docId} v{d.version}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className={`field choice-field${errors.attendees ? " field-error" : ""}`} aria-describedby={errors.attendees ? "attendees-error" : undefined}>
          <legend>Attendees (tick &ldquo;did not complete&rdquo; for anyone who left early or did not pass)</legend>
          {errors.attendees ? (
            <p className="error" id="attendees-error" role="alert">
              {errors.attendees}
            </p>
          ) : null}
          <ul className="attendee-list">
            {people.map((p) => (
              <li key={p.id}>
                <label className="choice">
                  <input type="checkbox" name="attendees" value={p.id} /> {p.displayName} ({p.username})
                </label>{" "}
                <label className="small muted">
                  <input type="checkbox" name="notCompleted" value={p.id} /> did not complete
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      </SignatureForm>
    </section>
  );
}
