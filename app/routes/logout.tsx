import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

import { quire } from "~/context.server";
import { endSession } from "~/modules/users/auth.server";
import { blankSessionCookie, optionalUser } from "~/web/auth.server";

export async function action({ request }: ActionFunctionArgs) {
  const user = await optionalUser(request);
  if (user) await endSession(await quire(), user);
  return redirect("/login?signedOut=1", { headers: { "Set-Cookie": await blankSessionCookie(request) } });
}

/** Signing out changes state, so it takes a POST; a GET just goes home. */
export function loader() {
  return redirect("/");
}
