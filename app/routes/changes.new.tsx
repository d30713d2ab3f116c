import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";

import { now, today } from "~/clock.server";
import { DateInput } from "~/components/date-input";
import { ChoiceList, Field, FormMessage, fieldErrors, useFocusFirstError } from "~/components/form";
import { quire } from "~/context.server";
import { TransitionRefused } from "~/modules/change-control/change-control";
import { ChangeRequestError, openChangeRequest } from "~/modules/change-control/change-control.server";
import { parseNewChangeRequest } from "~/modules/change-control/change-forms";
import { participantOf } from "~/modules/change-control/change-view.server";
import { DOCUMENT_TYPES, TYPE_LABELS } from "~/modules/content/document-types";
import { listLibrary } from "~/modules/documents/library.server";
import { permissionsOf } from "~/modules/users/permissions";
import { formValues } from "~/modules/users/user-forms";
import { listUsers } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "New change request · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "document.author");
  const q = await quire();
  const on = today(q.config);
  const [library, users] = await Promise.all([listLibrary(q, on), listUsers(q.db)]);
  const url = new URL(request.url);
  return json({
    today: on,
    prefill: { docId: url.searchParams.get("doc") ?? "", reason: url.searchParams.get("reason") ?? "" },
    documents: library.map((d) => ({ id: d.id, title: d.title, version: d.version })),
    reviewers: users
      .filter((u) => u.active && u.id !== user.id && permissionsOf(u.roles).has("document.review"))
      .map((u) => ({ value: u.id, label: u.displayName, description: u.username })),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, "document.author");
  const q = await quire();
  const values = formValues(await request.formData(), ["reviewerIds"]);
  const parsed = parseNewChangeRequest(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  try {
    const id = await openChangeRequest(q, await participantOf(q, user), parsed.data, now(q.config));
    return redirect(`/changes/${id}/edit`);
  } catch (error) {
    if (error instanceof ChangeRequestError || error instanceof TransitionRefused) {
      const field = error instanceof ChangeRequestError && error.field ? error.field : "form";
      return json({ errors: { [field]: error.message }, values }, { status: 400 });
    }
    throw error;
  }
}

function text(value: string | string[] | undefined, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

export default function NewChangeRequest() {
  const { today: on, prefill, documents, reviewers } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: Record<string, string> = actionData?.errors ?? {};
  const values = actionData?.values ?? {};
  const [target, setTarget] = useState(text(values.target, "existing"));
  useFocusFirstError(actionData?.errors);
  const invalid = (name: string) => (errors[name] ? true : undefined);
  return (
    <section className="narrow-wide">
      <p className="breadcrumb">
        <Link to="/changes">Change requests</Link> <span aria-hidden="true">/</span> New
      </p>
      <h1>New change request</h1>
      <p className="muted">
        A change request records why a document changes. Quire numbers it, opens a draft branch for it in the content repository, and takes you to the editor.
      </p>
      <div className="card">
        {errors.form ? <FormMessage error={errors.form} /> : null}
        {Object.keys(errors).length > 0 && !errors.form ? <FormMessage error="The change request was not opened. Correct the fields marked below." /> : null}
        <Form method="post" className="stack" noValidate>
          <fieldset className="field">
            <legend>What changes</legend>
            <label className="choice">
              <input type="radio" name="target" value="existing" checked={target === "existing"} onChange={() => setTarget("existing")} /> A revision of an
              existing document
            </label>
            <label className="choice">
              <input type="radio" name="target" value="new" checked={target === "new"} onChange={() => setTarget("new")} /> A new document
            </label>
          </fieldset>
          <Field
            label="Document ID"
            name="docId"
            error={errors.docId}
            hint={target === "new" ? "The new document's id, e.g. SOP-QA-007: it can never be reused." : "The document to revise."}
          >
            <input
              id="docId"
              name="docId"
              list="document-ids"
              defaultValue={text(values.docId, prefill.docId)}
              required
              aria-invalid={invalid("docId")}
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
          <datalist id="document-ids">
            {documents.map((d) => (
              <option key={d.id} value={d.id}>
                {d.title} (v{d.version})
              </option>
            ))}
          </datalist>
          {target === "new" ? (
            <>
              <Field label="Title" name="title" error={errors.title}>
                <input id="title" name="title" defaultValue={text(values.title)} maxLength={120} aria-invalid={invalid("title")} />
              </Field>
              <Field label="Type" name="type" error={errors.type}>
                <select id="type" name="type" defaultValue={text(values.type, "sop")} aria-invalid={invalid("type")}>
                  {DOCUMENT_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {TYPE_LABELS[t]}
                    </option>
                  ))}
                </select>
              </Field>
            </>
          ) : null}
          <Field label="Reason for change" name="reason" error={errors.reason} hint="Printed on the revision history and in the approval commit.">
            <textarea id="reason" name="reason" rows={4} defaultValue={text(values.reason, prefill.reason)} required aria-invalid={invalid("reason")} />
          </Field>
          <fieldset className={`field${errors.revision ? " field-error" : ""}`}>
            <legend>Revision</legend>
            <label className="choice">
              <input type="radio" name="revision" value="major" defaultChecked={text(values.revision, "major") === "major"} /> Major (next whole version:
              content changes)
            </label>
            <label className="choice">
              <input type="radio" name="revision" value="minor" defaultChecked={text(values.revision) === "minor"} /> Minor (editorial: N.1, N.2 …)
            </label>
            {errors.revision ? (
              <p className="error" role="alert">
                {errors.revision}
              </p>
            ) : null}
          </fieldset>
          <fieldset className={`field${errors.retrainingRequired ? " field-error" : ""}`}>
            <legend>Retraining needed</legend>
            <label className="choice">
              <input type="radio" name="retrainingRequired" value="yes" defaultChecked={text(values.retrainingRequired, "yes") === "yes"} /> Yes: the audience
              must read and sign the new version
            </label>
            <label className="choice">
              <input type="radio" name="retrainingRequired" value="no" defaultChecked={text(values.retrainingRequired) === "no"} /> No
            </label>
            {errors.retrainingRequired ? (
              <p className="error" role="alert">
                {errors.retrainingRequired}
              </p>
            ) : null}
          </fieldset>
          <Field
            label="Proposed effective date"
            name="proposedEffectiveDate"
            error={errors.proposedEffectiveDate}
            hint="The approver sets the final effective date; it cannot be in the past."
          >
            <DateInput
              id="proposedEffectiveDate"
              name="proposedEffectiveDate"
              min={on}
              defaultValue={text(values.proposedEffectiveDate)}
              required
              aria-invalid={invalid("proposedEffectiveDate")}
            />
          </Field>
          <Field label="CAPA or deviation reference (optional)" name="capaRef" error={errors.capaRef}>
            <input id="capaRef" name="capaRef" defaultValue={text(values.capaRef)} maxLength={40} aria-invalid={invalid("capaRef")} />
          </Field>
          <ChoiceList
            legend="Reviewers"
            name="reviewerIds"
            choices={reviewers}
            checked={Array.isArray(values.reviewerIds) ? values.reviewerIds : []}
            error={errors.reviewerIds}
            hint="Each named reviewer must sign the final content as reviewed before approval. You cannot review your own change."
          />
          <div className="actions">
            <button type="submit" disabled={busy}>
              {busy ? "Opening…" : "Open change request"}
            </button>
            <Link to="/changes">Cancel</Link>
          </div>
        </Form>
      </div>
    </section>
  );
}
