import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";

import { now } from "~/clock.server";
import { AccountStatusBadges } from "~/components/account-status";
import { Field, FormMessage, fieldErrors, useFocusFirstError } from "~/components/form";
import { withNotice } from "~/components/notices";
import { OneTimePassword } from "~/components/one-time-password";
import { utcMinuteLabel } from "~/components/time";
import { UserFields } from "~/components/user-fields";
import { quire } from "~/context.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { actorOf } from "~/modules/users/auth.server";
import { AccountForm, formValues, type AccountIntent } from "~/modules/users/user-forms";
import { ACTION_LABELS, accountStatuses, lockInForce, lockLapsesAt } from "~/modules/users/users";
import {
  UserInputError,
  forcePasswordReset,
  getUser,
  listUsers,
  recentUserEvents,
  setManager,
  setUserActive,
  unlockUser,
  updateUser,
} from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.user.displayName} (${data.user.username}) · Users · Quire` : "User not found · Quire" },
];

/** A password reset answers with a one-time password: no cache may keep the page. */
export function headers() {
  return { "Cache-Control": "no-store" };
}

const MULTIPLE = ["roles", "jobFunctions"];

async function userOr404(userId: string | undefined) {
  const q = await quire();
  const user = await getUser(q.db, userId ?? "");
  if (!user) throw new Response(`There is no user account with the id ${userId ?? ""}.`, { status: 404, statusText: "Not Found" });
  return { q, user };
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const admin = await requireUser(request, "users.manage");
  const { q, user } = await userOr404(params.userId);
  const [jobFunctions, events, managers, manager] = await Promise.all([
    loadJobFunctions(q.db),
    recentUserEvents(q.db, user.username),
    listUsers(q.db),
    q.db.get<{ manager_id: string | null }>("SELECT manager_id FROM users WHERE id = ?", [user.id]),
  ]);
  const at = now(q.config);
  const minutes = q.config.lockoutMinutes;
  return json({
    user: {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      email: user.email,
      roles: user.roles,
      jobFunctions: user.jobFunctions,
      active: user.active,
      lockedAt: user.lockedAt,
      failedSignins: user.failedSignins,
      // The sign-in form says nothing of a lock; the administrator sees it as it is.
      lockInForce: lockInForce(user.lockedAt, at, minutes),
      lockLapsesAt: user.lockedAt ? lockLapsesAt(user.lockedAt, minutes).toISOString() : null,
      passwordChangedAt: user.passwordChangedAt,
      createdAt: user.createdAt,
    },
    statuses: accountStatuses(user, at, minutes),
    isSelf: admin.id === user.id,
    jobFunctions,
    events,
    managerId: manager?.manager_id ?? null,
    managers: managers.filter((m) => m.active && m.id !== user.id).map((m) => ({ id: m.id, username: m.username, displayName: m.displayName })),
  });
}

interface ActionResult {
  intent: AccountIntent | null;
  errors: Record<string, string>;
  values: Record<string, string | string[]> | null;
  temporaryPassword: string | null;
}

function failed(intent: AccountIntent | null, errors: Record<string, string>, values: ActionResult["values"] = null) {
  return json<ActionResult>({ intent, errors, values, temporaryPassword: null }, { status: 400 });
}

export async function action({ params, request }: ActionFunctionArgs) {
  const admin = await requireUser(request, "users.manage");
  const { q, user } = await userOr404(params.userId);
  const values = formValues(await request.formData(), MULTIPLE);
  const parsed = AccountForm.safeParse(values);
  if (!parsed.success) {
    const intent = AccountForm.options.some((o) => o.shape.intent.value === values.intent) ? (values.intent as AccountIntent) : null;
    return failed(intent, fieldErrors(parsed.error), values);
  }
  const form = parsed.data;
  const actor = actorOf(admin);
  const here = `/admin/users/${user.id}`;
  try {
    switch (form.intent) {
      case "details": {
        const { displayName, email, roles, jobFunctions, reason } = form;
        const changed = await updateUser(q, user.id, { displayName, email, roles, jobFunctions }, actor, reason);
        return redirect(withNotice(here, changed ? "user-saved" : "user-unchanged"));
      }
      case "deactivate":
        await setUserActive(q, user.id, false, actor, form.reason);
        return redirect(withNotice(here, "user-deactivated"));
      case "reactivate":
        await setUserActive(q, user.id, true, actor, form.reason);
        return redirect(withNotice(here, "user-reactivated"));
      case "unlock":
        await unlockUser(q, user.id, actor, form.reason);
        return redirect(withNotice(here, "user-unlocked"));
      case "manager": {
        // The line manager receives training escalations and approves practical competence (SOP-TR-001).
        const changed = await q.db.transaction((tx) => setManager(tx, user.id, form.managerId || null, actor, now(q.config), form.reason));
        return redirect(withNotice(here, changed ? "user-saved" : "user-unchanged"));
      }
      case "reset-password": {
        const temporaryPassword = await forcePasswordReset(q, user.id, actor, form.reason);
        return json<ActionResult>({ intent: form.intent, errors: {}, values: null, temporaryPassword }, { headers: { "Cache-Control": "no-store" } });
      }
    }
  } catch (error) {
    if (error instanceof UserInputError) return failed(form.intent, { [error.field ?? "form"]: error.message }, values);
    throw error;
  }
}

function text(value: string | string[] | undefined): string {
  return typeof value === "string" ? value : "";
}

function list(value: string | string[] | undefined): string[] {
  return Array.isArray(value) ? value : [];
}

/** One of the small account-control forms: its own intent, an optional reason, one button. */
function ControlForm({
  intent,
  title,
  explanation,
  button,
  danger = false,
  errors,
}: {
  intent: AccountIntent;
  title: string;
  explanation: string;
  button: string;
  danger?: boolean;
  errors: Record<string, string> | null;
}) {
  const busy = useNavigation().formData?.get("intent") === intent;
  const reasonId = `${intent}-reason`;
  return (
    <Form method="post" className="control stack" aria-labelledby={`${intent}-title`}>
      <h3 id={`${intent}-title`}>{title}</h3>
      <p className="hint">{explanation}</p>
      <input type="hidden" name="intent" value={intent} />
      <Field label="Reason (optional)" name={reasonId} error={errors?.reason}>
        <input id={reasonId} name="reason" maxLength={500} autoComplete="off" />
      </Field>
      <div>
        <button type="submit" className={danger ? "danger" : "secondary"} disabled={busy}>
          {button}
        </button>
      </div>
    </Form>
  );
}

export default function UserAccount() {
  const { user, statuses, isSelf, jobFunctions, events, managerId, managers } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().formData?.get("intent") === "details";
  const errorsFor = (intent: AccountIntent) => (actionData?.intent === intent ? actionData.errors : null);
  const details = errorsFor("details") ?? {};
  // An unknown action has no form of its own; a control's refusal may concern a form no longer shown
  // (deactivating an account already deactivated), so both are reported above the forms.
  const pageError = actionData && actionData.intent === null ? (Object.values(actionData.errors)[0] ?? null) : null;
  const controlError = actionData && actionData.intent !== null && actionData.intent !== "details" ? (actionData.errors.form ?? null) : null;
  const typed = actionData?.intent === "details" ? actionData.values : null;
  useFocusFirstError(actionData?.errors);
  const saved = JSON.stringify([user.displayName, user.email, user.roles, user.jobFunctions]);

  return (
    <section>
      <p className="breadcrumb">
        <Link to="/admin/users">Users</Link> <span aria-hidden="true">/</span> {user.username}
      </p>
      <div className="page-heading">
        <h1>{user.displayName}</h1>
        <p className="muted account-summary">
          <span className="mono-inline">{user.username}</span>
          <AccountStatusBadges statuses={statuses} />
          <span>Created {utcMinuteLabel(user.createdAt)}</span>
          <span>Password last changed {utcMinuteLabel(user.passwordChangedAt)}</span>
        </p>
      </div>

      {pageError ? <FormMessage error={pageError} /> : null}

      {actionData?.temporaryPassword ? (
        <div className="card one-time-card">
          <OneTimePassword heading="Password reset" level={2} username={user.username} who={user.displayName} password={actionData.temporaryPassword} />
        </div>
      ) : null}

      <div className="account-layout">
        <div className="card">
          <h2>Account details</h2>
          {details.form ? <FormMessage error={details.form} /> : null}
          <Form method="post" className="stack" noValidate key={saved}>
            <input type="hidden" name="intent" value="details" />
            <div className="field">
              <span className="field-label">User name</span>
              <p className="static-value">
                <span className="mono-inline">{user.username}</span> <span className="hint">Never changes and is never reused (Part 11 §11.300(a)).</span>
              </p>
            </div>
            <UserFields
              values={{
                displayName: typed ? text(typed.displayName) : user.displayName,
                email: typed ? text(typed.email) : user.email,
                roles: typed ? list(typed.roles) : user.roles,
                jobFunctions: typed ? list(typed.jobFunctions) : user.jobFunctions,
                reason: typed ? text(typed.reason) : "",
              }}
              errors={details}
              jobFunctions={jobFunctions}
              reasonLabel="Reason for change (optional)"
              reasonHint="Recorded in the audit trail with the old and new values."
            />
            <div className="actions">
              <button type="submit" disabled={busy}>
                {busy ? "Saving…" : "Save changes"}
              </button>
            </div>
          </Form>
        </div>

        <aside className="card account-controls" aria-labelledby="controls-heading">
          <h2 id="controls-heading">Account controls</h2>
          {controlError ? <FormMessage error={controlError} /> : null}
          {user.lockedAt && user.lockLapsesAt ? (
            user.lockInForce ? (
              <ControlForm
                intent="unlock"
                title="Unlock"
                explanation={`Locked on ${utcMinuteLabel(user.lockedAt)}; ${user.failedSignins} failed sign-ins in a row so far. It unlocks itself at the first sign-in attempt after ${utcMinuteLabel(user.lockLapsesAt)}. Unlock now once you know the attempts were the account holder's own.`}
                button="Unlock account"
                errors={errorsFor("unlock")}
              />
            ) : (
              <p className="hint control" data-testid="lock-lapsed">
                The lock set on {utcMinuteLabel(user.lockedAt)} after {user.failedSignins} failed sign-ins lapsed at {utcMinuteLabel(user.lockLapsesAt)}. It no
                longer stops sign-in and is cleared, in the audit trail, at the next attempt.
              </p>
            )
          ) : null}
          {isSelf ? (
            <p className="hint control">
              This is your own account: change your password on the <Link to="/account/password">Change password</Link> page. Another administrator can
              deactivate it or remove your administrator role.
            </p>
          ) : (
            <ControlForm
              key={actionData?.temporaryPassword ?? "reset-password"}
              intent="reset-password"
              title="Force a password reset"
              explanation="Replaces the password with a one-time password, shown to you once, and ends the person's sessions. They must choose a new password at their next sign-in."
              button="Reset password"
              errors={errorsFor("reset-password")}
            />
          )}
          <Form method="post" className="control stack" aria-labelledby="manager-title">
            <h3 id="manager-title">Line manager</h3>
            <p className="hint">Receives this person&rsquo;s overdue-training escalations and approves their practical competence (SOP-TR-001).</p>
            <input type="hidden" name="intent" value="manager" />
            <Field label="Line manager" name="managerId" error={errorsFor("manager")?.manager ?? errorsFor("manager")?.managerId}>
              <select id="managerId" name="managerId" defaultValue={managerId ?? ""}>
                <option value="">None</option>
                {managers.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.displayName} ({m.username})
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Reason (optional)" name="manager-reason" error={errorsFor("manager")?.reason}>
              <input id="manager-reason" name="reason" maxLength={500} autoComplete="off" />
            </Field>
            <div>
              <button type="submit" className="secondary">
                Save line manager
              </button>
            </div>
          </Form>
          {user.active ? (
            isSelf ? null : (
              <ControlForm
                intent="deactivate"
                title="Deactivate"
                explanation="Ends the person's sessions and stops them signing in. Their records, signatures and user name are kept; the account is never deleted."
                button="Deactivate account"
                danger
                errors={errorsFor("deactivate")}
              />
            )
          ) : (
            <ControlForm
              intent="reactivate"
              title="Reactivate"
              explanation="Lets the person sign in again with their existing password, roles and job functions."
              button="Reactivate account"
              errors={errorsFor("reactivate")}
            />
          )}
        </aside>
      </div>

      <section className="card audit-events" aria-labelledby="events-heading">
        <h2 id="events-heading">Recent audit events</h2>
        <p className="hint">The last {events.length === 20 ? 20 : events.length} events about this account or by its holder, newest first.</p>
        {events.length === 0 ? (
          <p className="muted">No events yet.</p>
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">By</th>
                <th scope="col">Event</th>
                <th scope="col">Details</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq} data-action={e.action}>
                  <td className="nowrap">{e.seq}</td>
                  <td className="nowrap">
                    <time dateTime={e.at}>{utcMinuteLabel(e.at)}</time>
                  </td>
                  <td>{e.actor ?? <span className="muted">unknown</span>}</td>
                  <td>
                    {ACTION_LABELS[e.action] ?? e.action}
                    <br />
                    <span className="mono-inline small muted">{e.action}</span>
                  </td>
                  <td>
                    {e.changes.length > 0 ? (
                      <ul className="plain changes">
                        {e.changes.map((c) => (
                          <li key={c.field}>
                            <span className="change-field">{c.field}:</span>{" "}
                            {c.from !== null ? (
                              <>
                                <del>{c.from}</del> <span aria-label="changed to">→</span>{" "}
                              </>
                            ) : null}
                            <ins>{c.to ?? "—"}</ins>
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>{e.reason ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}
