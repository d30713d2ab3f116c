import type { LoaderFunctionArgs } from "@remix-run/node";

import { today } from "~/clock.server";
import { quire } from "~/context.server";
import { csvRecord } from "~/modules/audit/audit-csv";
import { transcript } from "~/modules/training/reports.server";
import { requireUser } from "~/web/auth.server";

const COLUMNS = [
  "username",
  "doc_id",
  "version",
  "title",
  "status",
  "cause",
  "assigned_at",
  "due_on",
  "signed_at",
  "signature_id",
  "printed_name",
  "content_hash",
  "on_time",
  "quiz_attempts",
  "quiz_best_score",
  "quiz_passed",
  "closed_at",
] as const;

/** GET /training/people/:username/csv: the transcript as RFC 4180 CSV (inspection question 10, a copy to take away). */
export async function loader({ params, request }: LoaderFunctionArgs) {
  await requireUser(request, "training.read");
  const q = await quire();
  const t = await transcript(q.db, params.username ?? "", today(q.config));
  if (!t) throw new Response(`There is no user ${params.username ?? ""}.`, { status: 404, statusText: "Not Found" });
  const rows = t.entries.map((e) =>
    csvRecord([
      t.username,
      e.docId,
      e.version,
      e.title,
      e.state,
      e.cause,
      e.assignedAt,
      e.dueOn,
      e.signedAt,
      e.signatureId,
      e.printedName,
      e.contentHash,
      e.onTime === null ? null : e.onTime ? "yes" : "no",
      e.quiz?.attempts ?? 0,
      e.quiz?.bestScore ?? null,
      e.quiz ? (e.quiz.passed ? "yes" : "no") : null,
      e.closedAt,
    ]),
  );
  return new Response(csvRecord([...COLUMNS]) + rows.join(""), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="training-record-${t.username}-${today(q.config)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
