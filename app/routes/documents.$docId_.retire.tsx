import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";

import { now } from "~/clock.server";
import { SignatureForm } from "~/components/change-request";
import { DateInput } from "~/components/date-input";
import { Field, FormMessage, fieldErrors, useFocusFirstError } from "~/components/form";
import { withNotice } from "~/components/notices";
import { StatusBadge } from "~/components/status-badge";
import { utcMinuteLabel } from "~/components/time";
import { participantOf } from "~/modules/change-control/change-view.server";
import { TYPE_LABELS } from "~/modules/content/document-types";
import { approverPage } from "~/modules/documents/approver-page.server";
import { RETIREMENT_REASON_MIN, retirementForm } from "~/modules/documents/periodic-review";
import { DocumentControlError, retireDocument, retirementSubject } from "~/modules/documents/retirement.server";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import { formValues } from "~/modules/users/user-forms";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Retire ${data.docId} · Quire` : "Document not found · Quire" }];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const { user, on, subject } = await approverPage(request, params, retirementSubject);
  // A retirement ends the newest version (a later-dated version blocks it), so that is what is signed.
  const newest = subject.versions[0]?.version ?? null;
  return json({
    on,
    docId: subject.docId,
    type: subject.type,
    title: subject.title,
    current: subject.current ? { version: subject.current.version.version, effectiveFrom: subject.current.version.effectiveFrom } : null,
    signed: newest ? { version: newest.version, contentHash: newest.contentHash, effectiveFrom: newest.effectiveFrom } : null,
    retirement: subject.retirement,
    openChanges: subject.openChanges,
    referencedBy: subject.referencedBy,
    printedName: user.displayName,
  });
}

interface ActionResult {
  errors: Record<string, string>;
  values: { reason: string; effectiveFrom: string };
}

function refused(errors: Record<string, string>, values: ActionResult["values"]) {
  return json<ActionResult>({ errors, values }, { status: 400 });
}

export async function action({ params, request }: ActionFunctionArgs) {
  const { user, q, id, on } = await approverPage(request, params, retirementSubject);
  const values = formValues(await request.formData());
  const typed = {
    reason: typeof values.reason === "string" ? values.reason : "",
    effectiveFrom: typeof values.effectiveFrom === "string" ? values.effectiveFrom : "",
  };
  const parsed = retirementForm(on).safeParse(values);
  if (!parsed.success) return refused(fieldErrors(parsed.error), typed);
  const { reason, effectiveFrom, password } = parsed.data;
  try {
    await verifySigner(q, user, password);
    const signer = await participantOf(q, user);
    await retireDocument(q, signer, id, { reason, effectiveFrom }, now(q.config));
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return refused({ password: error.message }, typed);
    if (error instanceof DocumentControlError) return refused({ [error.field ?? "form"]: error.message }, typed);
    throw error;
  }
  return redirect(withNotice(`/documents/${id}/retire`, "document-retired"));
}

export default function RetireDocument() {
  const { on, docId, type, title, current, signed, retirement, openChanges, referencedBy, printedName } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  useFocusFirstError(actionData?.errors);
  const blocked = retirement !== null || openChanges.length > 0 || signed === null;

  return (
    <section className="retire-document">
      <p className="breadcrumb">
        <Link to={`/documents/${docId}`}>{docId}</Link> <span aria-hidden="true">/</span> Retire
      </p>
      <div className="page-heading">
        <p className="doc-kicker">
          {TYPE_LABELS[type]} · {docId}
        </p>
        <h1>Retire {title}</h1>
        <p className="muted">
          From the retirement date no version of {docId} is in force: the document stays in Quire, read-only, with its versions, signatures and history.{" "}
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
            <dt>Signed by</dt>
            <dd>
              {retirement.printedName} <span className="muted small">({retirement.username})</span>, {utcMinuteLabel(retirement.retiredAt)}, meaning
              &ldquo;Retired&rdquo;
            </dd>
            <dt>Content SHA-256</dt>
            <dd className="hash" title={retirement.contentHash}>
              {retirement.contentHash.slice(0, 16)}…
            </dd>
          </dl>
        </div>
      ) : (
        <div className="review-layout">
          <div className="card">
            <h2>Before retiring</h2>
            <dl className="review-facts">
              <dt>Version in force</dt>
              <dd>{current ? `${current.version}, effective since ${current.effectiveFrom}` : `none on ${on}`}</dd>
            </dl>
            {openChanges.length > 0 ? (
              <div className="banner banner-error" role="alert">
                <p>{docId} has an open change request. Withdraw it or finish it before retiring the document:</p>
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

          {!blocked && signed ? (
            <div className="card stack">
              <h2>Sign the retirement</h2>
              <SignatureForm
                intent="retire"
                meaning="Retired"
                printedName={printedName}
                contentHash={signed.contentHash}
                button="Sign and retire"
                error={errors.password}
              >
                <Field
                  label="Reason for retirement"
                  name="reason"
                  error={errors.reason}
                  hint={`Recorded with the signature and in the audit trail (at least ${RETIREMENT_REASON_MIN} characters).`}
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
                  hint={`Today (${on}) or later. Version ${signed.version} stays in force until the day before.`}
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
              </SignatureForm>
            </div>
          ) : null}
        </div>
      )}
    </section>
  );
}
