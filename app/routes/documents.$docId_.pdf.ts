import type { LoaderFunctionArgs } from "@remix-run/node";

import { now } from "~/clock.server";
import { quire } from "~/context.server";
import { pdfFileName } from "~/modules/pdf/pdf";
import { PdfRequestError, printableVersion, recordPdfExport, renderPdfBuffer } from "~/modules/pdf/pdf.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

/**
 * GET /documents/:docId/pdf[?version=X.Y]: the version (default: the one in force today) as an
 * uncontrolled PDF copy, valid on the day it is printed (SOP-DC-001). Whoever may read the document
 * may take one; each download is audited as an export (document.pdf.export) with the file's SHA-256.
 */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "document.read");
  const q = await quire();
  const version = new URL(request.url).searchParams.get("version") ?? undefined;
  const printedAt = now(q.config);
  const print = { printedAt, printedBy: user.displayName, copyId: null };
  const input = await printableVersion(q, { docId: params.docId ?? "", version }, print).catch((error: unknown) => {
    if (error instanceof PdfRequestError) throw new Response(error.message, { status: 404, statusText: "Not Found" });
    throw error;
  });
  const pdf = await renderPdfBuffer(input);
  await recordPdfExport(q.db, actorOf(user), input, pdf, printedAt);
  return new Response(new Uint8Array(pdf.buffer), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="${pdfFileName(input.version, print)}"`,
      "Content-Length": String(pdf.bytes),
      // An uncontrolled copy is valid on its print day only: no cache may serve it later.
      "Cache-Control": "no-store",
    },
  });
}
