import fs from "node:fs";
import path from "node:path";

import { parse as parseYaml } from "yaml";
import { z } from "zod";

import { isoDate } from "~/clock.server";
import type { QuireConfig } from "~/config.server";
import type { Quire } from "~/context.server";
import { Database } from "~/db/db.server";
import { migrate } from "~/db/migrate.server";
import { NewChangeRequestSchema } from "~/modules/change-control/change-control";
import {
  ChangeRequestError,
  approveChange,
  getChangeRequest,
  openChangeRequest,
  saveDraft,
  signReview,
  submitForReview,
  type Participant,
} from "~/modules/change-control/change-control.server";
import { checkContent, type SourceFile, type ValidDocument } from "~/modules/content/content";
import { readContentFolder } from "~/modules/content/folder.server";
import type { Problem } from "~/modules/content/problems";
import { MdxRenderer, sha256 } from "~/modules/content/render.server";
import { ContentRepository, MAIN_BRANCH, QUIRE_IDENTITY, versionTag } from "~/modules/content/repository.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { parseVersion } from "~/modules/documents/documents";
import { versionCommitMessage, versionTagMessage, type SignatureTrailerFields } from "~/modules/documents/version-commit";
import { recordSeededVersions, versionsOf } from "~/modules/documents/versions.server";
import { anchorAuditHead } from "~/modules/integrity/anchor.server";
import { recordInitialMain } from "~/modules/integrity/content-writes.server";
import { recordSignature } from "~/modules/signatures/signatures.server";
import { SYSTEM_ACTOR, insertUser } from "~/modules/users/users.server";
import type { Queryable, Tx } from "~/db/db.server";

import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users";

export class InitRefused extends Error {}
export class ContentInvalid extends Error {
  constructor(readonly problems: Problem[]) {
    super(`The content has ${problems.length} problem(s); nothing was created.`);
  }
}

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

export interface PlannedVersion {
  doc: ValidDocument;
  version: string;
  effective: string;
  /** The approval day history.yaml gives, if any. */
  approved: string | null;
  /** history.yaml asks init to commit this later version itself instead of approving it through a change request. */
  seeded: boolean;
  reason: string;
}

export interface SeedPlan {
  /** Versions init commits itself (trailers + Quire-Seeded-By), in date order: the baseline. */
  plan: PlannedVersion[];
  /** Demo versions after go-live, approved through change requests once the users exist (unless `seeded`), in approval order. */
  changes: PlannedVersion[];
  /** Demo change requests left open after the history: a draft, one in review, one awaiting approval. */
  open: OpenDemoChange[];
  jobFunctions: SourceFile;
}

export interface InitOptions {
  config: QuireConfig;
  /** The folder whose content seeds the repository (the project's content/). */
  seedDir: string;
  demo: boolean;
  now: Date;
}

export interface InitSummary {
  dataDir: string;
  contentRepo: string;
  documents: number;
  versions: string[];
  /** The administrator's one-time password (plain init only; the demo users share DEMO_PASSWORD). */
  adminPassword: string | null;
}

/** True when the data folder already holds Quire data. */
export function dataFolderInUse(config: QuireConfig): boolean {
  return fs.existsSync(config.dbFile) || (!config.externalContentRepo && fs.existsSync(config.contentRepo));
}

/**
 * Creates a data folder: the content repository seeded from `seedDir` (each document's first
 * version as a tagged commit with trailers) and quire.db recording them; for the demo, the later
 * versions of its history are then approved through change control by the demo users. Everything
 * is built in a temporary sibling folder and renamed into place at the end, so a failure leaves
 * nothing behind.
 */
export async function initDataFolder(options: InitOptions): Promise<InitSummary> {
  const { config, seedDir, demo, now } = options;
  removeAbandonedStaging(config.dataDir);
  if (dataFolderInUse(config)) {
    throw new InitRefused(`${config.dataDir} already holds Quire data; nothing was changed. Use another QUIRE_DATA_DIR or remove it.`);
  }
  if (fs.existsSync(config.dataDir) && fs.readdirSync(config.dataDir).length > 0) {
    throw new InitRefused(`${config.dataDir} is not empty; nothing was changed. Point QUIRE_DATA_DIR at a new or empty folder.`);
  }
  const staging = stagingFolderFor(config.dataDir);
  try {
    fs.mkdirSync(staging, { recursive: true });
    const stagedConfig: QuireConfig = {
      ...config,
      dataDir: staging,
      dbFile: path.join(staging, "quire.db"),
      contentRepo: config.externalContentRepo ? config.contentRepo : path.join(staging, "content"),
    };
    const seed = config.externalContentRepo ? null : planSeed(seedDir, demo, isoDate(now));
    const db = await Database.open(stagedConfig.dbFile);
    try {
      await migrate(db);
      const seeding = seed ? seedRepository(stagedConfig.contentRepo, seed, demo, now) : adoptRepository(stagedConfig.contentRepo, now);
      // The database is set up while git writes the seed: both mostly wait (on git processes, on
      // password hashing in the thread pool), so doing them side by side keeps the demo's init quick.
      const setUp = (async () => {
        const { jobFunctions } = checkContent([], seed ? seed.jobFunctions : (await (await seeding).readTree("HEAD")).jobFunctions);
        const adminPassword = await db.transaction(async (tx) => {
          await recordAudit(
            tx,
            { ...SYSTEM_ACTOR, action: "system.init", objectType: "data-folder", objectId: null, newValues: { demo, contentRepo: config.contentRepo } },
            now,
          );
          for (const jf of jobFunctions) {
            await tx.run("INSERT INTO job_functions (id, name, description) VALUES (?, ?, ?)", [jf.id, jf.name, jf.description]);
            await recordAudit(tx, { ...SYSTEM_ACTOR, action: "job-function.create", objectType: "job-function", objectId: jf.id, newValues: jf }, now);
          }
          await tx.run("INSERT INTO settings (key, value) VALUES ('created_at', ?), ('demo', ?)", [now.toISOString(), demo ? "true" : "false"]);
          return createInitialUsers(tx, demo, new Set(jobFunctions.map((j) => j.id)), now);
        });
        return { jobFunctions, adminPassword };
      })();
      const [repo, { jobFunctions, adminPassword }] = await both(seeding, setUp);
      const versions = await recordSeededVersions(db, repo, now, { adopt: seed === null });
      await recordInitialMain(db, repo, now);
      if (seed && demo) await signDemoBaseline(db, seed.plan, now);
      if (seed && seed.changes.length > 0) {
        const q: Quire = { config: stagedConfig, db, repo, renderer: new MdxRenderer(db, new Map(jobFunctions.map((j) => [j.id, j.name]))) };
        versions.push(...(await approveDemoHistory(q, seed.changes, now)));
        await openDemoChanges(q, seed.open, now);
      }
      const documents = (await db.get<{ n: number }>("SELECT count(*) AS n FROM documents"))!.n;
      // The trail as init leaves it is anchored in git from the start (docs/decisions/008).
      await anchorAuditHead(db, repo, now);
      await db.close();
      if (fs.existsSync(config.dataDir)) fs.rmdirSync(config.dataDir);
      fs.renameSync(staging, config.dataDir);
      return { dataDir: config.dataDir, contentRepo: config.contentRepo, documents, versions, adminPassword };
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The sibling folder an init builds in: `<dataDir>.init-<pid>-<time>`, named by its owner's pid. */
function stagingFolderFor(dataDir: string): string {
  return `${path.resolve(dataDir)}.init-${process.pid}-${Date.now()}`;
}

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the staging folders of this data folder left by an init that was killed (SIGKILL, power
 * loss) before it could clean up: those whose owning process no longer runs. A staging folder whose
 * process is alive is another init at work and is left alone. Returns the folders removed.
 */
export function removeAbandonedStaging(dataDir: string): string[] {
  const resolved = path.resolve(dataDir);
  const parent = path.dirname(resolved);
  const prefix = `${path.basename(resolved)}.init-`;
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return []; // no parent folder yet: nothing can have been staged there
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)-\d+$/.exec(name.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    const folder = path.join(parent, name);
    fs.rmSync(folder, { recursive: true, force: true });
    removed.push(folder);
  }
  return removed;
}

/** Waits for both, so that nothing is still writing when a failure removes the staging folder. */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === "rejected") throw ra.reason;
  if (rb.status === "rejected") throw rb.reason;
  return [ra.value, rb.value];
}

/**
 * Validates the seed folder (and the demo history) and plans every version. A document's first
 * version, when it took effect by go-live (or any version of a plain init), is committed by init
 * itself: there must be approved content before anything can change. Every later demo version,
 * and every document first issued after go-live, is approved through a change request, so it
 * carries real signatures (unless history.yaml marks it `seeded`). Approving the baseline through
 * change requests too would add 1 to 2 s per document, some 30 s to the demo's init (see
 * approveDemoHistory), and its texts refer to documents first issued later, which change control
 * would rightly refuse.
 */
export function planSeed(seedDir: string, demo: boolean, today: string): SeedPlan {
  const folder = readContentFolder(seedDir);
  const check = checkContent(folder.documents, folder.jobFunctions);
  if (check.problems.length > 0 || !folder.jobFunctions) throw new ContentInvalid(check.problems);
  const plan: PlannedVersion[] = [];
  const changes: PlannedVersion[] = [];
  const history = demo ? readHistory(seedDir, check.documents, folder.jobFunctions) : new Map<string, PlannedVersion[]>();
  for (const doc of check.documents) {
    const [first, ...later] = history.get(doc.frontmatter.id) ?? [
      { doc, version: "1.0", effective: demo ? DEMO_GO_LIVE : today, approved: null, seeded: false, reason: "Initial issue." },
    ];
    if (!demo || first!.effective <= DEMO_GO_LIVE) plan.push(first!);
    else changes.push(first!);
    changes.push(...later);
  }
  plan.sort((a, b) => a.effective.localeCompare(b.effective) || a.doc.frontmatter.id.localeCompare(b.doc.frontmatter.id));
  changes.sort((a, b) => approvalDay(a).localeCompare(approvalDay(b)) || a.doc.frontmatter.id.localeCompare(b.doc.frontmatter.id));
  const open = demo ? readOpenChanges(seedDir, check.documents, folder.jobFunctions) : [];
  return { plan, changes, open, jobFunctions: folder.jobFunctions };
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

function readOpenChanges(seedDir: string, current: ValidDocument[], jobFunctions: SourceFile): OpenDemoChange[] {
  return (readHistoryFile(seedDir)?.open ?? []).map((o) => ({ ...o, doc: demoText(seedDir, o.draft, currentFileOf(current, o.doc), current, jobFunctions) }));
}

function readHistory(seedDir: string, current: ValidDocument[], jobFunctions: SourceFile): Map<string, PlannedVersion[]> {
  const history = readHistoryFile(seedDir);
  const result = new Map<string, PlannedVersion[]>();
  if (!history) return result;
  for (const [id, entries] of Object.entries(history.documents)) {
    const currentFile = currentFileOf(current, id);
    result.set(
      id,
      entries.map((e) => {
        if (e.approved && e.approved > e.effective) {
          throw new ContentInvalid([{ path: HISTORY_FILE, line: 1, column: 1, rule: "frontmatter", message: `${id} v${e.version} is approved on ${e.approved}, after it takes effect on ${e.effective}` }]);
        }
        const version = { version: e.version, effective: e.effective, approved: e.approved ?? null, seeded: e.seeded ?? false, reason: e.reason };
        // The current file passed the seed folder's check already.
        if (!e.source) return { doc: currentFile, ...version };
        // An older version is checked like any document, in the context of the current content.
        return { doc: demoText(seedDir, e.source, currentFile, current, jobFunctions), ...version };
      }),
    );
  }
  return result;
}

/** A version init commits itself: its commit in the one version-commit format. */
function seededCommitMessage(v: PlannedVersion, seededBy: string, approval: SignatureTrailerFields | null): string {
  return versionCommitMessage({
    docId: v.doc.frontmatter.id,
    version: v.version,
    title: v.doc.frontmatter.title,
    path: v.doc.path,
    effectiveDate: v.effective,
    reason: v.reason,
    // SOP-DC-001: a major version (a first issue included) changes what staff do, so they are trained on it.
    retrainingRequired: parseVersion(v.version)!.minor === 0,
    signatures: approval ? [approval] : [],
    seededBy,
  });
}

async function seedRepository(dir: string, { plan, jobFunctions }: SeedPlan, demo: boolean, now: Date): Promise<ContentRepository> {
  const repo = await ContentRepository.create(dir);
  const firstDate = plan[0] ? approvalInstant(plan[0], now, demo) : now.toISOString();
  let head = await repo.commit({
    branch: MAIN_BRANCH,
    base: null,
    expectedHead: null,
    files: [jobFunctions],
    message: "Job functions of the training matrix\n",
    author: QUIRE_IDENTITY,
    date: firstDate,
  });
  for (const v of plan) head = await commitSeededVersion(repo, head, v, demo, now);
  return repo;
}

/** Commits and tags one version on main as init's own (Quire-Seeded-By), returning the new head. */
/** Who approved the demo's go-live baseline: the demo quality manager. */
const DEMO_BASELINE_APPROVER = DEMO_USERS.find((u) => u.username === "qa")!;

async function commitSeededVersion(repo: ContentRepository, head: string, v: PlannedVersion, demo: boolean, now: Date): Promise<string> {
  const date = approvalInstant(v, now, demo);
  // The demo's baseline carries the quality manager's approval like every later version; a plain
  // init adopts content approved outside Quire, so it has no e-signature.
  const approval: SignatureTrailerFields | null = demo
    ? { meaning: "Approved", printedName: DEMO_BASELINE_APPROVER.displayName, username: DEMO_BASELINE_APPROVER.username, signedAt: date, contentHash: sha256(v.doc.source) }
    : null;
  const commit = await repo.commit({
    branch: MAIN_BRANCH,
    base: head,
    expectedHead: head,
    files: [{ path: v.doc.path, source: v.doc.source }],
    message: seededCommitMessage(v, demo ? "quire init --demo" : "quire init", approval),
    author: QUIRE_IDENTITY,
    date,
  });
  await repo.tag(versionTag(v.doc.frontmatter.id, v.version), commit, versionTagMessage(v.doc.frontmatter.id, v.version, v.effective, null), date);
  return commit;
}

/**
 * Records the demo quality manager's Approved signature on each go-live version (the trailer is in
 * its commit already), bound to the version's content hash, with its audit row.
 */
async function signDemoBaseline(db: Database, plan: PlannedVersion[], now: Date): Promise<void> {
  const approver = await participant(db, DEMO_BASELINE_APPROVER.username);
  await db.transaction(async (tx) => {
    for (const v of plan) {
      const row = await tx.get<{ content_hash: string; commit_sha: string }>("SELECT content_hash, commit_sha FROM document_versions WHERE doc_id = ? AND version = ?", [v.doc.frontmatter.id, v.version]);
      if (!row) throw new Error(`seeded version ${v.doc.frontmatter.id} v${v.version} is missing`);
      await recordSignature(tx, { crId: null, docId: v.doc.frontmatter.id, version: v.version, signer: approver, meaning: "Approved", contentHash: row.content_hash, commit: row.commit_sha, at: new Date(approvalInstant(v, now, true)) });
    }
  });
}

/** Seeded demo versions were approved two weeks before they took effect (or on their `approved` day); a plain init approves now. */
function approvalInstant(v: PlannedVersion, now: Date, demo: boolean): string {
  if (!demo) return now.toISOString();
  if (v.approved) return `${v.approved}T10:00:00.000Z`;
  const d = new Date(`${v.effective}T10:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 14);
  return d.toISOString();
}

/** The date `days` working days (Monday to Friday) before `date`. */
function workingDaysBefore(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  for (let left = days; left > 0; ) {
    d.setUTCDate(d.getUTCDate() - 1);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) left--;
  }
  return isoDate(d);
}

/**
 * The day a demo change was approved: the one history.yaml gives, else one working week before it
 * took effect. (A document that another change refers to must be approved before that change is
 * submitted, since a draft's references are checked against main: history.yaml dates those.)
 */
function approvalDay(v: PlannedVersion): string {
  return v.approved ?? workingDaysBefore(v.effective, 5);
}

/** When each step of a demo change happened: opened and drafted a working week before approval, at office hours (UTC). */
function changeSchedule(v: PlannedVersion) {
  const approved = approvalDay(v);
  const at = (date: string, time: string) => new Date(`${date}T${time}:00.000Z`);
  const opened = workingDaysBefore(approved, 5);
  return {
    open: at(opened, "10:00"),
    save: at(opened, "14:30"),
    submit: at(workingDaysBefore(approved, 2), "16:00"),
    review: at(workingDaysBefore(approved, 1), "11:00"),
    approve: at(approved, "09:30"),
  };
}

async function participant(db: Queryable, username: string): Promise<Participant> {
  const u = await db.get<{ id: string; display_name: string; email: string }>("SELECT id, display_name, email FROM users WHERE username = ?", [username]);
  if (!u) throw new Error(`the demo user ${username} is missing`);
  return { userId: u.id, username, printedName: u.display_name, email: u.email, clientAddress: null };
}

/**
 * Approves the demo's later versions the way anyone's change is approved (one path, real
 * signatures): the demo author opens a change request and saves the version's text as the draft,
 * submits it (signs Authored), the reviewer signs Reviewed, and the quality manager approves it
 * (signs Approved: merge commit on main with the signature trailers, tag, version, signature and
 * audit rows), on historical office-hour instants before the version took effect. A version
 * history.yaml marks `seeded` is committed by init at its place in the sequence instead. Returns
 * the tags. Each change costs 1 to 2 s (the draft is checked against the whole of main three times),
 * which is one reason the baseline stays seeded.
 */
async function approveDemoHistory(q: Quire, changes: PlannedVersion[], now: Date): Promise<string[]> {
  const author = await participant(q.db, "author");
  const reviewer = await participant(q.db, "reviewer");
  const approver = await participant(q.db, "qa");
  const tags: string[] = [];
  for (const v of changes) {
    if (v.seeded) {
      await commitSeededVersion(q.repo, (await q.repo.branchHead(MAIN_BRANCH))!, v, true, now);
      // Recorded at its place in the history, like the changes around it.
      tags.push(...(await recordSeededVersions(q.db, q.repo, new Date(approvalInstant(v, now, true)))));
      await signDemoBaseline(q.db, [v], now);
      continue;
    }
    const docId = v.doc.frontmatter.id;
    const previous = (await versionsOf(q.db, docId)).at(-1)?.version ?? null;
    const revision = previous && parseVersion(previous)!.major === parseVersion(v.version)!.major ? "minor" : "major";
    const when = changeSchedule(v);
    try {
      const input = NewChangeRequestSchema.parse({
        target: previous ? "existing" : "new",
        docId,
        title: v.doc.frontmatter.title,
        type: v.doc.frontmatter.type,
        reason: v.reason,
        revision,
        retrainingRequired: revision === "major",
        proposedEffectiveDate: v.effective,
        reviewerIds: [reviewer.userId],
      });
      const crId = await openChangeRequest(q, author, input, when.open);
      const cr = (await getChangeRequest(q.db, crId))!;
      if (cr.docPath !== v.doc.path) throw new ChangeRequestError(`a new ${v.doc.frontmatter.type} belongs at ${cr.docPath}, not ${v.doc.path}`);
      await saveDraft(q, author, crId, v.doc.source, (await q.repo.branchHead(cr.branch))!, when.save);
      await submitForReview(q, author, crId, when.submit);
      await signReview(q, reviewer, crId, when.review);
      const { version } = await approveChange(q, approver, crId, v.effective, when.approve);
      if (version !== v.version) throw new ChangeRequestError(`after v${previous} a ${revision} change makes v${version}, not v${v.version}`);
      tags.push(versionTag(docId, version));
    } catch (error) {
      if (!(error instanceof ChangeRequestError)) throw error;
      // A demo version the change-control path refuses is a fault in the seed content: say which.
      const context = `demo history ${docId} v${v.version}`;
      if (error.problems.length > 0) throw new ContentInvalid(error.problems.map((p) => ({ ...p, message: `${context}: ${p.message}` })));
      throw new ContentInvalid([{ path: HISTORY_FILE, line: 1, column: 1, rule: "frontmatter", message: `${context}: ${error.message}` }]);
    }
  }
  return tags;
}

/**
 * Leaves the demo's open change requests where history.yaml says they stand, opened on working
 * days before init through the same calls a person's browser makes: a draft, one submitted for
 * review, one reviewed and awaiting the quality manager's approval.
 */
async function openDemoChanges(q: Quire, open: OpenDemoChange[], now: Date): Promise<void> {
  const author = await participant(q.db, "author");
  const reviewer = await participant(q.db, "reviewer");
  const today = isoDate(now);
  for (const o of open) {
    const day = (n: number) => workingDaysBefore(today, n);
    const at = (date: string, time: string) => new Date(`${date}T${time}:00.000Z`);
    const proposed = new Date(`${today}T00:00:00Z`);
    proposed.setUTCDate(proposed.getUTCDate() + o.effectiveInDays);
    const input = NewChangeRequestSchema.parse({
      target: "existing",
      docId: o.doc.frontmatter.id,
      reason: o.reason,
      revision: o.revision,
      retrainingRequired: o.revision === "major",
      proposedEffectiveDate: isoDate(proposed),
      reviewerIds: [reviewer.userId],
    });
    const crId = await openChangeRequest(q, author, input, at(day(o.openedWorkingDaysAgo), "10:00"));
    const cr = (await getChangeRequest(q.db, crId))!;
    await saveDraft(q, author, crId, o.doc.source, (await q.repo.branchHead(cr.branch))!, at(day(o.openedWorkingDaysAgo), "15:00"));
    if (o.stage === "draft") continue;
    await submitForReview(q, author, crId, at(day(Math.max(o.openedWorkingDaysAgo - 1, 1)), "16:00"));
    if (o.stage === "reviewed") await signReview(q, reviewer, crId, at(day(1), "11:00"));
  }
}

/**
 * Adopts an existing repository (QUIRE_CONTENT_REPO): its content must validate at HEAD; documents
 * with no version tag yet get version 1.0 at HEAD, effective today.
 */
async function adoptRepository(dir: string, now: Date): Promise<ContentRepository> {
  const repo = new ContentRepository(dir);
  if (!(await repo.isRepository()) || !(await repo.head())) {
    throw new InitRefused(`QUIRE_CONTENT_REPO=${dir} is not a git repository with at least one commit.`);
  }
  const tree = await repo.readTree("HEAD");
  const check = checkContent(tree.documents, tree.jobFunctions);
  if (check.problems.length > 0) throw new ContentInvalid(check.problems);
  const tagged = new Set((await repo.versionTags()).map((t) => t.tag.split("/")[0]));
  const untagged = check.documents.filter((d) => !tagged.has(d.frontmatter.id));
  const branch = await repo.currentBranch();
  let head = (await repo.head())!;
  for (const doc of untagged) {
    const v: PlannedVersion = { doc, version: "1.0", effective: isoDate(now), approved: null, seeded: false, reason: "Initial issue on adoption by Quire." };
    // An empty commit on the repository's own branch carries the version's trailers.
    head = await repo.commit({
      branch,
      base: head,
      expectedHead: head,
      files: [],
      message: seededCommitMessage(v, "quire init", null),
      author: QUIRE_IDENTITY,
      date: now.toISOString(),
    });
    await repo.tag(versionTag(doc.frontmatter.id, "1.0"), head, versionTagMessage(doc.frontmatter.id, "1.0", v.effective, null), now.toISOString());
  }
  return repo;
}

/**
 * The demo gets its named users (README); a plain data folder gets one administrator with a
 * one-time password that must be changed at first sign-in.
 */
async function createInitialUsers(tx: Tx, demo: boolean, jobFunctions: ReadonlySet<string>, now: Date): Promise<string | null> {
  if (demo) {
    for (const u of DEMO_USERS) {
      await insertUser(
        tx,
        { ...u, email: `${u.username}@demo.quire.invalid`, jobFunctions: u.jobFunctions.filter((j) => jobFunctions.has(j)), password: DEMO_PASSWORD },
        SYSTEM_ACTOR,
        now,
      );
    }
    return null;
  }
  const { temporaryPassword } = await insertUser(
    tx,
    { username: "admin", displayName: "Administrator", email: "admin@localhost", roles: ["administrator"], jobFunctions: [] },
    SYSTEM_ACTOR,
    now,
  );
  return temporaryPassword;
}
