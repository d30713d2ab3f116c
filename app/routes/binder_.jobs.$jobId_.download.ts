import fs from "node:fs";

import type { LoaderFunctionArgs } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";

import { binderJob } from "~/modules/binder/binder-jobs.server";
import { requireUser } from "~/web/auth.server";

/** GET /binder/jobs/:jobId/download: the finished binder (its export was audited when it was built). */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "export.binder");
  const job = binderJob(params.jobId ?? "", user.id);
  if (!job) throw new Response("There is no such binder build of yours.", { status: 404, statusText: "Not Found" });
  if (job.state !== "done" || !job.result) throw new Response("This binder is not ready.", { status: 409, statusText: "Conflict" });
  return new Response(createReadableStreamFromReadable(fs.createReadStream(job.file)), {
    headers: {
      "Content-Type": job.zip ? "application/zip" : "application/pdf",
      "Content-Disposition": `attachment; filename="${job.fileName}"`,
      "Content-Length": String(job.result.bytes),
      // An uncontrolled copy of the record: no cache keeps it.
      "Cache-Control": "no-store",
    },
  });
}
