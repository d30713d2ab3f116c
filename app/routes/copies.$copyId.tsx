import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";

import { now, today } from "~/clock.server";
import { SignatureForm } from "~/components/change-request";
import { CopyStatusBadge } from "~/components/copies";
import { DateInput } from "~/components/date-input";
import { Field, FormMessage, useFocusFirstError, fieldErrors } from "~/components/form";
import { quire } from "~/context.server";
import { RecallForm } from "~/modules/copies/copies";
import { CopyRefused, recordRecall } from "~/modules/copies/copies.server";
import { getCopy } from "~/modules/copies/register.server";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import { formValues } from "~/modules/users/user-forms";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.copy.copyId} · Controlled copy · Quire` : "Controlled copy · Quire" }];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "copies.read");
  const q = await quire();
  const on = today(q.config);
  const copy = await getCopy(q.db, params.copyId ?? "", on);
  if (!copy) throw new Response(`There is no controlled copy ${params.copyId ?? ""}.`, { status: 404, statusText: "Not Found" });
  return json({ on, copy, canRecall: user.permissions.includes("copies.issue"), printedName: user.displayName });
}

type Errors = Record<string, string>;

/** POST: close the copy by a signed record of its return or destruction ("Controlled copy recalled"). */
export async function action({ params, request }: ActionFunctionArgs) {
  const user = await requireUser(request, "copies.issue");
  const q = await quire();
  const copyId = params.copyId ?? "";
  const parsed = RecallForm.safeParse(formValues(await request.formData()));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const { password, ...f } = parsed.data;
  try {
    const signer = await verifySigner(q, user, password);
    await recordRecall(q.db, signer, { copyId, ...f }, today(q.config), now(q.config));
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return json({ errors: { password: error.message } as Errors }, { status: 400 });
    if (error instanceof CopyRefused) return json({ errors: { [error.field ?? "form"]: error.message } as Errors }, { status: 409 });
    throw error;
  }
  return redirect(`/copies/${encodeURIComponent(copyId)}`);
}

export default function ControlledCopy() {
  const { on, copy, canRecall, printedName } = useLoaderData<typeof loader>();
  const errors: Errors = useActionData<typeof action>()?.errors ?? {};
  useFocusFirstError(errors);
  return (
    <section className="controlled-copy">
      <p className="breadcrumb">
        <Link to="/copies">Copy register</Link> <span aria-hidden="true">/</span> {copy.copyId}
      </p>
      <h1>
        Controlled copy {copy.copyId} <CopyStatusBadge status={copy.status} />
      </h1>
      {copy.status === "to-recall" ? (
        <p className="banner banner-warning" role="status">
          <strong>To recall:</strong> {copy.docId} v{copy.version} is {copy.versionStatus} on {on}. Retrieve this copy from {copy.recipient} ({copy.location})
          or confirm its destruction, then record it below.
        </p>
      ) : null}
      <dl className="facts">
        <dt>Document</dt>
        <dd>
          <Link to={`/documents/${copy.docId}?version=${copy.version}`}>
            {copy.docId} v{copy.version}
          </Link>{" "}
          ({copy.versionStatus} on {on})
        </dd>
        <dt>Recipient</dt>
        <dd>{copy.recipient}</dd>
        <dt>Location or site</dt>
        <dd>{copy.location}</dd>
        <dt>Reason</dt>
        <dd>{copy.reason}</dd>
        <dt>Issued</dt>
        <dd>
          {copy.issuedAt.replace("T", " ").slice(0, 19)} UTC, signed by {copy.issuedByName} ({copy.issuedBy})
        </dd>
        <dt>File SHA-256</dt>
        <dd className="hash">{copy.sha256}</dd>
        <dt>Pages</dt>
        <dd>{copy.pages}</dd>
        {copy.recall ? (
          <>
            <dt>Closed</dt>
            <dd>
              {copy.recall.outcome === "returned" ? "Returned" : "Destroyed"} on {copy.recall.closedOn}; recorded{" "}
              {copy.recall.recordedAt.replace("T", " ").slice(0, 19)} UTC, signed by {copy.recall.recordedByName}
              {copy.recall.note ? `: ${copy.recall.note}` : ""}
            </dd>
          </>
        ) : null}
      </dl>
      <p className="download-pdf">
        <a href={`/copies/${copy.copyId}/pdf`} download>
          Download the copy (PDF)
        </a>{" "}
        <span className="muted small">rendered again and checked against the SHA-256 above</span>
      </p>
      {canRecall && !copy.recall ? (
        <>
          <h2>Record its return or destruction</h2>
          {errors.form ? <FormMessage error={errors.form} /> : null}
          <SignatureForm
            intent="recall"
            meaning="Controlled copy recalled"
            printedName={printedName}
            contentHash={null}
            button="Sign and close the copy"
            error={errors.password}
          >
            <fieldset className={`field choice-field${errors.outcome ? " field-error" : ""}`}>
              <legend>Outcome</legend>
              <label className="choice">
                <input type="radio" name="outcome" value="returned" defaultChecked /> Returned to the document controller
              </label>
              <label className="choice">
                <input type="radio" name="outcome" value="destroyed" /> Destroyed (confirmed by the recipient)
              </label>
              {errors.outcome ? (
                <p className="error" role="alert">
                  {errors.outcome}
                </p>
              ) : null}
            </fieldset>
            <Field label="Date returned or destroyed" name="closedOn" error={errors.closedOn}>
              <DateInput id="closedOn" name="closedOn" max={on} defaultValue={on} required />
            </Field>
            <Field label="Note (optional)" name="note" error={errors.note}>
              <textarea id="note" name="note" rows={2} maxLength={1000} />
            </Field>
          </SignatureForm>
        </>
      ) : null}
    </section>
  );
}
