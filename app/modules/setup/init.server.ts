import fs from "node:fs";
import path from "node:path";

import { isoDate } from "~/clock.server";
import type { QuireConfig } from "~/config.server";
import { Database } from "~/db/db.server";
import type { Tx } from "~/db/db.server";
import { migrate } from "~/db/migrate.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { checkContent, type SourceFile } from "~/modules/content/content";
import { readContentFolder } from "~/modules/content/folder.server";
import { MdxRenderer, type MdxComponentSet } from "~/modules/content/render.server";
import { ContentRepository, MAIN_BRANCH, QUIRE_IDENTITY, versionTag } from "~/modules/content/repository.server";
import { versionTagMessage } from "~/modules/documents/version-commit";
import { documentCount, recordSeededVersions } from "~/modules/documents/versions.server";
import { anchorAuditHead } from "~/modules/integrity/anchor.server";
import { recordInitialMain } from "~/modules/integrity/content-writes.server";
import { recordDataFolderCreation } from "~/modules/settings/settings.server";
import { createJobFunction } from "~/modules/training/job-functions.server";
import { SYSTEM_ACTOR, insertUser, setManager } from "~/modules/users/users.server";
import { processAlive } from "~/process.server";
import type { Quire } from "~/quire";

import { demoCopySteps } from "./demo-copies.server";
import {
  DEMO_GO_LIVE,
  approvalDay,
  baselineInstant,
  demoChangeSteps,
  demoSetupInstant,
  openChangeSteps,
  readHistory,
  readOpenChanges,
  signDemoBaseline,
  type OpenDemoChange,
} from "./demo-history.server";
import { demoKpiSteps } from "./demo-kpis.server";
import { DemoClock, playDemo } from "./demo-timeline.server";
import { DemoTraining, demoTrainingRecordSteps } from "./demo-training.server";
import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users";
import { ContentInvalid, approvalInstant, commitSeededVersion, seededCommitMessage, type PlannedVersion } from "./seed.server";

export { ContentInvalid } from "./seed.server";

export class InitRefused extends Error {}
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
  /**
   * The components documents render with in the Quire the demo's history is played on: Quire's set
   * (quireMdxComponents in app/mdx-renderer.server.ts), handed in by the caller so that this module
   * imports no React components.
   */
  components: MdxComponentSet;
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
 * version, with its quiz if it has one, as a tagged commit with trailers) and quire.db recording
 * them; for the demo, the later versions of its history are then approved through change control
 * by the demo users. Everything is built in a temporary sibling folder and renamed into place at
 * the end, so a failure leaves nothing behind.
 */
export async function initDataFolder(options: InitOptions): Promise<InitSummary> {
  const { config, seedDir, demo, now, components } = options;
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
    // The demo's history is written in time order: what it dates before init happens at its instant,
    // in the order it happened, and init's own row comes last (demo-timeline.server.ts).
    const history = seed !== null && demo;
    const setupAt = history ? demoSetupInstant(seed.plan, now) : now;
    const baselineAt = history ? baselineInstant(seed.plan, now) : now;
    const db = await Database.open(stagedConfig.dbFile);
    try {
      await migrate(db);
      const seeding = seed ? seedRepository(stagedConfig.contentRepo, seed, demo, now, setupAt) : adoptRepository(stagedConfig.contentRepo, now);
      // The database is set up while git writes the seed: both mostly wait (on git processes, on
      // password hashing in the thread pool), so doing them side by side keeps the demo's init quick.
      const setUp = (async () => {
        const { jobFunctions } = checkContent([], seed ? seed.jobFunctions : (await (await seeding).readTree("HEAD")).jobFunctions);
        const adminPassword = await db.transaction(async (tx) => {
          if (!history) await recordInitRun(tx, demo, config, now);
          for (const jf of jobFunctions) await createJobFunction(tx, jf, setupAt);
          await recordDataFolderCreation(tx, now, demo);
          return createInitialUsers(tx, demo, new Set(jobFunctions.map((j) => j.id)), setupAt);
        });
        return { jobFunctions, adminPassword };
      })();
      const [repo, { jobFunctions, adminPassword }] = await both(seeding, setUp);
      const versions = await recordSeededVersions(db, repo, baselineAt, { adopt: seed === null });
      await recordInitialMain(db, repo, baselineAt);
      if (seed && demo) {
        const signed = await signDemoBaseline(db, seed.plan, now);
        const q: Quire = { config: stagedConfig, db, repo, renderer: new MdxRenderer(components, db, new Map(jobFunctions.map((j) => [j.id, j.name]))) };
        const clock = new DemoClock(now);
        clock.advance(signed ?? baselineAt, "the go-live baseline");
        const approved: string[] = [];
        const planned = new Set([...seed.plan, ...seed.changes].map((v) => `${v.doc.frontmatter.id} ${v.version}`));
        const steps = [
          ...(await demoChangeSteps(q, seed.changes, now, approved)),
          ...(await openChangeSteps(q, seed.open, now)),
          ...(await demoTrainingRecordSteps(q, now)),
          ...demoCopySteps(q, planned),
          ...demoKpiSteps(q, planned),
        ];
        // Staff join, train and acknowledge between the steps, in step with the history of approvals.
        await playDemo(clock, steps, new DemoTraining(q, clock));
        versions.push(...approved);
        await db.transaction((tx) => recordInitRun(tx, demo, config, now));
      }
      const documents = await documentCount(db);
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

/** The init run's own audit row. */
async function recordInitRun(tx: Tx, demo: boolean, config: QuireConfig, now: Date): Promise<void> {
  await recordAudit(
    tx,
    { ...SYSTEM_ACTOR, action: "system.init", objectType: "data-folder", objectId: null, newValues: { demo, contentRepo: config.contentRepo } },
    now,
  );
}

/** The sibling folder an init builds in: `<dataDir>.init-<pid>-<time>`, named by its owner's pid. */
function stagingFolderFor(dataDir: string): string {
  return `${path.resolve(dataDir)}.init-${process.pid}-${Date.now()}`;
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
  const check = checkContent([...folder.documents, ...folder.quizzes], folder.jobFunctions);
  if (check.problems.length > 0 || !folder.jobFunctions) throw new ContentInvalid(check.problems);
  const plan: PlannedVersion[] = [];
  const changes: PlannedVersion[] = [];
  const history = demo ? readHistory(seedDir, check.documents, folder.jobFunctions) : new Map<string, PlannedVersion[]>();
  const quizzes = new Map(check.quizzes.map((q) => [q.docPath, { path: q.path, source: q.source }]));
  for (const doc of check.documents) {
    const [planned, ...later] = history.get(doc.frontmatter.id) ?? [
      { doc, version: "1.0", effective: demo ? DEMO_GO_LIVE : today, approved: null, seeded: false, reason: "Initial issue." },
    ];
    const seededByInit = !demo || planned!.effective <= DEMO_GO_LIVE;
    // A quiz goes in with its document's first version, in the same commit, and stays in the tree
    // through later versions (the demo's quizzes therefore ask what every version of their document
    // says). Change control commits only the document, so a first version approved through a
    // change request could not carry it: refuse rather than leave the quiz out.
    const quiz = quizzes.get(doc.path);
    if (quiz && !seededByInit && !planned!.seeded) {
      throw new ContentInvalid([
        {
          path: quiz.path,
          line: 1,
          column: 1,
          rule: "quiz",
          message: `the first version of ${doc.frontmatter.id} is approved through a change request in the demo history, which commits only the document, so its quiz cannot go in with it`,
        },
      ]);
    }
    const first: PlannedVersion = quiz ? { ...planned!, quiz } : planned!;
    if (seededByInit) plan.push(first);
    else changes.push(first);
    changes.push(...later);
  }
  plan.sort((a, b) => a.effective.localeCompare(b.effective) || a.doc.frontmatter.id.localeCompare(b.doc.frontmatter.id));
  changes.sort((a, b) => approvalDay(a).localeCompare(approvalDay(b)) || a.doc.frontmatter.id.localeCompare(b.doc.frontmatter.id));
  const open = demo ? readOpenChanges(seedDir, check.documents, folder.jobFunctions) : [];
  return { plan, changes, open, jobFunctions: folder.jobFunctions };
}

async function seedRepository(dir: string, { plan, jobFunctions }: SeedPlan, demo: boolean, now: Date, setupAt: Date): Promise<ContentRepository> {
  const repo = await ContentRepository.create(dir);
  // The job functions go in when the system is set up: for the demo, before its go-live baseline was
  // approved. Document control's rules are in SOP-DC-001 (decision 017), seeded with the documents.
  const firstDate = demo ? setupAt.toISOString() : plan[0] ? approvalInstant(plan[0], now, demo) : now.toISOString();
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
  const check = checkContent([...tree.documents, ...tree.quizzes], tree.jobFunctions);
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
    // Recent starters get their accounts when they join, as the demo's history is played (DemoTraining).
    const present = DEMO_USERS.filter((d) => d.joinedWorkingDaysAgo === undefined);
    const ids = new Map<string, string>();
    for (const u of present) {
      const { id } = await insertUser(
        tx,
        { ...u, email: `${u.username}@demo.quire.invalid`, jobFunctions: u.jobFunctions.filter((j) => jobFunctions.has(j)), password: DEMO_PASSWORD },
        SYSTEM_ACTOR,
        now,
      );
      ids.set(u.username, id);
    }
    // Line managers once everyone exists (qa's own is listed after qa).
    for (const u of present) if (u.manager) await setManager(tx, ids.get(u.username)!, ids.get(u.manager)!, SYSTEM_ACTOR, now);
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
