import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";

import { now } from "~/clock.server";
import { SignatureForm } from "~/components/change-request";
import { Field, FormMessage, fieldErrors, useFocusFirstError } from "~/components/form";
import { withNotice } from "~/components/notices";
import { StatusBadge } from "~/components/status-badge";
import { utcMinute } from "~/components/time";
import { participantOf } from "~/modules/change-control/change-view.server";
import { TYPE_LABELS } from "~/modules/content/document-types";
import { PeriodicReviewForm, REVIEW_DUE_WINDOW_DAYS, REVIEW_STATUS_LABELS } from "~/modules/documents/periodic-review";
import { recordPeriodicReview, reviewSubject } from "~/modules/documents/periodic-review.server";
import { DocumentControlError } from "~/modules/documents/retirement.server";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import { formValues } from "~/modules/users/user-forms";
import { approverPage } from "~/web/approver-page.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Periodic review of ${data.docId} · Quire` : "Document not found · Quire" }];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const { user, on, subject } = await approverPage(request, params, reviewSubject);
  const v = subject.current?.version ?? null;
  return json({
    on,
    docId: subject.docId,
    type: subject.type,
    title: subject.title,
    current: v
      ? { version: v.version, effectiveFrom: v.effectiveFrom, contentHash: v.contentHash, commit: v.commit, intervalMonths: v.frontmatter.reviewIntervalMonths }
      : null,
    retirement: subject.retirement ? { effectiveFrom: subject.retirement.effectiveFrom, reason: subject.retirement.reason } : null,
    lastReviewedOn: subject.lastReviewedOn,
    schedule: subject.schedule,
    reviews: subject.reviews,
    printedName: user.displayName,
  });
}

interface ActionResult {
  errors: Record<string, string>;
  comment: string;
}

function refused(errors: Record<string, string>, comment: string) {
  return json<ActionResult>({ errors, comment }, { status: 400 });
}

export async function action({ params, request }: ActionFunctionArgs) {
  const { user, q, id, subject } = await approverPage(request, params, reviewSubject);
  const values = formValues(await request.formData());
  const comment = typeof values.comment === "string" ? values.comment : "";
  const parsed = PeriodicReviewForm.safeParse(values);
  if (!parsed.success) return refused(fieldErrors(parsed.error), comment);
  // Refusals that need no signature come before the password, so nobody spends an attempt on them.
  if (subject.retirement)
    return refused({ form: `${id} is retired from ${subject.retirement.effectiveFrom}: a retired document has no periodic review.` }, comment);
  if (!subject.current) return refused({ form: `No version of ${id} is in force today, so there is nothing to review yet.` }, comment);
  try {
    await verifySigner(q, user, parsed.data.password);
    const signer = await participantOf(q, user);
    await recordPeriodicReview(q, signer, id, { outcome: "no-change", comment: parsed.data.comment }, now(q.config));
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return refused({ password: error.message }, comment);
    if (error instanceof DocumentControlError) return refused({ [error.field ?? "form"]: error.message }, comment);
    throw error;
  }
  return redirect(withNotice(`/documents/${id}/review`, "periodic-review-signed"));
}

export default function PeriodicReview() {
  const { on, docId, type, title, current, retirement, lastReviewedOn, schedule, reviews, printedName } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  useFocusFirstError(actionData?.errors);
  const changeRequestLink = `/changes/new?doc=${encodeURIComponent(docId)}&reason=${encodeURIComponent("Periodic review")}`;

  return (
    <section className="periodic-review">
      <p className="breadcrumb">
        <Link to="/reviews">Periodic reviews</Link> <span aria-hidden="true">/</span> {docId}
      </p>
      <div className="page-heading">
        <p className="doc-kicker">
          {TYPE_LABELS[type]} · {docId}
        </p>
        <h1>Periodic review of {title}</h1>
        <p className="muted">
          <Link to={`/documents/${docId}`}>Read the document</Link> · <Link to={`/documents/${docId}/history`}>History</Link>
        </p>
      </div>

      {errors.form ? <FormMessage error={errors.form} /> : null}

      <div className="review-layout">
        <div className="card">
          <h2>Version in force</h2>
          {current ? (
            <dl className="review-facts">
              <dt>Version</dt>
              <dd>
                {current.version} <StatusBadge status="effective" />
              </dd>
              <dt>Effective since</dt>
              <dd>{current.effectiveFrom}</dd>
              <dt>Review interval</dt>
              <dd>{current.intervalMonths} months</dd>
              <dt>Last &ldquo;no change&rdquo; review</dt>
              <dd>{lastReviewedOn ?? "none yet"}</dd>
              <dt>Next review</dt>
              <dd>
                {schedule ? (
                  <>
                    <span className={schedule.status === "overdue" ? "overdue" : undefined}>{schedule.nextReview}</span>{" "}
                    <span className={`badge badge-review-${schedule.status}`}>{REVIEW_STATUS_LABELS[schedule.status]}</span>
                    <span className="muted small">
                      {" "}
                      {schedule.daysLeft < 0 ? `${-schedule.daysLeft} days overdue` : `${schedule.daysLeft} days left`} on {on}
                    </span>
                  </>
                ) : (
                  "–"
                )}
              </dd>
              <dt>Content SHA-256</dt>
              <dd className="hash" title={current.contentHash}>
                {current.contentHash.slice(0, 16)}…
              </dd>
            </dl>
          ) : (
            <p className="muted">
              No version of {docId} is in force on {on}.
            </p>
          )}
          {retirement ? (
            <p className="banner banner-warning" role="status">
              Retired from {retirement.effectiveFrom}: a retired document has no periodic review. Reason: {retirement.reason}
            </p>
          ) : null}
        </div>

        {current && !retirement ? (
          <div className="card stack">
            <h2>Record the review</h2>
            <p className="hint">
              A review is due from {REVIEW_DUE_WINDOW_DAYS} days before its date. Sign below if the document is still accurate, necessary and compliant: the
              review interval restarts from today and the version stays {current.version}.
            </p>
            <SignatureForm
              intent="periodic-review"
              meaning="Periodic review"
              printedName={printedName}
              contentHash={current.contentHash}
              button="Sign: no change needed"
              error={errors.password}
            >
              <input type="hidden" name="outcome" value="no-change" />
              <Field label="Comment (optional)" name="comment" error={errors.comment} hint="Kept with the review record, e.g. what was checked.">
                <textarea id="comment" name="comment" rows={3} maxLength={2000} defaultValue={actionData?.comment ?? ""} />
              </Field>
            </SignatureForm>
            <div className="review-alternative">
              <h3>Change needed?</h3>
              <p className="hint">
                If the document needs revising, open a change request instead: nothing is signed here, and the review is complete when the revised version is
                approved.
              </p>
              <p>
                <Link className="button secondary" to={changeRequestLink}>
                  Open a change request instead
                </Link>{" "}
                <Link to={`/documents/${docId}/retire`}>Withdraw the document</Link>
              </p>
            </div>
          </div>
        ) : null}
      </div>

      <section className="card review-history" aria-labelledby="reviews-heading">
        <h2 id="reviews-heading">Periodic reviews of {docId}</h2>
        {reviews.length === 0 ? (
          <p className="muted">No periodic review has been recorded yet.</p>
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Reviewed on</th>
                <th scope="col">Version</th>
                <th scope="col">Outcome</th>
                <th scope="col">Signed by</th>
                <th scope="col">Signed (UTC)</th>
                <th scope="col">Content SHA-256</th>
                <th scope="col">Comment</th>
              </tr>
            </thead>
            <tbody>
              {reviews.map((r) => (
                <tr key={r.id} data-review-id={r.id}>
                  <td className="nowrap">{r.reviewedOn}</td>
                  <td>{r.version}</td>
                  <td>{r.outcome === "no-change" ? "No change needed" : r.crId ? `Change request ${r.crId}` : "Change request"}</td>
                  <td>
                    {r.printedName ?? "–"} {r.username ? <span className="muted small">({r.username})</span> : null}
                  </td>
                  <td className="nowrap">{r.signedAt ? utcMinute(r.signedAt) : "–"}</td>
                  <td className="mono small" title={r.contentHash ?? undefined}>
                    {r.contentHash ? `${r.contentHash.slice(0, 12)}…` : "–"}
                  </td>
                  <td>{r.comment ?? <span className="muted">–</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}
