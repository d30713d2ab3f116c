import fs from "node:fs";
import path from "node:path";

import { parse as parseYaml } from "yaml";
import { z } from "zod";

import { isoDate } from "~/clock.server";
import type { QuireConfig } from "~/config.server";
import { Database } from "~/db/db.server";
import { migrate } from "~/db/migrate.server";
import { checkContent, type SourceFile, type ValidDocument } from "~/modules/content/content";
import { readContentFolder } from "~/modules/content/folder.server";
import type { Problem } from "~/modules/content/problems";
import { ContentRepository, MAIN_BRANCH, QUIRE_IDENTITY, versionTag } from "~/modules/content/repository.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { TRAILER, registerTaggedVersions } from "~/modules/documents/versions.server";
import { SYSTEM_ACTOR, insertUser } from "~/modules/users/users.server";
import type { Tx } from "~/db/db.server";

import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users";

export class InitRefused extends Error {}
export class ContentInvalid extends Error {
  constructor(readonly problems: Problem[]) {
    super(`The content has ${problems.length} problem(s); nothing was created.`);
  }
}

/** The day the demo QMS went live: documents without a history are version 1.0 from then. */
export const DEMO_GO_LIVE = "2025-02-03";

const HistorySchema = z.strictObject({
  documents: z.record(
    z.string(),
    z
      .array(
        z.strictObject({
          version: z.string().regex(/^\d+\.\d+$/),
          source: z.string().optional(),
          effective: z.union([z.iso.date(), z.date().transform((d) => isoDate(d))]),
          reason: z.string().min(1),
        }),
      )
      .min(1),
  ),
});

export interface PlannedVersion {
  doc: ValidDocument;
  version: string;
  effective: string;
  reason: string;
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
 * Creates a data folder: the content repository seeded from `seedDir` (each document's versions
 * as tagged commits with trailers) and quire.db recording them. Everything is built in a
 * temporary sibling folder and renamed into place at the end, so a failure leaves nothing behind.
 */
export async function initDataFolder(options: InitOptions): Promise<InitSummary> {
  const { config, seedDir, demo, now } = options;
  if (dataFolderInUse(config)) {
    throw new InitRefused(`${config.dataDir} already holds Quire data; nothing was changed. Use another QUIRE_DATA_DIR or remove it.`);
  }
  if (fs.existsSync(config.dataDir) && fs.readdirSync(config.dataDir).length > 0) {
    throw new InitRefused(`${config.dataDir} is not empty; nothing was changed. Point QUIRE_DATA_DIR at a new or empty folder.`);
  }
  const staging = `${config.dataDir}.init-${process.pid}-${Date.now()}`;
  try {
    fs.mkdirSync(staging, { recursive: true });
    const stagedConfig: QuireConfig = {
      ...config,
      dataDir: staging,
      dbFile: path.join(staging, "quire.db"),
      contentRepo: config.externalContentRepo ? config.contentRepo : path.join(staging, "content"),
    };
    const repo = config.externalContentRepo
      ? await adoptRepository(stagedConfig.contentRepo, now)
      : await seedRepository(stagedConfig.contentRepo, seedDir, demo, now);
    const db = await Database.open(stagedConfig.dbFile);
    try {
      await migrate(db);
      const head = await repo.readTree("HEAD");
      const check = checkContent(head.documents, head.jobFunctions);
      const adminPassword = await db.transaction(async (tx) => {
        await recordAudit(
          tx,
          { ...SYSTEM_ACTOR, action: "system.init", objectType: "data-folder", objectId: null, newValues: { demo, contentRepo: config.contentRepo } },
          now,
        );
        for (const jf of check.jobFunctions) {
          await tx.run("INSERT INTO job_functions (id, name, description) VALUES (?, ?, ?)", [jf.id, jf.name, jf.description]);
          await recordAudit(tx, { ...SYSTEM_ACTOR, action: "job-function.create", objectType: "job-function", objectId: jf.id, newValues: jf }, now);
        }
        await tx.run("INSERT INTO settings (key, value) VALUES ('created_at', ?), ('demo', ?)", [now.toISOString(), demo ? "true" : "false"]);
        return createInitialUsers(tx, demo, new Set(check.jobFunctions.map((j) => j.id)), now);
      });
      const versions = await registerTaggedVersions(db, repo, now);
      await db.close();
      if (fs.existsSync(config.dataDir)) fs.rmdirSync(config.dataDir);
      fs.renameSync(staging, config.dataDir);
      return { dataDir: config.dataDir, contentRepo: config.contentRepo, documents: check.documents.length, versions, adminPassword };
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Validates the seed folder (and the demo history) and plans every version in date order. */
export function planSeed(seedDir: string, demo: boolean, today: string): { plan: PlannedVersion[]; jobFunctions: SourceFile } {
  const folder = readContentFolder(seedDir);
  const check = checkContent(folder.documents, folder.jobFunctions);
  if (check.problems.length > 0 || !folder.jobFunctions) throw new ContentInvalid(check.problems);
  const plan: PlannedVersion[] = [];
  const history = demo ? readHistory(seedDir, folder.documents, folder.jobFunctions) : new Map<string, PlannedVersion[]>();
  for (const doc of check.documents) {
    const versions = history.get(doc.frontmatter.id);
    if (versions) plan.push(...versions);
    else plan.push({ doc, version: "1.0", effective: demo ? DEMO_GO_LIVE : today, reason: "Initial issue." });
  }
  plan.sort((a, b) => a.effective.localeCompare(b.effective) || a.doc.frontmatter.id.localeCompare(b.doc.frontmatter.id));
  return { plan, jobFunctions: folder.jobFunctions };
}

const HISTORY_FILE = path.join(".demo", "history.yaml");

function readHistory(seedDir: string, current: SourceFile[], jobFunctions: SourceFile): Map<string, PlannedVersion[]> {
  const file = path.join(seedDir, HISTORY_FILE);
  if (!fs.existsSync(file)) return new Map();
  const parsed = HistorySchema.safeParse(parseYaml(fs.readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ContentInvalid([{ path: HISTORY_FILE, line: 1, column: 1, rule: "frontmatter", message: `${issue.path.join(".")}: ${issue.message}` }]);
  }
  const result = new Map<string, PlannedVersion[]>();
  for (const [id, entries] of Object.entries(parsed.data.documents)) {
    const currentFile = current.find((f) => f.path.endsWith(`/${id}.mdx`));
    if (!currentFile) throw new ContentInvalid([{ path: HISTORY_FILE, line: 1, column: 1, rule: "doc-ref", message: `history names unknown document ${id}` }]);
    result.set(
      id,
      entries.map((e) => {
        // An older version is checked like any document, in the context of the current content.
        const source = e.source ? fs.readFileSync(path.join(seedDir, ".demo", e.source), "utf8") : currentFile.source;
        const others = current.filter((f) => f !== currentFile);
        const check = checkContent([...others, { path: currentFile.path, source }], jobFunctions);
        const problems = check.problems.filter((p) => p.path === currentFile.path).map((p) => ({ ...p, path: `.demo/${e.source ?? currentFile.path}` }));
        if (problems.length > 0) throw new ContentInvalid(problems);
        const doc = check.documents.find((d) => d.path === currentFile.path)!;
        return { doc, version: e.version, effective: e.effective, reason: e.reason };
      }),
    );
  }
  return result;
}

export function versionCommitMessage(v: PlannedVersion, extraTrailers: [string, string][] = []): string {
  const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
  const trailers: [string, string][] = [
    [TRAILER.document, v.doc.frontmatter.id],
    [TRAILER.version, v.version],
    [TRAILER.path, v.doc.path],
    [TRAILER.effective, v.effective],
    [TRAILER.reason, oneLine(v.reason)],
    ...extraTrailers,
  ];
  return `${v.doc.frontmatter.id} v${v.version}: ${v.doc.frontmatter.title}\n\n${oneLine(v.reason)}\n\n${trailers.map(([k, val]) => `${k}: ${val}`).join("\n")}\n`;
}

async function seedRepository(dir: string, seedDir: string, demo: boolean, now: Date): Promise<ContentRepository> {
  const { plan, jobFunctions } = planSeed(seedDir, demo, isoDate(now));
  const repo = await ContentRepository.create(dir);
  const author = QUIRE_IDENTITY;
  const firstDate = plan[0] ? approvalInstant(plan[0].effective, now, demo) : now.toISOString();
  let head = await repo.commit({
    branch: MAIN_BRANCH,
    base: null,
    expectedHead: null,
    files: [jobFunctions],
    message: "Job functions of the training matrix\n",
    author,
    date: firstDate,
  });
  for (const v of plan) {
    const date = approvalInstant(v.effective, now, demo);
    head = await repo.commit({
      branch: MAIN_BRANCH,
      base: head,
      expectedHead: head,
      files: [{ path: v.doc.path, source: v.doc.source }],
      message: versionCommitMessage(v, [["Quire-Seeded-By", demo ? "quire init --demo" : "quire init"]]),
      author,
      date,
    });
    await repo.tag(versionTag(v.doc.frontmatter.id, v.version), head, `${v.doc.frontmatter.id} version ${v.version}, effective ${v.effective}`, date);
  }
  return repo;
}

/** Demo versions were approved two weeks before they took effect; a plain init approves now. */
function approvalInstant(effective: string, now: Date, demo: boolean): string {
  if (!demo) return now.toISOString();
  const d = new Date(`${effective}T10:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 14);
  return d.toISOString();
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
    const v: PlannedVersion = { doc, version: "1.0", effective: isoDate(now), reason: "Initial issue on adoption by Quire." };
    // An empty commit on the repository's own branch carries the version's trailers.
    head = await repo.commit({
      branch,
      base: head,
      expectedHead: head,
      files: [],
      message: versionCommitMessage(v, [["Quire-Seeded-By", "quire init"]]),
      author: QUIRE_IDENTITY,
      date: now.toISOString(),
    });
    await repo.tag(versionTag(doc.frontmatter.id, "1.0"), head, `${doc.frontmatter.id} version 1.0, effective ${v.effective}`, now.toISOString());
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
