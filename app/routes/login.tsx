import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";

import { Field, FormMessage } from "~/components/form";
import { quire } from "~/context.server";
import { startSession } from "~/modules/users/auth.server";
import { SIGN_IN_REFUSED } from "~/modules/users/users";
import { checkCredentials } from "~/modules/users/users.server";
import { clientAddress, optionalUser, safeRedirect, sessionCookie } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Quire" }];

const SignInForm = z.object({
  username: z.string().trim().min(1, "Enter your user name").max(64),
  password: z.string().min(1, "Enter your password").max(256),
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirect(url.searchParams.get("redirectTo"));
  if (await optionalUser(request)) throw redirect(redirectTo);
  const q = await quire();
  const expired = url.searchParams.get("expired");
  const notice =
    expired === "idle"
      ? `Your session ended after ${q.config.sessionIdleMinutes} minutes without activity. Sign in again.`
      : expired === "absolute"
        ? `Your session reached its ${q.config.sessionAbsoluteHours}-hour limit. Sign in again.`
        : url.searchParams.get("signedOut")
          ? "You have signed out."
          : null;
  return json({ redirectTo, notice, lockoutMinutes: q.config.lockoutMinutes });
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = SignInForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return json({ error: parsed.error.issues[0]?.message ?? "Enter your user name and password." }, { status: 400 });
  }
  const q = await quire();
  const address = clientAddress(request);
  const result = await checkCredentials(q, parsed.data.username, parsed.data.password, address);
  // result.message is for signed-in people only (see checkCredentials); the audit trail keeps the reason.
  if (!result.ok) return json({ error: SIGN_IN_REFUSED }, { status: 401 });
  const sessionId = await startSession(q, result.user, address);
  const to = result.user.mustChangePassword ? "/account/password?required=1" : safeRedirect(parsed.data.redirectTo);
  return redirect(to, { headers: { "Set-Cookie": await sessionCookie(request, sessionId) } });
}

export default function Login() {
  const { redirectTo, notice, lockoutMinutes } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="narrow card">
      <h1>Sign in to Quire</h1>
      {notice ? (
        <p className="banner banner-info" role="status">
          {notice}
        </p>
      ) : null}
      <FormMessage error={actionData?.error} />
      <Form method="post" className="stack">
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field label="User name" name="username">
          <input id="username" name="username" autoComplete="username" required autoFocus />
        </Field>
        <Field label="Password" name="password">
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </Form>
      <p className="muted small">
        Access is personal. Every sign-in, and every failed attempt, is recorded in the audit trail; five failed attempts in a row lock the account for{" "}
        {lockoutMinutes} minutes, or until an administrator unlocks it.
      </p>
    </section>
  );
}
