import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";

import { now } from "~/clock.server";
import { ReasonForm, SignatureForm, SignatureList } from "~/components/change-request";
import { FormMessage, fieldErrors } from "~/components/form";
import { withNotice } from "~/components/notices";
import { utcMinuteLabel } from "~/components/time";
import { quire } from "~/context.server";
import { TransitionRefused } from "~/modules/change-control/change-control";
import { ChangeRequestError, rejectChange, withdrawChange } from "~/modules/change-control/change-control.server";
import { WITHDRAWAL_INTENT_PERMISSION, WithdrawalActionForm, isWithdrawalIntent } from "~/modules/change-control/change-forms";
import { participantOf } from "~/modules/change-control/change-view.server";
import { signWithdrawal, withdrawalRequest } from "~/modules/change-control/withdrawal.server";
import { TYPE_LABELS } from "~/modules/content/document-types";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
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

export async function action({ params, request }: ActionFunctionArgs) {
  const values = formValues(await request.formData());
  const intent = isWithdrawalIntent(values.intent) ? values.intent : null;
  const user = await requireUser(request, intent ? WITHDRAWAL_INTENT_PERMISSION[intent] : "document.withdraw");
  const q = await quire();
  const id = params.crId ?? "";
  const view = await withdrawalRequest(q, id, user);
  if (!view) throw notFound(id);
  const parsed = WithdrawalActionForm.safeParse(values);
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
          <SignatureList caption="Signatures on this withdrawal request (Part 11 §11.50)" signatures={signatures} />
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
            <ReasonForm
              intent="reject"
              title="Reject"
              label="Reason for rejecting"
              button="Reject the request"
              hint="The request is closed; the document stays in force."
              error={errorFor("reject", "reason")}
            />
          ) : null}
          {mayCancel ? (
            <ReasonForm
              intent="cancel"
              title="Cancel the request"
              label="Reason for cancelling"
              button="Cancel the request"
              error={errorFor("cancel", "reason")}
            />
          ) : null}
        </div>
      </div>
    </section>
  );
}
