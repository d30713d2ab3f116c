import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";

import { Field, FormMessage, fieldErrors, useFocusFirstError } from "~/components/form";
import { withNotice } from "~/components/notices";
import { quire } from "~/context.server";
import { actorOf } from "~/modules/users/auth.server";
import { OwnPasswordForm, PASSWORD_RULES } from "~/modules/users/user-forms";
import { UserInputError, changeOwnPassword } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Change your password · Quire" }];

export function headers() {
  return { "Cache-Control": "no-store" };
}

/** Any signed-in person may change their own password (requireUser lets must-change users reach this page). */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  // The flag on the account, not ?required=1, decides: the query only says why the person was sent here.
  return json({ username: user.username, required: user.mustChangePassword });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = OwnPasswordForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  try {
    // Part 11 §11.300: the password rules (length, not the user name, not the last five) live in the module.
    await changeOwnPassword(await quire(), { ...actorOf(user), userId: user.id }, parsed.data.current, parsed.data.password, user.sessionId);
  } catch (error) {
    if (error instanceof UserInputError) return json({ errors: { [error.field ?? "form"]: error.message } }, { status: 400 });
    throw error;
  }
  return redirect(withNotice("/", "password-changed"));
}

function describedBy(name: string, errors: Record<string, string>, extra: string[] = []): string | undefined {
  const ids = [...extra, ...(errors[name] ? [`${name}-error`] : [])];
  return ids.length > 0 ? ids.join(" ") : undefined;
}

export default function ChangePassword() {
  const { username, required } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  useFocusFirstError(actionData?.errors);
  const busy = useNavigation().state === "submitting";
  return (
    <section className="narrow card">
      <h1>Change your password</h1>
      {required ? (
        <p className="banner banner-warning" role="status">
          <strong>A password change is required before you continue.</strong> You signed in with a one-time password set by an administrator; choose a password
          only you know.
        </p>
      ) : null}
      {errors.form ? <FormMessage error={errors.form} /> : null}
      <Form method="post" className="stack" noValidate>
        {/* A hidden user name lets password managers file the new password under the right account. */}
        <input type="text" name="username" value={username} autoComplete="username" readOnly hidden />
        <Field label="Current password" name="current" error={errors.current}>
          <input
            id="current"
            name="current"
            type="password"
            autoComplete="current-password"
            required
            autoFocus
            aria-invalid={errors.current ? true : undefined}
            aria-describedby={describedBy("current", errors)}
          />
        </Field>
        <Field label="New password" name="password" error={errors.password}>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={describedBy("password", errors, ["password-rules"])}
          />
        </Field>
        <div id="password-rules" className="rules">
          <p className="hint">Your new password must be:</p>
          <ul className="hint">
            {PASSWORD_RULES.map((rule) => (
              <li key={rule}>{rule.replace("your user name", `your user name (${username})`)}</li>
            ))}
          </ul>
        </div>
        <Field label="Confirm new password" name="confirm" error={errors.confirm}>
          <input
            id="confirm"
            name="confirm"
            type="password"
            autoComplete="new-password"
            required
            aria-invalid={errors.confirm ? true : undefined}
            aria-describedby={describedBy("confirm", errors)}
          />
        </Field>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Changing…" : "Change password"}
          </button>
          {required ? null : <Link to="/">Cancel</Link>}
        </div>
      </Form>
    </section>
  );
}
