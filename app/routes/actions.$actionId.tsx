import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";

import { now, today } from "~/clock.server";
import { ActionStatusBadge } from "~/components/actions";
import { DateInput } from "~/components/date-input";
import { Field, FormMessage, fieldErrors, useFocusFirstError } from "~/components/form";
import { quire } from "~/context.server";
import { ACTION_KIND_LABELS, ACTION_SOURCE_LABELS, CloseActionForm, EditActionForm, LinkChangeForm } from "~/modules/actions/actions";
import { ActionRefused, actionHistory, closeAction, getAction, linkChangeRequest, possibleOwners, updateAction } from "~/modules/actions/actions.server";
import { formValues } from "~/modules/users/user-forms";
import { requireActionsReader } from "~/web/actions-reader.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.item.id} · Actions and CAPAs · Quire` : "Action · Quire" }];

const EVENT_LABELS: Record<string, string> = {
  "action.create": "Recorded",
  "action.update": "Changed",
  "action.link-change": "Change request linked",
  "action.close": "Closed",
};

/** An audit row's values as "key: value" text, for the item's history. */
function valuesText(stored: string | null): string {
  if (!stored) return "";
  const values = JSON.parse(stored) as Record<string, unknown>;
  return Object.entries(values)
    .map(([k, v]) => `${k}: ${v === null ? "–" : String(v)}`)
    .join("; ");
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireActionsReader(request);
  const q = await quire();
  const on = today(q.config);
  const item = await getAction(q.db, params.actionId ?? "", on);
  if (!item) throw new Response(`There is no action or CAPA ${params.actionId ?? ""}.`, { status: 404, statusText: "Not Found" });
  const canManage = user.permissions.includes("actions.manage");
  const [history, owners] = await Promise.all([actionHistory(q.db, item.id), canManage ? possibleOwners(q.db) : Promise.resolve([])]);
  const names = new Map(owners.map((o) => [o.id, o.displayName]));
  return json({
    on,
    item,
    canManage,
    canReadAudit: user.permissions.includes("audit.read"),
    owners,
    history: history.map((h) => ({
      seq: h.seq,
      at: h.at,
      username: h.username,
      event: EVENT_LABELS[h.action] ?? h.action,
      before: valuesText(h.old_values).replace(/ownerId: ([\w-]+)/, (m, id: string) => `owner: ${names.get(id) ?? id}`),
      after: valuesText(h.new_values).replace(/ownerId: ([\w-]+)/, (m, id: string) => `owner: ${names.get(id) ?? id}`),
      reason: h.reason,
    })),
  });
}

type Errors = Record<string, string>;

/** POST: edit (with a reason), link a change request, or close with evidence; each audited, and only with actions.manage. */
export async function action({ params, request }: ActionFunctionArgs) {
  const user = await requireUser(request, "actions.manage");
  const q = await quire();
  const id = params.actionId ?? "";
  const values = formValues(await request.formData());
  const intent = values.intent;
  const actor = { userId: user.id, username: user.username, clientAddress: user.clientAddress };
  const [on, at] = [today(q.config), now(q.config)];
  const refuse = (errors: Errors, status = 400) => json({ intent, errors }, { status });
  try {
    if (intent === "edit") {
      const parsed = EditActionForm.safeParse(values);
      if (!parsed.success) return refuse(fieldErrors(parsed.error));
      const { reason, ...changes } = parsed.data;
      const changed = await updateAction(q.db, actor, id, changes, reason, on, at);
      if (!changed) return refuse({ form: "Nothing was changed: the description, owner and due date are as they were." });
    } else if (intent === "link") {
      const parsed = LinkChangeForm.safeParse(values);
      if (!parsed.success) return refuse(fieldErrors(parsed.error));
      await linkChangeRequest(q.db, actor, id, parsed.data.crId, on, at);
    } else if (intent === "close") {
      const parsed = CloseActionForm.safeParse(values);
      if (!parsed.success) return refuse(fieldErrors(parsed.error));
      await closeAction(q.db, actor, id, parsed.data.evidence, on, at);
    } else {
      return refuse({ form: "Choose what to do: change, link a change request, or close." });
    }
  } catch (error) {
    if (error instanceof ActionRefused) return refuse({ [error.field ?? "form"]: error.message }, error.field ? 400 : 409);
    throw error;
  }
  return redirect(`/actions/${encodeURIComponent(id)}`);
}

export default function ActionItemPage() {
  const { on, item, canManage, canReadAudit, owners, history } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorsFor = (intent: string): Errors => (result?.intent === intent ? result.errors : {});
  useFocusFirstError(result?.errors);
  const edit = errorsFor("edit");
  const link = errorsFor("link");
  const close = errorsFor("close");
  return (
    <section className="action-item">
      <p className="breadcrumb">
        <Link to="/actions">Actions and CAPAs</Link> <span aria-hidden="true">/</span> {item.id}
      </p>
      <h1>
        {ACTION_KIND_LABELS[item.kind]} {item.id} <ActionStatusBadge status={item.shownStatus} />
      </h1>
      {item.overdue ? (
        <p className="banner banner-warning" role="status">
          <strong>Overdue:</strong> due {item.dueOn}, still open on {on}. Close it with evidence, or record a new due date with the reason (an extension).
        </p>
      ) : null}
      {result?.errors.form ? <FormMessage error={result.errors.form} /> : null}
      <dl className="facts">
        <dt>Description</dt>
        <dd className="action-description">{item.description}</dd>
        <dt>Source</dt>
        <dd>
          {ACTION_SOURCE_LABELS[item.source]}: {item.sourceRef}
        </dd>
        <dt>Owner</dt>
        <dd>{item.ownerName}</dd>
        <dt>Due</dt>
        <dd>{item.dueOn}</dd>
        <dt>Recorded</dt>
        <dd>
          {item.createdAt.replace("T", " ").slice(0, 19)} UTC by {item.createdByName}
        </dd>
        <dt>Change requests</dt>
        <dd>
          {item.changeRequests.length === 0
            ? "None linked"
            : item.changeRequests.map((cr, i) => (
                <span key={cr}>
                  {i > 0 ? ", " : null}
                  <Link to={`/changes/${cr}`}>{cr}</Link>
                </span>
              ))}
        </dd>
        {item.status === "closed" ? (
          <>
            <dt>Closed</dt>
            <dd>
              {item.closedAt?.replace("T", " ").slice(0, 19)} UTC by {item.closedByName}
            </dd>
            <dt>Evidence of completion</dt>
            <dd className="action-description">{item.closureEvidence}</dd>
          </>
        ) : null}
      </dl>

      {canManage && item.status === "open" ? (
        <div className="action-forms">
          <h2>Change</h2>
          <Form method="post" className="stack card" noValidate>
            <input type="hidden" name="intent" value="edit" />
            <Field label="Description" name="description" error={edit.description}>
              <textarea id="description" name="description" rows={3} maxLength={2000} defaultValue={item.description} />
            </Field>
            <Field label="Owner" name="ownerId" error={edit.ownerId}>
              <select id="ownerId" name="ownerId" defaultValue={item.ownerId}>
                {owners.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.displayName} ({o.username})
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Due date" name="dueOn" error={edit.dueOn}>
              <DateInput id="dueOn" name="dueOn" defaultValue={item.dueOn} />
            </Field>
            <Field label="Reason for the change" name="reason" error={edit.reason} hint="Kept in the audit trail, e.g. the extension agreed and by whom.">
              <input id="reason" name="reason" maxLength={500} />
            </Field>
            <div className="actions">
              <button type="submit">Save the change</button>
            </div>
          </Form>

          <h2>Link a change request</h2>
          <Form method="post" className="stack card" noValidate>
            <input type="hidden" name="intent" value="link" />
            <Field label="Change request" name="crId" error={link.crId} hint="E.g. CR-2026-0012: a document changed as part of this item.">
              <input id="crId" name="crId" maxLength={20} spellCheck={false} autoComplete="off" />
            </Field>
            <div className="actions">
              <button type="submit" className="secondary">
                Link
              </button>
            </div>
          </Form>

          <h2>Close</h2>
          <Form method="post" className="stack card" noValidate>
            <input type="hidden" name="intent" value="close" />
            <Field
              label="Evidence of completion"
              name="evidence"
              error={close.evidence}
              hint="What shows it was done, e.g. the revised procedure, training records, a system change record. Closing is final."
            >
              <textarea id="evidence" name="evidence" rows={3} maxLength={2000} />
            </Field>
            <div className="actions">
              <button type="submit">Close {item.id}</button>
            </div>
          </Form>
        </div>
      ) : null}

      <h2>History</h2>
      <div className="table-scroll">
        <table className="library action-history">
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr key={h.seq} data-seq={h.seq}>
                <td className="nowrap">{h.at.replace("T", " ").slice(0, 19)}</td>
                <td>{h.username}</td>
                <td>
                  <strong>{h.event}</strong>
                  {h.before ? <span className="history-before"> was {h.before};</span> : null}
                  {h.after ? (
                    <span className="history-after">
                      {" "}
                      {h.before ? "now" : ""} {h.after}
                    </span>
                  ) : null}
                </td>
                <td>{h.reason ?? "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canReadAudit ? (
        <p className="muted small">
          Every entry is also in the <Link to={`/audit?objectType=action&objectId=${item.id}`}>audit trail</Link>.
        </p>
      ) : null}
    </section>
  );
}
