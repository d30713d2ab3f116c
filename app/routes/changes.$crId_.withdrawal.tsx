import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { now } from "~/clock.server";
import { SignatureForm, SignatureList } from "~/components/change-request";
import { Field, FormMessage, fieldErrors } from "~/components/form";
import { withNotice } from "~/components/notices";
import { utcMinuteLabel } from "~/components/time";
import { quire } from "~/context.server";
import { TransitionRefused } from "~/modules/change-control/change-control";
import { ChangeRequestError, rejectChange, withdrawChange } from "~/modules/change-control/change-control.server";
import { participantOf } from "~/modules/change-control/change-view.server";
import { signWithdrawal, withdrawalRequest } from "~/modules/change-control/withdrawal.server";
import { TYPE_LABELS } from "~/modules/content/document-types";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import type { Permission } from "~/modules/users/permissions";
import { formValues } from "~/modules/users/user-forms";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.cr.id} withdrawal of ${data.cr.docId} · Change requests · Quire` : "Change request not found · Quire" },
];

function notFound(id: string): Response {
  return new Response(`There is no withdrawal request ${id}.`, { status: 404, statusText: "Not Found" });
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "change.read");
  const q = await quire();
  const id = params.crId ?? "";
  const view = await withdrawalRequest(q, id, user);
  if (!view) throw notFound(id);
  return json({ ...view, printedName: user.displayName });
}

const Reason = (what: string) =>
  z
    .string({ error: `Give the reason for ${what}` })
    .trim()
    .min(5, `Give the reason for ${what} (at least 5 characters)`)
    .max(2000);

const WithdrawalAction = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("sign"),
      password: z.string({ error: "Re-enter your password to sign" }).min(1, "Re-enter your password to sign"),
      contentHash: z.string().regex(/^[0-9a-f]{64}$/, "The form lacks the content being signed: reload the page"),
    }),
    z.object({ intent: z.literal("reject"), reason: Reason("the rejection") }),
    z.object({ intent: z.literal("cancel"), reason: Reason("cancelling the request") }),
  ],
  { error: "Choose an action: sign, reject or cancel" },
);

/** Signing a step needs signing authority (the final step's quality approval is checked with the route); cancelling is the requester's. */
const INTENT_PERMISSION: Record<z.infer<typeof WithdrawalAction>["intent"], Permission> = {
  sign: "change.read",
  reject: "change.read",
  cancel: "document.withdraw",
};

export async function action({ params, request }: ActionFunctionArgs) {
  const values = formValues(await request.formData());
  const intent =
    typeof values.intent === "string" && Object.hasOwn(INTENT_PERMISSION, values.intent) ? (values.intent as keyof typeof INTENT_PERMISSION) : null;
  const user = await requireUser(request, intent ? INTENT_PERMISSION[intent] : "document.withdraw");
  const q = await quire();
  const id = params.crId ?? "";
  const view = await withdrawalRequest(q, id, user);
  if (!view) throw notFound(id);
  const parsed = WithdrawalAction.safeParse(values);
  if (!parsed.success) return json({ intent, errors: fieldErrors(parsed.error) }, { status: 400 });
  const form = parsed.data;
  const mayReview = user.permissions.includes("document.review");
  const mayApprove = user.permissions.includes("document.approve");
  if ((form.intent === "sign" || form.intent === "reject") && !mayReview && !mayApprove) {
    throw new Response("Signing or rejecting a withdrawal needs signing authority for documents.", { status: 403, statusText: "Forbidden" });
  }
  const at = now(q.config);
  try {
    const me = await participantOf(q, user);
    if (form.intent === "sign") {
      await verifySigner(q, user, form.password);
      const signed = await signWithdrawal(q, me, { mayReview, mayApprove }, id, at, form.contentHash);
      if (signed.final) return redirect(withNotice(`/documents/${view.cr.docId}/retire`, "document-retired"));
      return redirect(withNotice(`/changes/${id}/withdrawal`, "withdrawal-approved"));
    }
    if (form.intent === "reject") {
      if (!view.mayReject)
        return json({ intent, errors: { form: "Only an approver other than the requester rejects an open withdrawal request." } }, { status: 403 });
      await rejectChange(q, me, id, form.reason, at);
      return redirect(withNotice(`/changes/${id}/withdrawal`, "withdrawal-rejected"));
    }
    await withdrawChange(q, me, id, form.reason, at);
    return redirect(withNotice(`/changes/${id}/withdrawal`, "withdrawal-cancelled"));
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return json({ intent, errors: { password: error.message } }, { status: 400 });
    if (error instanceof TransitionRefused) return json({ intent, errors: { form: error.message } }, { status: 409 });
    if (error instanceof ChangeRequestError) return json({ intent, errors: { [error.field ?? "form"]: error.message } }, { status: 400 });
    throw error;
  }
}

export default function WithdrawalRequestPage() {
  const { cr, stateLabel, requesterName, subject, version, steps, signatures, closing, retirement, next, mayReject, mayCancel, printedName } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorFor = (intent: string, field: string) => (result?.intent === intent ? (result.errors as Record<string, string>)[field] : undefined);
  const formError = result ? (result.errors as Record<string, string>).form : undefined;
  return (
    <section className="change-request withdrawal-request" data-cr={cr.id} data-state={cr.state}>
      <p className="breadcrumb">
        <Link to="/changes">Change requests</Link> <span aria-hidden="true">/</span> {cr.id}
      </p>
      <div className="page-heading">
        <p className="doc-kicker">
          {cr.id} · withdrawal · {TYPE_LABELS[subject.type]}
        </p>
        <h1>
          Withdraw {cr.docId} {cr.title}
        </h1>
        <p>
          <span className={`badge badge-cr-${cr.state}`}>{stateLabel}</span>
        </p>
      </div>
      {formError ? <FormMessage error={formError} /> : null}
      <div className="review-layout">
        <div className="card stack">
          <dl className="review-facts">
            <dt>Requested by</dt>
            <dd>
              {requesterName}, {utcMinuteLabel(cr.createdAt)}
            </dd>
            <dt>Reason for withdrawal</dt>
            <dd>{cr.reason}</dd>
            <dt>Retired from</dt>
            <dd>{cr.proposedEffectiveDate}</dd>
            <dt>Version it ends</dt>
            <dd>
              {version ? (
                <>
                  <Link to={`/documents/${cr.docId}?version=${version.version}`}>{version.version}</Link>, effective since {version.effectiveFrom}
                </>
              ) : (
                cr.targetVersion
              )}
            </dd>
            {closing ? (
              <>
                <dt>{closing.kind}</dt>
                <dd>
                  {closing.by}, {utcMinuteLabel(closing.at)}: {closing.body}
                </dd>
              </>
            ) : null}
            {retirement ? (
              <>
                <dt>Retirement</dt>
                <dd>
                  Recorded: no version in force from {retirement.effectiveFrom}. <Link to={`/documents/${cr.docId}/retire`}>The retirement record</Link>
                </dd>
              </>
            ) : null}
          </dl>
          {subject.referencedBy.length > 0 && cr.state === "in-review" ? (
            <div className="banner banner-warning" role="status">
              <p>These documents in force refer to {cr.docId}; check them before approving (SOP-DC-001):</p>
              <ul>
                {subject.referencedBy.map((r) => (
                  <li key={r.docId}>
                    <Link to={`/documents/${r.docId}`}>{r.docId}</Link> {r.title}
                  </li>
                ))}
              </ul>
            </div>
          ) : cr.state === "in-review" ? (
            <p className="hint">No document in force refers to {cr.docId}.</p>
          ) : null}
          <h2>Approval route</h2>
          <ol className="approval-route">
            {steps.map((s) => (
              <li key={s.jobFunction} data-step={s.jobFunction} data-signed={s.signedBy ? "yes" : "no"}>
                <strong>{s.name}</strong> {s.final ? "(final approval: records the retirement)" : "(withdrawal approval)"}:{" "}
                {s.signedBy ? (
                  <>
                    signed by {s.signedBy}, {utcMinuteLabel(s.signedAt!)}
                  </>
                ) : (
                  <span className="muted">not signed yet</span>
                )}
              </li>
            ))}
          </ol>
          <SignatureList
            caption="Signatures on this withdrawal request (Part 11 §11.50)"
            signatures={signatures.map((s) => ({
              id: s.id,
              meaning: s.meaning,
              printedName: s.printedName,
              username: s.username,
              signedAt: s.signedAt,
              contentHash: s.contentHash,
              jobFunction: s.jobFunction ?? null,
            }))}
          />
        </div>
        <div className="stack">
          {next && version ? (
            next.blockers.length === 0 ? (
              <div className="card stack">
                <h2>{next.final ? "Give the final approval" : `Approve for ${next.name}`}</h2>
                <SignatureForm
                  intent="sign"
                  meaning={next.final ? "Retired" : "Withdrawal approval"}
                  printedName={printedName}
                  contentHash={version.contentHash}
                  button={next.final ? "Sign and retire" : "Sign the withdrawal approval"}
                  error={errorFor("sign", "password")}
                />
              </div>
            ) : (
              <div className="card">
                <h2>Next: {next.name}</h2>
                <ul className="blockers">
                  {next.blockers.map((b) => (
                    <li key={b}>{b}</li>
                  ))}
                </ul>
              </div>
            )
          ) : null}
          {mayReject ? (
            <Form method="post" className="card stack" aria-label="Reject the withdrawal request">
              <input type="hidden" name="intent" value="reject" />
              <h2>Reject</h2>
              <Field
                label="Reason for rejecting"
                name="reject-reason"
                error={errorFor("reject", "reason")}
                hint="The request is closed; the document stays in force."
              >
                <textarea id="reject-reason" name="reason" rows={2} required minLength={5} maxLength={2000} />
              </Field>
              <p>
                <button type="submit">Reject the request</button>
              </p>
            </Form>
          ) : null}
          {mayCancel ? (
            <Form method="post" className="card stack" aria-label="Cancel the withdrawal request">
              <input type="hidden" name="intent" value="cancel" />
              <h2>Cancel the request</h2>
              <Field label="Reason for cancelling" name="cancel-reason" error={errorFor("cancel", "reason")}>
                <textarea id="cancel-reason" name="reason" rows={2} required minLength={5} maxLength={2000} />
              </Field>
              <p>
                <button type="submit">Cancel the request</button>
              </p>
            </Form>
          ) : null}
        </div>
      </div>
    </section>
  );
}
