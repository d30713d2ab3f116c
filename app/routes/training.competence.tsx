import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { now, today } from "~/clock.server";
import { SignatureForm } from "~/components/change-request";
import { DateInput } from "~/components/date-input";
import { Field, FormMessage, useFocusFirstError } from "~/components/form";
import { quire } from "~/context.server";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import { TrainingRecordRefused, approveCompetence, assessCompetence, competenceSignoffs } from "~/modules/training/sessions.server";
import { PRACTICAL_SIGNOFF_FUNCTIONS } from "~/modules/training/training";
import { formValues } from "~/modules/users/user-forms";
import { listUsers } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Practical competence · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "training.acknowledge");
  const q = await quire();
  const trainees = (await listUsers(q.db)).filter((u) => u.active && u.id !== user.id && u.jobFunctions.some((f) => PRACTICAL_SIGNOFF_FUNCTIONS.includes(f)));
  return json({
    today: today(q.config),
    printedName: user.displayName,
    awaiting: await competenceSignoffs(q.db, { awaitingManager: user.id }),
    mine: await competenceSignoffs(q.db, { userId: user.id }),
    trainees: trainees.map((t) => ({
      id: t.id,
      username: t.username,
      displayName: t.displayName,
      functions: t.jobFunctions.filter((f) => PRACTICAL_SIGNOFF_FUNCTIONS.includes(f)),
    })),
  });
}

const AssessForm = z.object({
  traineeId: z.string().min(1, "Choose the person you observed."),
  jobFunction: z.string().min(1, "Choose the job function."),
  task: z.string().trim().min(10, "Describe the tasks observed (at least 10 characters).").max(2000),
  observedOn: z.iso.date({ message: "Give the date of the observation (YYYY-MM-DD)." }),
  password: z.string().min(1, "Enter your password to sign."),
});
const ApproveForm = z.object({ signoffId: z.coerce.number().int().positive(), password: z.string().min(1, "Enter your password to sign.") });

type Result = { intent: string; errors: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, "training.acknowledge");
  const q = await quire();
  const form = formValues(await request.formData());
  const intent = form.intent === "approve" ? "approve" : "assess";
  const parsed = intent === "approve" ? ApproveForm.safeParse(form) : AssessForm.safeParse(form);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "form")] ??= issue.message;
    return json<Result>({ intent, errors }, { status: 400 });
  }
  try {
    const signer = await verifySigner(q, user, parsed.data.password);
    if (intent === "approve") {
      await approveCompetence(q.db, signer, (parsed.data as z.infer<typeof ApproveForm>).signoffId, now(q.config));
    } else {
      const { traineeId, jobFunction, task, observedOn } = parsed.data as z.infer<typeof AssessForm>;
      await assessCompetence(q.db, signer, { traineeId, jobFunction, task, observedOn }, today(q.config), now(q.config));
    }
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return json<Result>({ intent, errors: { password: error.message } }, { status: 400 });
    if (error instanceof TrainingRecordRefused) return json<Result>({ intent, errors: { [error.field ?? "form"]: error.message } }, { status: 409 });
    throw error;
  }
  return redirect("/training/competence");
}

export default function CompetencePage() {
  const { today: day, printedName, awaiting, mine, trainees } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
  useFocusFirstError(result?.errors);
  return (
    <section className="competence">
      <p className="breadcrumb">
        <Link to="/training/sessions">Training sessions</Link> <span aria-hidden="true">/</span> practical competence
      </p>
      <h1>Practical competence</h1>
      <p className="hint">
        SOP-TR-001 step 6: for {PRACTICAL_SIGNOFF_FUNCTIONS.join(", ")}, a qualified senior colleague observes core tasks and signs off competence; the line
        manager approves. Until then the person works under supervision and is not shown as qualified.
      </p>
      {errors.form ? <FormMessage error={errors.form} /> : null}

      {awaiting.length > 0 ? (
        <section className="card stack" aria-labelledby="awaiting-heading">
          <h2 id="awaiting-heading">Awaiting your approval as line manager</h2>
          {awaiting.map((c) => (
            <div key={c.id} className="competence-item" data-signoff-id={c.id}>
              <p>
                <strong>{c.traineeName}</strong> as {c.jobFunction}, observed {c.observedOn} by {c.assessorName}: {c.task}
              </p>
              <SignatureForm
                intent="approve"
                meaning="Competence approved"
                printedName={printedName}
                contentHash={null}
                button="Sign: approve competence"
                error={result?.intent === "approve" ? errors.password : undefined}
              >
                <input type="hidden" name="signoffId" value={c.id} />
              </SignatureForm>
            </div>
          ))}
        </section>
      ) : null}

      <section className="card stack" aria-labelledby="assess-heading">
        <h2 id="assess-heading">Sign off a colleague&rsquo;s competence</h2>
        <SignatureForm
          intent="assess"
          meaning="Competence assessed"
          printedName={printedName}
          contentHash={null}
          button="Sign: competence assessed"
          error={result?.intent === "assess" ? errors.password : undefined}
        >
          <Field label="Person observed" name="traineeId" error={errors.traineeId}>
            <select id="traineeId" name="traineeId" required>
              <option value="">Choose…</option>
              {trainees.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.displayName} ({t.username})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Job function" name="jobFunction" error={errors.jobFunction}>
            <select id="jobFunction" name="jobFunction" required>
              {PRACTICAL_SIGNOFF_FUNCTIONS.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Tasks observed" name="task" error={errors.task} hint="For example a co-monitoring visit, a query review cycle or an ethics submission.">
            <textarea id="task" name="task" rows={3} required maxLength={2000} />
          </Field>
          <Field label="Observed on" name="observedOn" error={errors.observedOn}>
            <DateInput id="observedOn" name="observedOn" max={day} defaultValue={day} required />
          </Field>
        </SignatureForm>
      </section>

      <section aria-labelledby="mine-heading">
        <h2 id="mine-heading">Your own sign-offs</h2>
        {mine.length === 0 ? <p className="muted">None recorded.</p> : null}
        <ul>
          {mine.map((c) => (
            <li key={c.id}>
              {c.jobFunction}, observed {c.observedOn} by {c.assessorName}:{" "}
              {c.status === "approved" ? `approved by ${c.approver}` : "awaiting your line manager"}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
