import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
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
import { QuizRefused } from "~/modules/training/knowledge-check.server";
import { submitQuiz, trainingTask } from "~/modules/training/my-training.server";
import { formValues } from "~/modules/users/user-forms";
import { requireUser } from "~/web/auth.server";

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

const QuizForm = z.object({
  attempt: z.coerce.number().int().min(1),
  quizHash: z.string().regex(/^[0-9a-f]{64}$/),
});

type ActionResult = { intent: string; errors: Record<string, string>; result?: { score: number; passed: boolean; correct: number; total: number } };

export async function action({ params, request }: ActionFunctionArgs) {
  const { user, q, id } = await load(request, params.assignmentId);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "quiz") {
    const parsed = QuizForm.safeParse(formValues(form));
    if (!parsed.success)
      return json<ActionResult>({ intent, errors: { form: "The page did not say which knowledge check it showed; reload it." } }, { status: 400 });
    // Answers arrive as q.<question id> = <option id>, one entry per chosen option.
    const answers: Record<string, string[]> = {};
    for (const [key, value] of form) {
      if (key.startsWith("q.") && typeof value === "string") (answers[key.slice(2)] ??= []).push(value);
    }
    try {
      const graded = await submitQuiz(
        q,
        { id: user.id, username: user.username, clientAddress: user.clientAddress },
        id,
        { ...parsed.data, answers },
        now(q.config),
      );
      return json<ActionResult>({ intent, errors: {}, result: { score: graded.score, passed: graded.passed, correct: graded.correct, total: graded.total } });
    } catch (error) {
      if (error instanceof QuizRefused) return json<ActionResult>({ intent, errors: { form: error.message } }, { status: 409 });
      throw error;
    }
  }
  const parsed = SignForm.safeParse(formValues(form));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return json<ActionResult>({ intent: "acknowledge", errors: { [issue.path[0] === "password" ? "password" : "form"]: issue.message } }, { status: 400 });
  }
  try {
    const signer = await verifySigner(q, user, parsed.data.password);
    await acknowledgeAssignment(q, signer, id, now(q.config), parsed.data.contentHash);
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return json<ActionResult>({ intent: "acknowledge", errors: { password: error.message } }, { status: 400 });
    if (error instanceof TrainingRefused) return json<ActionResult>({ intent: "acknowledge", errors: { form: error.message } }, { status: 409 });
    throw error;
  }
  return redirect(withNotice("/training", "training-signed"));
}

export default function TrainingTaskPage() {
  const { assignment: a, contentHash, commit, effectiveFrom, html, printedName, quiz } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  useFocusFirstError(actionData?.errors);
  const result = actionData?.result;
  const quizOpen = quiz !== null && !quiz.state.passed;
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
      {a.status === "open" && quiz ? (
        <section className="card stack training-quiz" aria-labelledby="quiz-heading">
          <h2 id="quiz-heading">Knowledge check</h2>
          {result ? (
            <p className={`banner ${result.passed ? "banner-success" : "banner-warning"}`} role="status">
              {result.passed
                ? `Passed: ${result.score}% (${result.correct} of ${result.total} right). You can now sign below.`
                : `Not passed: ${result.score}% (${result.correct} of ${result.total} right); the pass mark is ${quiz.state.passMark}%.`}
            </p>
          ) : null}
          {quiz.state.passed ? (
            !result ? (
              <p>Passed with {quiz.state.lastScore}%.</p>
            ) : null
          ) : quiz.state.locked ? (
            <p className="banner banner-warning" role="status">
              Locked: all {quiz.state.maxAttempts} attempts are used. Your training coordinator can reset the knowledge check; until then you cannot sign.
            </p>
          ) : quiz.next ? (
            <Form method="post" className="quiz-form" key={`${quiz.state.round}-${quiz.next.attempt}`}>
              <input type="hidden" name="intent" value="quiz" />
              <input type="hidden" name="attempt" value={quiz.next.attempt} />
              <input type="hidden" name="quizHash" value={quiz.hash} />
              <p className="hint">
                Attempt {quiz.next.attempt} of {quiz.state.maxAttempts}. Pass mark {quiz.state.passMark}%. Questions marked &ldquo;choose all that apply&rdquo;
                may have more than one right answer.
              </p>
              {quiz.next.presented.questions.map((question, i) => (
                <fieldset key={question.id} className="quiz-question">
                  <legend>
                    {i + 1}. {question.prompt}
                    {question.kind === "multiple" ? <span className="muted small"> (choose all that apply)</span> : null}
                  </legend>
                  {question.options.map((o) => (
                    <label key={o.id} className="quiz-option">
                      <input type={question.kind === "single" ? "radio" : "checkbox"} name={`q.${question.id}`} value={o.id} />
                      <span>{o.text}</span>
                    </label>
                  ))}
                </fieldset>
              ))}
              <button type="submit">Submit answers</button>
            </Form>
          ) : null}
        </section>
      ) : null}
      {a.status === "open" && !quizOpen ? (
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
