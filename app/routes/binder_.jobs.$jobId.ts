import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";

import { binderJob, jobStatus } from "~/modules/binder/binder-jobs.server";
import { requireUser } from "~/web/auth.server";

/** GET /binder/jobs/:jobId: a binder build's progress, for the page to poll (only the person who started it). */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "export.binder");
  const job = binderJob(params.jobId ?? "", user.id);
  if (!job) throw new Response("There is no such binder build of yours.", { status: 404, statusText: "Not Found" });
  return json({ job: jobStatus(job) }, { headers: { "Cache-Control": "no-store" } });
}
