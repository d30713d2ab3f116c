// The binder from the browser: a build runs in the server process as a job the page polls, then the
// file is downloaded by the person who started it. One build at a time (a binder is CPU-bound, and
// the server has other requests to answer); jobs live in memory, so a restart forgets them.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import type { Actor } from "~/modules/users/actor";

import { BinderRequestError, binderFileName, checkAsOf, type BinderProgress, type BinderRun, type Store } from "./binder";
import { versionsInForce } from "./binder-data.server";
import { buildBinder, recordBinderExport, type WrittenBinder } from "./binder.server";

export interface BinderJob {
  id: string;
  /** Only the person who started it sees it and may download it. */
  userId: string;
  asOf: string;
  zip: boolean;
  state: "running" | "done" | "failed";
  progress: BinderProgress | null;
  fileName: string;
  file: string;
  result: WrittenBinder | null;
  /** Why it failed, for the person (the detail is in the server log). */
  error: string | null;
}

/** Finished jobs kept for download; the oldest beyond this are forgotten and their files removed. */
const KEPT_JOBS = 5;

const jobs = new Map<string, BinderJob>();

function jobFolder(): string {
  return path.join(os.tmpdir(), `quire-binders-${process.pid}`);
}

/**
 * Starts building the binder as of `run.asOf` for a signed-in user; refuses a bad day or a second
 * build while one runs (BinderRequestError, for the form). The export is audited when the file is
 * complete, as `binder.export` by that user, like the CLI's.
 */
export async function startBinderJob(q: Store, actor: Actor & { userId: string }, run: BinderRun, zip: boolean): Promise<BinderJob> {
  if ([...jobs.values()].some((j) => j.state === "running")) throw new BinderRequestError("A binder is being built already: try again when it has finished.");
  checkAsOf(run.asOf, run.generatedAt);
  await versionsInForce(q, run.asOf);
  const id = randomBytes(12).toString("hex");
  const folder = path.join(jobFolder(), id);
  fs.mkdirSync(folder, { recursive: true });
  const fileName = binderFileName(run.asOf, zip);
  const job: BinderJob = {
    id,
    userId: actor.userId,
    asOf: run.asOf,
    zip,
    state: "running",
    progress: null,
    fileName,
    file: path.join(folder, fileName),
    result: null,
    error: null,
  };
  jobs.set(id, job);
  forgetOldJobs();
  void buildBinder(q, run, job.file, { zip, progress: (p) => (job.progress = p) })
    .then(async (written) => {
      await recordBinderExport(q.db, actor, run, written);
      job.result = written;
      job.state = "done";
    })
    .catch((error: unknown) => {
      job.state = "failed";
      job.error = error instanceof BinderRequestError ? error.message : "The binder could not be built; the server log says why.";
      if (!(error instanceof BinderRequestError)) console.warn(`binder ${id} as of ${run.asOf} failed:`, error);
      fs.rmSync(folder, { recursive: true, force: true });
    });
  return job;
}

/** The job, if it exists and is this user's. */
export function binderJob(id: string, userId: string): BinderJob | null {
  const job = jobs.get(id);
  return job && job.userId === userId ? job : null;
}

/** This user's jobs, newest first. */
export function binderJobsOf(userId: string): BinderJob[] {
  return [...jobs.values()].filter((j) => j.userId === userId).reverse();
}

function forgetOldJobs(): void {
  const finished = [...jobs.values()].filter((j) => j.state !== "running");
  for (const old of finished.slice(0, Math.max(0, jobs.size - KEPT_JOBS))) {
    jobs.delete(old.id);
    fs.rmSync(path.dirname(old.file), { recursive: true, force: true });
  }
}

/** What the page shows of a job (no server paths). */
export function jobStatus(job: BinderJob) {
  return {
    id: job.id,
    asOf: job.asOf,
    format: job.zip ? "zip" : "pdf",
    state: job.state,
    progress: job.progress,
    fileName: job.fileName,
    error: job.error,
    result: job.result ? { pages: job.result.pages, sha256: job.result.sha256, bytes: job.result.bytes, documents: job.result.counts.documents } : null,
  };
}
