import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";

import { Field, FormMessage, fieldErrors, useFocusFirstError } from "~/components/form";
import { OneTimePassword } from "~/components/one-time-password";
import { UserFields } from "~/components/user-fields";
import { quire } from "~/context.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { actorOf } from "~/modules/users/auth.server";
import { NewUserForm, formValues } from "~/modules/users/user-forms";
import { UserInputError, createUser } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "New user · Quire" }];

/** The answer to a successful POST holds a one-time password: no cache may keep it. */
export function headers() {
  return { "Cache-Control": "no-store" };
}

const MULTIPLE = ["roles", "jobFunctions"];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "users.manage");
  const q = await quire();
  return json({ jobFunctions: await loadJobFunctions(q.db) });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireUser(request, "users.manage");
  const values = formValues(await request.formData(), MULTIPLE);
  const parsed = NewUserForm.safeParse(values);
  if (!parsed.success) return json({ created: null, errors: fieldErrors(parsed.error), values }, { status: 400 });
  const { reason, ...input } = parsed.data;
  try {
    const created = await createUser(await quire(), input, actorOf(admin), reason);
    return json(
      {
        created: { id: created.id, username: input.username, displayName: input.displayName, temporaryPassword: created.temporaryPassword },
        errors: {},
        values: null,
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    if (error instanceof UserInputError) {
      return json({ created: null, errors: { [error.field ?? "form"]: error.message }, values }, { status: 400 });
    }
    throw error;
  }
}

function text(value: string | string[] | undefined): string {
  return typeof value === "string" ? value : "";
}

function list(value: string | string[] | undefined): string[] {
  return Array.isArray(value) ? value : [];
}

export default function NewUser() {
  const { jobFunctions } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  useFocusFirstError(actionData?.errors);

  if (actionData?.created) {
    const c = actionData.created;
    return (
      <section className="narrow-wide card stack">
        <OneTimePassword heading={`Account created for ${c.displayName}`} username={c.username} password={c.temporaryPassword} who={c.displayName} />
        <div className="actions">
          <Link to={`/admin/users/${c.id}`} className="button">
            Open {c.displayName}&apos;s account
          </Link>
          <Link to="/admin/users/new" className="button secondary">
            Create another user
          </Link>
          <Link to="/admin/users">Back to users</Link>
        </div>
      </section>
    );
  }

  const errors: Record<string, string> = actionData?.errors ?? {};
  const values = actionData?.values ?? {};
  return (
    <section className="narrow-wide">
      <p className="breadcrumb">
        <Link to="/admin/users">Users</Link> <span aria-hidden="true">/</span> New user
      </p>
      <h1>New user</h1>
      <p className="muted">
        Quire generates a one-time password for the new account and shows it to you once. The person must choose their own password when they first sign in.
      </p>
      <div className="card">
        {errors.form ? <FormMessage error={errors.form} /> : null}
        {Object.keys(errors).length > 0 && !errors.form ? <FormMessage error="The account was not created. Correct the fields marked below." /> : null}
        <Form method="post" className="stack" noValidate>
          <Field
            label="User name"
            name="username"
            error={errors.username}
            hint="2-32 lower-case letters, digits, '.', '_' or '-', starting with a letter. It can never be changed or reused."
          >
            <input
              id="username"
              name="username"
              defaultValue={text(values.username)}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              required
              maxLength={32}
              autoFocus
              aria-invalid={errors.username ? true : undefined}
              aria-describedby={errors.username ? "username-hint username-error" : "username-hint"}
            />
          </Field>
          <UserFields
            values={{
              displayName: text(values.displayName),
              email: text(values.email),
              roles: list(values.roles),
              jobFunctions: list(values.jobFunctions),
              reason: text(values.reason),
            }}
            errors={errors}
            jobFunctions={jobFunctions}
            reasonLabel="Reason (optional)"
            reasonHint="Recorded in the audit trail with the new account, e.g. the hiring or access request reference."
          />
          <div className="actions">
            <button type="submit" disabled={busy}>
              {busy ? "Creating…" : "Create user"}
            </button>
            <Link to="/admin/users">Cancel</Link>
          </div>
        </Form>
      </div>
    </section>
  );
}
