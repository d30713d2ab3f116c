import type { LoaderFunctionArgs } from "@remix-run/node";

import { today } from "~/clock.server";
import { quire } from "~/context.server";
import { unlessContentRefused } from "~/modules/content/render.server";
import { documentPage } from "~/modules/documents/library.server";
import { requireUser } from "~/web/auth.server";

/** The rendered body of a document version, for client-side navigation to the document page. */
export async function loader({ params, request }: LoaderFunctionArgs) {
  await requireUser(request, "document.read");
  const q = await quire();
  const version = new URL(request.url).searchParams.get("version") ?? undefined;
  const id = params.docId ?? "";
  const on = today(q.config);
  const page = await unlessContentRefused(version ? `Version ${version} of ${id}` : `The version of ${id} in force on ${on}`, documentPage(q, id, on, version));
  if (!page) throw new Response("No such document or version.", { status: 404, statusText: "Not Found" });
  return new Response(page.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      // A content hash names immutable HTML, but the URL names "the version in force", which changes.
      "Cache-Control": "private, no-cache",
    },
  });
}
