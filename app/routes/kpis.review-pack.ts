import { createHash } from "node:crypto";

import type { LoaderFunctionArgs } from "@remix-run/node";

import { now, today } from "~/clock.server";
import { quire } from "~/context.server";
import { reportingPeriod } from "~/modules/kpi/dashboard.server";
import { addMonths } from "~/modules/kpi/kpi";
import { checkReviewPeriod, recordReviewPackExport, reviewPackBuffer } from "~/modules/kpi/review-pack.server";
import { actorOf } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

/**
 * GET /kpis/review-pack?from=YYYY-MM&to=YYYY-MM: the management review input report as a PDF
 * (SOP-KP-001), the same as `quire review-pack`; by default the 6 months ending with the last
 * complete month. Audited as an export with the file's SHA-256.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "kpi.read");
  const q = await quire();
  const on = today(q.config);
  const url = new URL(request.url);
  const to = url.searchParams.get("to") || reportingPeriod(on);
  const from = url.searchParams.get("from") || addMonths(to, -5);
  const problem = checkReviewPeriod(from, to, on)?.replace("--from", "from").replace("--to", "to");
  if (problem) return new Response(`No report was made: ${problem}.\n`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const printedAt = now(q.config);
  const pack = { from, to, printedBy: `${user.displayName} (${user.username})`, printedAt };
  const { buffer, pages } = await reviewPackBuffer(q, pack, on);
  await recordReviewPackExport(
    q.db,
    actorOf(user),
    pack,
    { pages, sha256: createHash("sha256").update(buffer).digest("hex"), bytes: buffer.length },
    printedAt,
  );
  return new Response(new Uint8Array(buffer), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="management-review-inputs-${from}-to-${to}.pdf"`,
      "Cache-Control": "no-store",
    },
  });
}
