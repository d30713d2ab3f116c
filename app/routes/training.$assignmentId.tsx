import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { now, today } from "~/clock.server";
import { SignatureForm } from "~/components/change-request";
import { FormMessage, useFocusFirstError } from "~/components/form";
import { withNotice } from "~/components/notices";
import { utcMinuteLabel } from "~/components/time";
import { TrainingStateBadge } from "~/components/training";
import { quire } from "~/context.server";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import { TrainingRefused, acknowledgeAssignment } from "~/modules/training/acknowledge.server";
import { trainingTask } from "~/modules/training/my-training.server";
import { requireUser } from "~/modules/users/auth.server";
import { formValues } from "~/modules/users/user-forms";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Training: ${data.assignment.docId} v${data.assignment.version} · Quire` : "Training not found · Quire" },
];

const AssignmentId = z.coerce.number().int().positive();

async function load(request: Request, param: string | undefined) {
  const user = await requireUser(request, "training.acknowledge");
  const q = await quire();
  const id = AssignmentId.safeParse(param);
  const task = id.success ? await trainingTask(q, user.id, id.data, today(q.config)) : null;
  // Someone else's assignment is answered exactly as a missing one: its existence is not yours to know.
  if (!task || !id.success) throw new Response(`You have no training assignment ${param ?? ""}.`, { status: 404, statusText: "Not Found" });
  return { user, q, id: id.data, task };
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const { user, task } = await load(request, params.assignmentId);
  return json({ ...task, printedName: user.displayName });
}

const SignForm = z.object({
  password: z.string().min(1, "Enter your password to sign."),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, "The page did not say which content you read; reload it and sign again."),
});

export async function action({ params, request }: ActionFunctionArgs) {
  const { user, q, id } = await load(request, params.assignmentId);
  const parsed = SignForm.safeParse(formValues(await request.formData()));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return json({ errors: { [issue.path[0] === "password" ? "password" : "form"]: issue.message } }, { status: 400 });
  }
  try {
    const signer = await verifySigner(q, user, parsed.data.password);
    await acknowledgeAssignment(q.db, signer, id, now(q.config), parsed.data.contentHash);
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return json({ errors: { password: error.message } }, { status: 400 });
    if (error instanceof TrainingRefused) return json({ errors: { form: error.message } }, { status: 409 });
    throw error;
  }
  return redirect(withNotice("/training", "training-signed"));
}

export default function TrainingTaskPage() {
  const { assignment: a, contentHash, commit, effectiveFrom, html, printedName } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  useFocusFirstError(actionData?.errors);
  return (
    <section className="training-task">
      <p className="breadcrumb">
        <Link to="/training">My training</Link> <span aria-hidden="true">/</span> {a.docId} v{a.version}
      </p>
      <div className="page-heading">
        <p className="doc-kicker">
          {a.docId} · version {a.version} · effective {effectiveFrom}
        </p>
        <h1>{a.title}</h1>
        <p>
          <TrainingStateBadge state={a.state} />{" "}
          <span className="small">
            {a.status === "open" ? `Due ${a.dueOn}${a.daysOverdue > 0 ? `, ${a.daysOverdue} days overdue` : ""}` : null}
            {a.status === "completed" && a.signedAt ? `Signed read and understood ${utcMinuteLabel(a.signedAt)}` : null}
          </span>
        </p>
      </div>
      {errors.form ? <FormMessage error={errors.form} /> : null}
      <article className="document-body training-body" aria-label={`${a.docId} version ${a.version}`} dangerouslySetInnerHTML={{ __html: html }} />
      {a.status === "open" ? (
        <div className="card stack training-sign">
          <h2>Sign: read and understood</h2>
          <p className="hint">
            Sign when you have read the whole document. Your signature is bound to this version&rsquo;s content and recorded in your training record.
          </p>
          <SignatureForm
            intent="acknowledge"
            meaning="Read and understood"
            printedName={printedName}
            contentHash={contentHash}
            button="Sign: read and understood"
            error={errors.password}
          />
          <p className="muted small">
            Version commit <span className="mono">{commit.slice(0, 12)}</span>
          </p>
        </div>
      ) : null}
    </section>
  );
}
