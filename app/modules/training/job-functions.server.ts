import type { Queryable, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import type { JobFunction } from "~/modules/content/frontmatter";
import { SYSTEM_ACTOR } from "~/modules/users/actor";

// Job functions are the rows of the training matrix (migration 001), loaded from the content
// repository's job-functions.yaml at `quire init`. Training owns the table: every other module
// (documents, users, change-control, setup) reads and writes it through these functions.
// Who holds a function is the users module's `user_job_functions`.

/** Every job function, by name. */
export async function loadJobFunctions(db: Queryable): Promise<JobFunction[]> {
  return db.all<JobFunction>("SELECT id, name, description FROM job_functions ORDER BY name");
}

/** Job function names by id, for naming approval steps and curricula in messages and on pages. */
export async function jobFunctionNames(db: Queryable): Promise<Map<string, string>> {
  return new Map((await db.all<{ id: string; name: string }>("SELECT id, name FROM job_functions")).map((j) => [j.id, j.name]));
}

/** One job function's name, or null when no function has this id. */
export async function jobFunctionName(db: Queryable, id: string): Promise<string | null> {
  return (await db.get<{ name: string }>("SELECT name FROM job_functions WHERE id = ?", [id]))?.name ?? null;
}

/** Whether a job function with this id is defined. */
export async function isJobFunction(db: Queryable, id: string): Promise<boolean> {
  return (await db.get("SELECT 1 FROM job_functions WHERE id = ?", [id])) !== undefined;
}

/** The job function with the lowest id (a new document's default owner), or null when none is defined. */
export async function firstJobFunctionId(db: Queryable): Promise<string | null> {
  return (await db.get<{ id: string }>("SELECT id FROM job_functions ORDER BY id LIMIT 1"))?.id ?? null;
}

/** `quire init` only: defines a job function from the content's job-functions.yaml, audited as the system. */
export async function createJobFunction(tx: Tx, jf: JobFunction, at: Date): Promise<void> {
  await tx.run("INSERT INTO job_functions (id, name, description) VALUES (?, ?, ?)", [jf.id, jf.name, jf.description]);
  await recordAudit(tx, { ...SYSTEM_ACTOR, action: "job-function.create", objectType: "job-function", objectId: jf.id, newValues: jf }, at);
}
