import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";

import { now } from "~/clock.server";
import { DateInput } from "~/components/date-input";
import { Field, FormMessage, fieldErrors, useFocusFirstError } from "~/components/form";
import { StatusBadge } from "~/components/status-badge";
import { utcMinuteLabel } from "~/components/time";
import { participantOf } from "~/modules/change-control/change-view.server";
import { latestWithdrawalOf, openWithdrawal } from "~/modules/change-control/withdrawal.server";
import { TYPE_LABELS } from "~/modules/content/document-types";
import { RETIREMENT_REASON_MIN, withdrawalRequestForm } from "~/modules/documents/periodic-review";
import { DocumentControlError, retirementSubject } from "~/modules/documents/retirement.server";
import { formValues } from "~/modules/users/user-forms";
import { approverPage } from "~/web/approver-page.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Withdraw ${data.docId} · Quire` : "Document not found · Quire" }];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const { user, q, on, subject } = await approverPage(request, params, retirementSubject, "change.read");
  // A retirement ends the newest version (a later-dated version blocks it), so that is what is signed.
  const newest = subject.versions[0]?.version ?? null;
  return json({
    mayRequest: user.permissions.includes("document.withdraw"),
    withdrawal: await latestWithdrawalOf(q.db, subject.docId),
    on,
    docId: subject.docId,
    type: subject.type,
    title: subject.title,
    current: subject.current ? { version: subject.current.version.version, effectiveFrom: subject.current.version.effectiveFrom } : null,
    signed: newest ? { version: newest.version, contentHash: newest.contentHash, effectiveFrom: newest.effectiveFrom } : null,
    retirement: subject.retirement,
    openChanges: subject.openChanges,
    referencedBy: subject.referencedBy,
  });
}

interface ActionResult {
  errors: Record<string, string>;
  values: { reason: string; effectiveFrom: string };
}

function refused(errors: Record<string, string>, values: ActionResult["values"]) {
  return json<ActionResult>({ errors, values }, { status: 400 });
}

/**
 * The document controller raises a withdrawal request (SOP-DC-001, "Withdraw obsolete documents"); the
 * owner function and the quality manager then sign it on the request's page, which records the retirement.
 */
export async function action({ params, request }: ActionFunctionArgs) {
  const { user, q, id, on } = await approverPage(request, params, retirementSubject, "document.withdraw");
  const values = formValues(await request.formData());
  const typed = {
    reason: typeof values.reason === "string" ? values.reason : "",
    effectiveFrom: typeof values.effectiveFrom === "string" ? values.effectiveFrom : "",
  };
  const parsed = withdrawalRequestForm(on).safeParse(values);
  if (!parsed.success) return refused(fieldErrors(parsed.error), typed);
  let crId: string;
  try {
    crId = await openWithdrawal(q, await participantOf(q, user), id, parsed.data, now(q.config));
  } catch (error) {
    if (error instanceof DocumentControlError) return refused({ [error.field ?? "form"]: error.message }, typed);
    throw error;
  }
  return redirect(`/changes/${crId}/withdrawal?notice=withdrawal-requested`);
}

export default function WithdrawDocument() {
  const { on, docId, type, title, current, signed, retirement, openChanges, referencedBy, mayRequest, withdrawal } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  useFocusFirstError(actionData?.errors);
  const openWithdrawal = openChanges.find((c) => c.kind === "withdrawal");
  const blocked = retirement !== null || openChanges.length > 0 || signed === null;

  return (
    <section className="retire-document">
      <p className="breadcrumb">
        <Link to={`/documents/${docId}`}>{docId}</Link> <span aria-hidden="true">/</span> Withdraw
      </p>
      <div className="page-heading">
        <p className="doc-kicker">
          {TYPE_LABELS[type]} · {docId}
        </p>
        <h1>Withdraw {title}</h1>
        <p className="muted">
          A document no longer needed is withdrawn through a change request approved by its owner function and the quality manager (SOP-DC-001). From the
          retirement date no version of {docId} is in force: the document stays in Quire, read-only, with its versions, signatures and history.{" "}
          <Link to={`/documents/${docId}/history`}>History</Link>
        </p>
      </div>

      {errors.form ? <FormMessage error={errors.form} /> : null}

      {retirement ? (
        <div className="card">
          <h2>Retired</h2>
          <dl className="review-facts">
            <dt>Status</dt>
            <dd>{retirement.effectiveFrom <= on ? <StatusBadge status="retired" /> : <>Retiring; version {current?.version ?? "–"} in force until then</>}</dd>
            <dt>Retired from</dt>
            <dd>{retirement.effectiveFrom}</dd>
            <dt>Reason</dt>
            <dd>{retirement.reason}</dd>
            <dt>Version retired</dt>
            <dd>{retirement.version ?? "–"}</dd>
            <dt>Final approval</dt>
            <dd>
              {retirement.printedName} <span className="muted small">({retirement.username})</span>, {utcMinuteLabel(retirement.retiredAt)}, meaning
              &ldquo;Retired&rdquo;
            </dd>
            {withdrawal ? (
              <>
                <dt>Change request</dt>
                <dd>
                  <Link to={`/changes/${withdrawal}/withdrawal`}>{withdrawal}</Link> (the request and every approval)
                </dd>
              </>
            ) : null}
            <dt>Content SHA-256</dt>
            <dd className="hash" title={retirement.contentHash}>
              {retirement.contentHash.slice(0, 16)}…
            </dd>
          </dl>
        </div>
      ) : (
        <div className="review-layout">
          <div className="card">
            <h2>Before withdrawing</h2>
            <dl className="review-facts">
              <dt>Version in force</dt>
              <dd>{current ? `${current.version}, effective since ${current.effectiveFrom}` : `none on ${on}`}</dd>
            </dl>
            {openWithdrawal ? (
              <div className="banner banner-info" role="status">
                <p>
                  The withdrawal request <Link to={`/changes/${openWithdrawal.id}/withdrawal`}>{openWithdrawal.id}</Link> is waiting for its approvals.
                </p>
              </div>
            ) : openChanges.length > 0 ? (
              <div className="banner banner-error" role="alert">
                <p>{docId} has an open change request. Withdraw it or finish it before withdrawing the document:</p>
                <ul>
                  {openChanges.map((c) => (
                    <li key={c.id}>
                      <Link to={`/changes/${c.id}`}>{c.id}</Link> ({c.state === "draft" ? "Draft" : "In review"})
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            {referencedBy.length > 0 ? (
              <div className="banner banner-warning" role="status">
                <p>These documents in force refer to {docId}; check them (SOP-DC-001) and change them if needed:</p>
                <ul>
                  {referencedBy.map((r) => (
                    <li key={r.docId}>
                      <Link to={`/documents/${r.docId}`}>{r.docId}</Link> {r.title}
                    </li>
                  ))}
                </ul>
              </div>
            ) : (
              <p className="hint">No document in force refers to {docId}.</p>
            )}
          </div>

          {!blocked && signed && mayRequest ? (
            <div className="card stack">
              <h2>Request the withdrawal</h2>
              <p className="hint">
                Opens a change request. The owner function approves it, then a quality manager gives the final approval, which records the retirement.
              </p>
              <Form method="post" className="stack" aria-label="Request the withdrawal">
                <Field
                  label="Reason for withdrawal"
                  name="reason"
                  error={errors.reason}
                  hint={`Recorded with the request, its signatures and the audit trail (at least ${RETIREMENT_REASON_MIN} characters).`}
                >
                  <textarea
                    id="reason"
                    name="reason"
                    rows={3}
                    required
                    minLength={RETIREMENT_REASON_MIN}
                    maxLength={2000}
                    defaultValue={actionData?.values.reason ?? ""}
                    aria-invalid={errors.reason ? true : undefined}
                  />
                </Field>
                <Field
                  label="Retired from"
                  name="effectiveFrom"
                  error={errors.effectiveFrom}
                  hint={`Today (${on}) or later, and not before the approvals are given. Version ${signed.version} stays in force until the day before.`}
                >
                  <DateInput
                    id="effectiveFrom"
                    name="effectiveFrom"
                    required
                    min={on}
                    defaultValue={actionData?.values.effectiveFrom ?? on}
                    aria-invalid={errors.effectiveFrom ? true : undefined}
                  />
                </Field>
                <p>
                  <button type="submit" className="button primary">
                    Request withdrawal
                  </button>
                </p>
              </Form>
            </div>
          ) : null}
        </div>
      )}
    </section>
  );
}
