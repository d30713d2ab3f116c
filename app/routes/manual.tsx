import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

import { quire } from "~/context.server";
import { qmsManualId } from "~/modules/documents/library.server";
import { requireUser } from "~/web/auth.server";

/** The QMS manual's own entry in the navigation: the manual-type document, whatever its id. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "document.read");
  const id = await qmsManualId(await quire());
  if (!id) throw new Response("This QMS has no manual yet.", { status: 404, statusText: "Not Found" });
  return redirect(`/documents/${id}`);
}
