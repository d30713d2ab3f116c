import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";

import { now, today } from "~/clock.server";
import { SignatureForm } from "~/components/change-request";
import { Field, FormMessage, useFocusFirstError, fieldErrors } from "~/components/form";
import { quire } from "~/context.server";
import { IssueForm, MAX_COPIES_PER_ISSUE, versionToIssue } from "~/modules/copies/copies";
import { CopyRefused, issuableVersions, issueCopies } from "~/modules/copies/copies.server";
import { STATUS_LABELS } from "~/modules/pdf/pdf";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import { formValues } from "~/modules/users/user-forms";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Issue controlled copies of ${data.docId} · Quire` : "Issue controlled copies · Quire" },
];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "copies.issue");
  const q = await quire();
  const docId = params.docId ?? "";
  // The versions copies may be issued of today: approved (ahead of their date) or in force.
  const versions = await issuableVersions(q, docId, today(q.config));
  if (!versions) throw new Response(`There is no controlled document ${docId}.`, { status: 404, statusText: "Not Found" });
  return json({ docId, versions, printedName: user.displayName });
}

type Errors = Record<string, string>;

/** POST: issue the copies and sign (Part 11 §11.200(a): the password is re-entered for this signature). */
export async function action({ params, request }: ActionFunctionArgs) {
  const user = await requireUser(request, "copies.issue");
  const q = await quire();
  const docId = params.docId ?? "";
  const parsed = IssueForm.safeParse(formValues(await request.formData()));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const { password, ...f } = parsed.data;
  try {
    const signer = await verifySigner(q, user, password);
    await issueCopies(q, signer, { docId, ...f }, now(q.config));
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return json({ errors: { password: error.message } as Errors }, { status: 400 });
    if (error instanceof CopyRefused) return json({ errors: { [error.field ?? "form"]: error.message } as Errors }, { status: 409 });
    throw error;
  }
  return redirect(`/copies?doc=${encodeURIComponent(docId)}`);
}

export default function IssueCopies() {
  const { docId, versions, printedName } = useLoaderData<typeof loader>();
  const errors: Errors = useActionData<typeof action>()?.errors ?? {};
  useFocusFirstError(errors);
  const inForce = versionToIssue(versions);
  return (
    <section className="issue-copies">
      <p className="breadcrumb">
        <Link to={`/documents/${docId}`}>{docId}</Link> <span aria-hidden="true">/</span> issue controlled copies
      </p>
      <h1>Issue controlled copies of {docId}</h1>
      <p className="hint">
        SOP-DC-001: where a controlled paper copy is needed (for example at a site without system access), issue numbered copies and record the recipient. Each
        copy is a PDF with its number in the footer, kept in the <Link to="/copies">copy register</Link> with its SHA-256. When the version is superseded or
        retired, its copies appear there as to recall.
      </p>
      {errors.form ? <FormMessage error={errors.form} /> : null}
      {versions.length === 0 ? (
        <p className="banner banner-warning">No version of {docId} is approved or in force today: there is nothing to issue.</p>
      ) : (
        <SignatureForm
          intent="issue"
          meaning="Controlled copy issued"
          printedName={printedName}
          contentHash={null}
          button="Sign and issue the copies"
          error={errors.password}
        >
          <Field label="Version" name="version" error={errors.version}>
            <select id="version" name="version" defaultValue={inForce?.version}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} · {STATUS_LABELS[v.status]} (from {v.effectiveFrom})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Recipient (name)" name="recipient" error={errors.recipient}>
            <input id="recipient" name="recipient" required maxLength={200} autoComplete="off" />
          </Field>
          <Field label="Location or site" name="location" error={errors.location}>
            <input id="location" name="location" required maxLength={200} />
          </Field>
          <Field label="Reason" name="reason" error={errors.reason}>
            <textarea id="reason" name="reason" rows={2} required maxLength={500} />
          </Field>
          <Field label={`Number of copies (1-${MAX_COPIES_PER_ISSUE})`} name="copies" error={errors.copies}>
            <input id="copies" name="copies" type="number" min={1} max={MAX_COPIES_PER_ISSUE} defaultValue={1} required />
          </Field>
        </SignatureForm>
      )}
    </section>
  );
}
