import fs from "node:fs";
import path from "node:path";

import { parse as parseYaml } from "yaml";
import { z } from "zod";

import { isoDate } from "~/clock.server";
import type { Database, Queryable } from "~/db/db.server";
import { NewChangeRequestSchema } from "~/modules/change-control/change-control";
import {
  ChangeRequestError,
  approveChange,
  getChangeRequest,
  openChangeRequest,
  approvalRouteOf,
  saveDraft,
  signFunctionApproval,
  signReview,
  submitForReview,
  type Participant,
} from "~/modules/change-control/change-control.server";
import { checkContent, type SourceFile, type ValidDocument } from "~/modules/content/content";
import { MAIN_BRANCH, versionTag } from "~/modules/content/repository.server";
import { parseVersion } from "~/modules/documents/documents";
import { recordSeededVersions, versionsOf } from "~/modules/documents/versions.server";
import { recordSignature } from "~/modules/signatures/signatures.server";
import type { Quire } from "~/quire";

import { at, type DemoStep } from "./demo-timeline.server";
import { ContentInvalid, DEMO_BASELINE_APPROVER, approvalInstant, commitSeededVersion, type PlannedVersion } from "./seed.server";

// The demo's history (content/.demo/history.yaml): older versions, the change requests that made
// the later ones, and those left open. `quire init --demo` plays it through the same change-control
// calls as the browser; a plain `quire init` never reads it.

/** The day the demo QMS went live: documents without a history are version 1.0 from then. */
export const DEMO_GO_LIVE = "2025-02-03";

const YamlDate = z.union([z.iso.date(), z.date().transform((d) => isoDate(d))]);

const HistorySchema = z.strictObject({
  documents: z.record(
    z.string(),
    z
      .array(
        z.strictObject({
          version: z.string().regex(/^\d+\.\d+$/),
          source: z.string().optional(),
          effective: YamlDate,
          /** The day the version was approved, when it is not the default (see approvalDay). */
          approved: YamlDate.optional(),
          /** Committed by init (Quire-Seeded-By, no signatures) where a change request would be refused. */
          seeded: z.boolean().optional(),
          /** An urgent change: the quality manager's justification for less than the minimum training period. */
          urgent: z.string().min(20).optional(),
          reason: z.string().min(1),
        }),
      )
      .min(1),
  ),
  /** Change requests left open in the demo (not approved), so the workflow has something in flight. */
  open: z
    .array(
      z.strictObject({
        doc: z.string(),
        /** The draft's text: a file in .demo/. */
        draft: z.string(),
        reason: z.string().min(10),
        revision: z.enum(["major", "minor"]),
        /** How far it got: a draft, submitted for review, or submitted and reviewed (awaiting approval). */
        stage: z.enum(["draft", "in-review", "reviewed"]),
        /** Opened this many working days before init. */
        openedWorkingDaysAgo: z.number().int().min(1).max(20),
        /** Proposed to take effect this many days after init. */
        effectiveInDays: z.number().int().min(1).max(365),
      }),
    )
    .optional(),
});

/** A demo change request init leaves open (history.yaml `open`). */
export interface OpenDemoChange {
  doc: ValidDocument;
  draft: string;
  reason: string;
  revision: "major" | "minor";
  stage: "draft" | "in-review" | "reviewed";
  openedWorkingDaysAgo: number;
  effectiveInDays: number;
}

const HISTORY_FILE = path.join(".demo", "history.yaml");

function readHistoryFile(seedDir: string): z.infer<typeof HistorySchema> | null {
  const file = path.join(seedDir, HISTORY_FILE);
  if (!fs.existsSync(file)) return null;
  const parsed = HistorySchema.safeParse(parseYaml(fs.readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ContentInvalid([{ path: HISTORY_FILE, line: 1, column: 1, rule: "frontmatter", message: `${issue.path.join(".")}: ${issue.message}` }]);
  }
  return parsed.data;
}

/** A text from .demo/ for a document, checked like any document in the context of the current content. */
function demoText(seedDir: string, file: string, currentFile: ValidDocument, current: ValidDocument[], jobFunctions: SourceFile): ValidDocument {
  const source = fs.readFileSync(path.join(seedDir, ".demo", file), "utf8");
  const others = current.filter((f) => f !== currentFile);
  const check = checkContent([...others, { path: currentFile.path, source }], jobFunctions, new Set([currentFile.path]));
  const problems = check.problems.filter((p) => p.path === currentFile.path).map((p) => ({ ...p, path: `.demo/${file}` }));
  if (problems.length > 0) throw new ContentInvalid(problems);
  return check.documents.find((d) => d.path === currentFile.path)!;
}

function currentFileOf(current: ValidDocument[], id: string): ValidDocument {
  const currentFile = current.find((f) => f.path.endsWith(`/${id}.mdx`));
  if (!currentFile) throw new ContentInvalid([{ path: HISTORY_FILE, line: 1, column: 1, rule: "doc-ref", message: `history names unknown document ${id}` }]);
  return currentFile;
}

export function readOpenChanges(seedDir: string, current: ValidDocument[], jobFunctions: SourceFile): OpenDemoChange[] {
  return (readHistoryFile(seedDir)?.open ?? []).map((o) => ({ ...o, doc: demoText(seedDir, o.draft, currentFileOf(current, o.doc), current, jobFunctions) }));
}

export function readHistory(seedDir: string, current: ValidDocument[], jobFunctions: SourceFile): Map<string, PlannedVersion[]> {
  const history = readHistoryFile(seedDir);
  const result = new Map<string, PlannedVersion[]>();
  if (!history) return result;
  for (const [id, entries] of Object.entries(history.documents)) {
    const currentFile = currentFileOf(current, id);
    result.set(
      id,
      entries.map((e) => {
        if (e.approved && e.approved > e.effective) {
          throw new ContentInvalid([
            {
              path: HISTORY_FILE,
              line: 1,
              column: 1,
              rule: "frontmatter",
              message: `${id} v${e.version} is approved on ${e.approved}, after it takes effect on ${e.effective}`,
            },
          ]);
        }
        const version = {
          version: e.version,
          effective: e.effective,
          approved: e.approved ?? null,
          seeded: e.seeded ?? false,
          reason: e.reason,
          urgent: e.urgent ?? null,
        };
        // The current file passed the seed folder's check already.
        if (!e.source) return { doc: currentFile, ...version };
        // An older version is checked like any document, in the context of the current content.
        return { doc: demoText(seedDir, e.source, currentFile, current, jobFunctions), ...version };
      }),
    );
  }
  return result;
}

/**
 * Records the demo quality manager's Approved signature on each go-live version (the trailer is in
 * its commit already), bound to the version's content hash, with its audit row, in time order.
 */
export async function signDemoBaseline(db: Database, plan: PlannedVersion[], now: Date): Promise<Date | null> {
  const approver = await participant(db, DEMO_BASELINE_APPROVER.username);
  const signed = plan.map((v) => ({ v, at: approvalInstant(v, now, true) })).sort((a, b) => a.at.localeCompare(b.at));
  await db.transaction(async (tx) => {
    for (const { v, at } of signed) {
      const row = await tx.get<{ content_hash: string; commit_sha: string }>(
        "SELECT content_hash, commit_sha FROM document_versions WHERE doc_id = ? AND version = ?",
        [v.doc.frontmatter.id, v.version],
      );
      if (!row) throw new Error(`seeded version ${v.doc.frontmatter.id} v${v.version} is missing`);
      await recordSignature(tx, {
        crId: null,
        docId: v.doc.frontmatter.id,
        version: v.version,
        signer: approver,
        meaning: "Approved",
        contentHash: row.content_hash,
        commit: row.commit_sha,
        at: new Date(at),
      });
    }
  });
  const last = signed.at(-1);
  return last ? new Date(last.at) : null;
}

/**
 * When init records the go-live baseline: the first of its approvals (init commits each baseline
 * version at its approval instant, and its record must not come after its signature).
 */
export function baselineInstant(plan: PlannedVersion[], now: Date): Date {
  const first = plan.map((v) => approvalInstant(v, now, true)).sort()[0];
  return first ? new Date(first) : now;
}

/**
 * When the demo's system was set up, an hour before the baseline's first approval: the job
 * functions, the first commit of the content repository and the accounts of everyone who was there
 * at go-live date from then, so nobody signs or acts before their account exists.
 */
export function demoSetupInstant(plan: PlannedVersion[], now: Date): Date {
  const baseline = baselineInstant(plan, now);
  return baseline < now ? new Date(baseline.getTime() - 3_600_000) : now;
}

/** The date `days` working days (Monday to Friday) before `date`. */
function workingDaysBefore(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  for (let left = days; left > 0;) {
    d.setUTCDate(d.getUTCDate() - 1);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) left--;
  }
  return isoDate(d);
}

/**
 * The day a demo change was approved: the one history.yaml gives, else twelve working days before
 * it took effect (SOP-DC-001: at least ten for training). (A document that another change refers to
 * must be approved before that change is submitted, since a draft's references are checked against
 * main: history.yaml dates those.)
 */
export function approvalDay(v: PlannedVersion): string {
  return v.approved ?? workingDaysBefore(v.effective, 12);
}

/** Who signs a job function's approval in the demo (SOP-DC-001 step 5): its lead. */
const FUNCTION_LEADS: Record<string, string> = {
  cra: "cra2",
  "data-manager": "dm1",
  "training-coordinator": "trainer",
  "document-controller": "dc",
  "executive-management": "exec",
};

/** Signs every function approval the change's route needs before the final one, each by its demo lead. */
async function signDemoFunctionApprovals(q: Quire, crId: string, at: Date): Promise<void> {
  const cr = (await getChangeRequest(q.db, crId))!;
  const { steps } = await approvalRouteOf(q, cr);
  for (const step of steps.slice(0, -1)) {
    const lead = FUNCTION_LEADS[step];
    if (!lead) throw new ChangeRequestError(`the demo has no lead of ${step} to sign its approval of ${cr.docId}`);
    await signFunctionApproval(q, await participant(q.db, lead), crId, at);
  }
}

/** When each step of a demo change happened: opened and drafted a working week before approval, at office hours (UTC). */
function changeSchedule(v: PlannedVersion) {
  const approved = approvalDay(v);
  const opened = workingDaysBefore(approved, 5);
  return {
    open: at(opened, "10:00"),
    save: at(opened, "14:30"),
    submit: at(workingDaysBefore(approved, 2), "16:00"),
    review: at(workingDaysBefore(approved, 1), "11:00"),
    functionApprove: at(approved, "08:45"),
    approve: at(approved, "09:30"),
  };
}

async function participant(db: Queryable, username: string): Promise<Participant> {
  const u = await db.get<{ id: string; display_name: string; email: string }>("SELECT id, display_name, email FROM users WHERE username = ?", [username]);
  if (!u) throw new Error(`the demo user ${username} is missing`);
  return { userId: u.id, username, printedName: u.display_name, email: u.email, clientAddress: null };
}

/** A demo change the change-control path refuses is a fault in the seed content: say which. */
async function asSeedProblem(docId: string, version: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof ChangeRequestError)) throw error;
    const context = `demo history ${docId} v${version}`;
    if (error.problems.length > 0) throw new ContentInvalid(error.problems.map((p) => ({ ...p, message: `${context}: ${p.message}` })));
    throw new ContentInvalid([{ path: HISTORY_FILE, line: 1, column: 1, rule: "frontmatter", message: `${context}: ${error.message}` }]);
  }
}

/**
 * The steps that approved the demo's later versions, the way anyone's change is approved (one
 * path, real signatures): the demo author opens a change request and saves the version's text as
 * the draft, submits it (signs Authored), the reviewer signs Reviewed, the owner function's lead
 * signs its approval and the quality manager approves it (signs Approved: merge commit on main
 * with the signature trailers, tag, version, signature and audit rows), each on its historical
 * office-hour instant before the version took effect. Played in time order with everything else
 * (playDemo), so changes that overlap interleave as they happened. A version history.yaml marks
 * `seeded` is committed by init at its approval instant instead. Each approved tag is added to
 * `tags` in the order of approval. Each change costs 1 to 2 s (the draft is checked against the
 * whole of main three times), which is one reason the baseline stays seeded.
 */
export async function demoChangeSteps(q: Quire, changes: PlannedVersion[], now: Date, tags: string[]): Promise<DemoStep[]> {
  const author = await participant(q.db, "author");
  const reviewer = await participant(q.db, "reviewer");
  const approver = await participant(q.db, "qa");
  const steps: DemoStep[] = [];
  for (const v of changes) {
    const docId = v.doc.frontmatter.id;
    const name = `${docId} v${v.version}`;
    if (v.seeded) {
      const instant = new Date(approvalInstant(v, now, true));
      steps.push({
        at: instant,
        what: `${name} committed by init`,
        run: async () => {
          await commitSeededVersion(q.repo, (await q.repo.branchHead(MAIN_BRANCH))!, v, true, now);
          tags.push(...(await recordSeededVersions(q.db, q.repo, instant)));
          await signDemoBaseline(q.db, [v], now);
        },
      });
      continue;
    }
    const when = changeSchedule(v);
    // What the open step learns, for the steps after it.
    const change = { crId: "", previous: null as string | null, revision: "major" as "major" | "minor" };
    const step = (instant: Date, what: string, run: () => Promise<void>) =>
      steps.push({ at: instant, what: `${name}: ${what}`, run: () => asSeedProblem(docId, v.version, run) });
    step(when.open, "change request opened", async () => {
      change.previous = (await versionsOf(q.db, docId)).at(-1)?.version ?? null;
      change.revision = change.previous && parseVersion(change.previous)!.major === parseVersion(v.version)!.major ? "minor" : "major";
      const input = NewChangeRequestSchema.parse({
        target: change.previous ? "existing" : "new",
        docId,
        title: v.doc.frontmatter.title,
        type: v.doc.frontmatter.type,
        reason: v.reason,
        revision: change.revision,
        retrainingRequired: change.revision === "major",
        proposedEffectiveDate: v.effective,
        reviewerIds: [reviewer.userId],
      });
      change.crId = await openChangeRequest(q, author, input, when.open);
    });
    step(when.save, "draft saved", async () => {
      const cr = (await getChangeRequest(q.db, change.crId))!;
      if (cr.docPath !== v.doc.path) throw new ChangeRequestError(`a new ${v.doc.frontmatter.type} belongs at ${cr.docPath}, not ${v.doc.path}`);
      await saveDraft(q, author, change.crId, v.doc.source, (await q.repo.branchHead(cr.branch))!, when.save);
    });
    step(when.submit, "submitted", () => submitForReview(q, author, change.crId, when.submit));
    step(when.review, "reviewed", () => signReview(q, reviewer, change.crId, when.review));
    step(when.functionApprove, "function approvals", () => signDemoFunctionApprovals(q, change.crId, when.functionApprove));
    step(when.approve, "approved", async () => {
      // The demo's minor revisions are editorial: the approver decides nobody retrains, whatever Quire proposes.
      const choices = change.revision === "minor" ? Object.fromEntries(v.doc.frontmatter.audience.map((fn) => [fn, "notify"])) : {};
      const { version } = await approveChange(q, approver, change.crId, v.effective, when.approve, undefined, choices, v.urgent);
      if (version !== v.version) throw new ChangeRequestError(`after v${change.previous} a ${change.revision} change makes v${version}, not v${v.version}`);
      tags.push(versionTag(docId, version));
    });
  }
  return steps;
}

/**
 * The steps of the demo's open change requests, left where history.yaml says they stand: opened on
 * working days before init through the same calls a person's browser makes, a draft, one submitted
 * for review, one reviewed and awaiting the quality manager's approval.
 */
export async function openChangeSteps(q: Quire, open: OpenDemoChange[], now: Date): Promise<DemoStep[]> {
  const author = await participant(q.db, "author");
  const reviewer = await participant(q.db, "reviewer");
  const today = isoDate(now);
  const steps: DemoStep[] = [];
  for (const o of open) {
    const day = (n: number) => workingDaysBefore(today, n);
    const proposed = new Date(`${today}T00:00:00Z`);
    proposed.setUTCDate(proposed.getUTCDate() + o.effectiveInDays);
    const name = `open change to ${o.doc.frontmatter.id}`;
    const change = { crId: "" };
    const opened = at(day(o.openedWorkingDaysAgo), "10:00");
    steps.push({
      at: opened,
      what: `${name}: opened`,
      run: async () => {
        const input = NewChangeRequestSchema.parse({
          target: "existing",
          docId: o.doc.frontmatter.id,
          reason: o.reason,
          revision: o.revision,
          retrainingRequired: o.revision === "major",
          proposedEffectiveDate: isoDate(proposed),
          reviewerIds: [reviewer.userId],
        });
        change.crId = await openChangeRequest(q, author, input, opened);
      },
    });
    const saved = at(day(o.openedWorkingDaysAgo), "15:00");
    steps.push({
      at: saved,
      what: `${name}: draft saved`,
      run: async () => {
        const cr = (await getChangeRequest(q.db, change.crId))!;
        await saveDraft(q, author, change.crId, o.doc.source, (await q.repo.branchHead(cr.branch))!, saved);
      },
    });
    if (o.stage === "draft") continue;
    const submitted = at(day(Math.max(o.openedWorkingDaysAgo - 1, 1)), "16:00");
    steps.push({ at: submitted, what: `${name}: submitted`, run: () => submitForReview(q, author, change.crId, submitted) });
    if (o.stage !== "reviewed") continue;
    const reviewed = at(day(1), "11:00");
    steps.push({ at: reviewed, what: `${name}: reviewed`, run: () => signReview(q, reviewer, change.crId, reviewed) });
    // Awaiting the quality manager's final approval: the owner function has signed.
    const functionApproved = at(day(1), "15:00");
    steps.push({ at: functionApproved, what: `${name}: function approvals`, run: () => signDemoFunctionApprovals(q, change.crId, functionApproved) });
  }
  return steps;
}
