import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";

import { now, today } from "~/clock.server";
import { DateInput } from "~/components/date-input";
import { Field, FormMessage, fieldErrors, useFocusFirstError } from "~/components/form";
import { quire } from "~/context.server";
import { ACTION_KINDS, ACTION_KIND_LABELS, ACTION_SOURCES, ACTION_SOURCE_LABELS, NewActionForm, type ActionSource } from "~/modules/actions/actions";
import { ActionRefused, createAction, possibleOwners } from "~/modules/actions/actions.server";
import { formValues } from "~/modules/users/user-forms";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "New action or CAPA · Quire" }];

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** GET /actions/new: `?source=kpi&kpi=<id>&period=YYYY-MM` (and `kind=capa`) prefill the form, as the KPI dashboard links it. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "actions.manage");
  const q = await quire();
  const url = new URL(request.url);
  const get = (key: string) => url.searchParams.get(key);
  return json({
    today: today(q.config),
    owners: await possibleOwners(q.db),
    prefill: {
      kind: oneOf(get("kind"), ACTION_KINDS, "action"),
      source: oneOf(get("source"), ACTION_SOURCES, "kpi"),
      kpiId: get("kpi") ?? "",
      period: get("period") ?? "",
      sourceRef: get("ref") ?? "",
    },
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, "actions.manage");
  const q = await quire();
  const values = formValues(await request.formData());
  const parsed = NewActionForm.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const f = parsed.data;
  try {
    const id = await createAction(
      q.db,
      { userId: user.id, username: user.username, clientAddress: user.clientAddress },
      { ...f, kpiId: f.source === "kpi" ? f.kpiId : null, period: f.source === "kpi" ? f.period : null },
      today(q.config),
      now(q.config),
    );
    return redirect(`/actions/${id}`);
  } catch (error) {
    if (error instanceof ActionRefused) return json({ errors: { [error.field ?? "form"]: error.message }, values }, { status: 400 });
    throw error;
  }
}

function text(value: string | string[] | undefined, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

export default function NewAction() {
  const { today: on, owners, prefill } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: Record<string, string> = actionData?.errors ?? {};
  const values = actionData?.values ?? {};
  const [source, setSource] = useState<ActionSource>(oneOf(text(values.source, prefill.source), ACTION_SOURCES, "kpi"));
  useFocusFirstError(actionData?.errors);
  const invalid = (name: string) => (errors[name] ? true : undefined);
  return (
    <section className="narrow-wide">
      <p className="breadcrumb">
        <Link to="/actions">Actions and CAPAs</Link> <span aria-hidden="true">/</span> New
      </p>
      <h1>New action or CAPA</h1>
      <p className="muted">Quire numbers the item (ACT-0001, CAPA-0001) and tracks it until it is closed with evidence of completion.</p>
      <div className="card">
        {errors.form ? <FormMessage error={errors.form} /> : null}
        {Object.keys(errors).length > 0 && !errors.form ? <FormMessage error="Nothing was recorded. Correct the fields marked below." /> : null}
        <Form method="post" className="stack" noValidate>
          <fieldset className={`field${errors.kind ? " field-error" : ""}`}>
            <legend>Kind</legend>
            {ACTION_KINDS.map((k) => (
              <label key={k} className="choice">
                <input type="radio" name="kind" value={k} defaultChecked={text(values.kind, prefill.kind) === k} />{" "}
                {k === "capa" ? "CAPA: a corrective or preventive action investigated to root cause (SOP-CA-001)" : ACTION_KIND_LABELS[k]}
              </label>
            ))}
            {errors.kind ? (
              <p className="error" role="alert">
                {errors.kind}
              </p>
            ) : null}
          </fieldset>
          <Field label="Source" name="source" error={errors.source}>
            <select
              id="source"
              name="source"
              value={source}
              onChange={(e) => setSource(e.currentTarget.value as ActionSource)}
              aria-invalid={invalid("source")}
            >
              {ACTION_SOURCES.map((s) => (
                <option key={s} value={s}>
                  {ACTION_SOURCE_LABELS[s]}
                </option>
              ))}
            </select>
          </Field>
          {source === "kpi" ? (
            <>
              <Field label="KPI" name="kpiId" error={errors.kpiId} hint="The KPI's id, e.g. query-resolution-time.">
                <input
                  id="kpiId"
                  name="kpiId"
                  defaultValue={text(values.kpiId, prefill.kpiId)}
                  maxLength={80}
                  aria-invalid={invalid("kpiId")}
                  spellCheck={false}
                />
              </Field>
              <Field label="Month it was red (YYYY-MM)" name="period" error={errors.period}>
                <input
                  id="period"
                  name="period"
                  defaultValue={text(values.period, prefill.period)}
                  inputMode="numeric"
                  placeholder="YYYY-MM"
                  maxLength={7}
                  aria-invalid={invalid("period")}
                />
              </Field>
            </>
          ) : (
            <Field
              label="Source reference"
              name="sourceRef"
              error={errors.sourceRef}
              hint="E.g. the audit report and finding, the deviation number, the management review's date."
            >
              <input
                id="sourceRef"
                name="sourceRef"
                defaultValue={text(values.sourceRef, prefill.sourceRef)}
                maxLength={200}
                aria-invalid={invalid("sourceRef")}
              />
            </Field>
          )}
          <Field label="Description" name="description" error={errors.description} hint="For a CAPA: what, where, when, how many, how found.">
            <textarea
              id="description"
              name="description"
              rows={4}
              maxLength={2000}
              defaultValue={text(values.description)}
              aria-invalid={invalid("description")}
            />
          </Field>
          <Field label="Owner" name="ownerId" error={errors.ownerId}>
            <select id="ownerId" name="ownerId" defaultValue={text(values.ownerId)} aria-invalid={invalid("ownerId")}>
              <option value="">Choose…</option>
              {owners.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.displayName} ({o.username})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Due date" name="dueOn" error={errors.dueOn}>
            <DateInput id="dueOn" name="dueOn" min={on} defaultValue={text(values.dueOn)} aria-invalid={invalid("dueOn")} />
          </Field>
          <div className="actions">
            <button type="submit" disabled={busy}>
              {busy ? "Recording…" : "Record"}
            </button>
            <Link to="/actions">Cancel</Link>
          </div>
        </Form>
      </div>
    </section>
  );
}
