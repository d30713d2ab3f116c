import type { LoaderFunctionArgs } from "@remix-run/node";

import { now, today } from "~/clock.server";
import { quire } from "~/context.server";
import { CopyIntegrityError, recordCopyDownload, renderIssuedCopy } from "~/modules/copies/copies.server";
import { getCopy } from "~/modules/copies/register.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

/**
 * GET /copies/:copyId/pdf: the controlled copy's PDF, rendered again from the register (version,
 * number, printed by, printed at). It is handed out only if it hashes to the SHA-256 recorded when
 * the copy was issued; otherwise the request is refused (409) saying so. Each download is audited.
 */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "copies.read");
  const q = await quire();
  const copy = await getCopy(q.db, params.copyId ?? "", today(q.config));
  if (!copy) throw new Response(`There is no controlled copy ${params.copyId ?? ""}.`, { status: 404, statusText: "Not Found" });
  let pdf: Buffer;
  try {
    pdf = await renderIssuedCopy(q, copy);
  } catch (error) {
    if (error instanceof CopyIntegrityError) throw new Response(error.message, { status: 409, statusText: "Conflict" });
    throw error;
  }
  await recordCopyDownload(q.db, actorOf(user), copy, now(q.config));
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="${copy.copyId}.pdf"`,
      "Content-Length": String(pdf.length),
      "Cache-Control": "no-store",
    },
  });
}
