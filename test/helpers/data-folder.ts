import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { readConfig, readScryptCost, type QuireConfig } from "~/config.server";
import { quireMdxComponents } from "~/mdx-renderer.server";
import { initDataFolder, type InitSummary } from "~/modules/setup/init.server";
import { processAlive } from "~/process.server";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..", "..");
export const FIXTURE_CONTENT = path.join(PROJECT_ROOT, "test", "fixtures", "content");
export const PROJECT_CONTENT = path.join(PROJECT_ROOT, "content");

export function tempDir(prefix = "quire-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function configFor(dataDir: string, extra: Record<string, string> = {}): QuireConfig {
  return readConfig({ QUIRE_DATA_DIR: dataDir, ...extra });
}

/**
 * A fresh data folder (real SQLite file, real git repository) seeded from a content folder by a
 * real init. Only the init tests need one of their own; every other test starts from a copy of a
 * template (copyDataFolder), which is the same init's result without its cost.
 */
export async function createDataFolder(
  options: { seedDir?: string; demo?: boolean; now?: Date } = {},
): Promise<{ dataDir: string; config: QuireConfig; summary: InitSummary }> {
  const dataDir = path.join(tempDir(), "data");
  const config = configFor(dataDir);
  const summary = await initDataFolder({
    components: quireMdxComponents,
    config,
    seedDir: options.seedDir ?? FIXTURE_CONTENT,
    demo: options.demo ?? false,
    now: options.now ?? new Date(),
  });
  return { dataDir, config, summary };
}

/** Copies a content folder to a temp folder so a test can break it. */
export function copyContent(from: string = FIXTURE_CONTENT): string {
  const dir = path.join(tempDir("quire-content-"), "content");
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Template data folders: each kind is built by a real init once, cached on disk, and copied per test.

interface DataFolderKindSpec {
  seedDir: string;
  demo: boolean;
  /** The instant init runs at: the demo history's dates (open changes, due reviews) follow from it. */
  now: string;
}

/**
 * The data folders tests start from. A test that does not care about the day uses the 25 November
 * 2026 ones; the others are kept apart because their tests' clocks depend on the day init ran.
 */
export const DATA_FOLDER_KINDS = {
  /** The project's content/ and its demo history (nine demo users, open change requests). */
  "project-demo": { seedDir: PROJECT_CONTENT, demo: true, now: "2026-11-25T09:00:00Z" },
  /** The same, set up on 18 November 2026: the audit trail tests add sign-ins on later days to filter by. */
  "project-demo-18": { seedDir: PROJECT_CONTENT, demo: true, now: "2026-11-18T08:00:00Z" },
  /** test/fixtures/content with its small demo history (CR-2026-0001 on SOP-TS-001). */
  "fixture-demo": { seedDir: FIXTURE_CONTENT, demo: true, now: "2026-11-25T09:00:00Z" },
  /** The same, an hour before the change-control tests' clock starts (2026-11-25T09:00). */
  "fixture-demo-early": { seedDir: FIXTURE_CONTENT, demo: true, now: "2026-11-25T08:00:00Z" },
  /** The same on 10 February 2027, the day the periodic-review tests have reviews come due. */
  "fixture-demo-review-day": { seedDir: FIXTURE_CONTENT, demo: true, now: "2027-02-10T08:00:00Z" },
  /** test/fixtures/content, plain init: the administrator only. */
  "fixture-plain": { seedDir: FIXTURE_CONTENT, demo: false, now: "2026-11-25T09:00:00Z" },
} as const satisfies Record<string, DataFolderKindSpec>;

export type DataFolderKind = keyof typeof DATA_FOLDER_KINDS;

/** Under node_modules, so a fresh checkout (or `rm -rf node_modules`) starts clean. */
export const TEMPLATE_CACHE = path.join(PROJECT_ROOT, "node_modules", ".cache", "quire-test");

/** Bump to throw away every cached template (e.g. when what a template holds changes shape). */
const TEMPLATE_FORMAT = 1;

/**
 * What a template depends on: the seed folder (with .demo/), everything in app/ that init can reach
 * (all but routes, components and styles, which only the server renders), the locked dependency
 * versions (MDX compiler, sqlite3) and the kind itself. A change to any of them builds it anew.
 */
function templateInputs(spec: DataFolderKindSpec): string[] {
  const app = path.join(PROJECT_ROOT, "app");
  const skip = new Set(["routes", "components", "styles"].map((d) => path.join(app, d)));
  return [...filesUnder(spec.seedDir, new Set()), ...filesUnder(app, skip), path.join(PROJECT_ROOT, "package-lock.json")];
}

function filesUnder(dir: string, skip: Set<string>): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (skip.has(full)) continue;
    if (entry.isDirectory()) files.push(...filesUnder(full, skip));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

const keys = new Map<DataFolderKind, string>();

/** `<kind>-<hash of what the template depends on>`, computed once per process. */
export function templateKey(kind: DataFolderKind): string {
  const known = keys.get(kind);
  if (known) return known;
  const spec = DATA_FOLDER_KINDS[kind];
  const hash = createHash("sha256").update(
    JSON.stringify({ TEMPLATE_FORMAT, kind, scryptCost: readScryptCost(), spec: { ...spec, seedDir: path.relative(PROJECT_ROOT, spec.seedDir) } }),
  );
  for (const file of templateInputs(spec)) {
    hash.update(`\0${path.relative(PROJECT_ROOT, file)}\0`);
    hash.update(fs.readFileSync(file));
  }
  const key = `${kind}-${hash.digest("hex").slice(0, 16)}`;
  keys.set(kind, key);
  return key;
}

/** The template's data folder; complete once it exists (it is renamed into place when built). */
function templateFolder(key: string): string {
  return path.join(TEMPLATE_CACHE, key, "data");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function lockOwner(lock: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(lock, "pid"), "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the build lock of a template (a folder holding the builder's pid), so that two vitest
 * processes started together build it once. Returns false if the template appeared meanwhile.
 */
async function lockTemplate(key: string): Promise<boolean> {
  const lock = path.join(TEMPLATE_CACHE, `${key}.lock`);
  for (;;) {
    if (fs.existsSync(templateFolder(key))) return false;
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    // A builder that was killed leaves its lock: take it over. (A lock without a pid yet is new.)
    const owner = lockOwner(lock);
    if (owner !== null && !processAlive(owner)) fs.rmSync(lock, { recursive: true, force: true });
    else await sleep(200);
  }
}

/** Builds the template of a kind by a real init, unless it is cached already. Returns its data folder. */
export async function ensureTemplate(kind: DataFolderKind): Promise<string> {
  const key = templateKey(kind);
  const folder = templateFolder(key);
  if (fs.existsSync(folder)) return folder;
  fs.mkdirSync(TEMPLATE_CACHE, { recursive: true });
  if (!(await lockTemplate(key))) return folder;
  const staging = path.join(TEMPLATE_CACHE, `${key}.building-${process.pid}`);
  try {
    // Holding the lock, any other build folder of this key is what a killed builder left.
    for (const name of fs.readdirSync(TEMPLATE_CACHE)) {
      if (name.startsWith(`${key}.building-`)) fs.rmSync(path.join(TEMPLATE_CACHE, name), { recursive: true, force: true });
    }
    const spec = DATA_FOLDER_KINDS[kind];
    await initDataFolder({
      components: quireMdxComponents,
      config: configFor(path.join(staging, "data")),
      seedDir: spec.seedDir,
      demo: spec.demo,
      now: new Date(spec.now),
    });
    fs.renameSync(staging, path.join(TEMPLATE_CACHE, key));
    removeStaleTemplates(kind, key);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(path.join(TEMPLATE_CACHE, `${key}.lock`), { recursive: true, force: true });
  }
  return folder;
}

/** Older builds of the same kind (the code or content has changed since): they would only pile up. */
function removeStaleTemplates(kind: DataFolderKind, current: string): void {
  for (const name of fs.readdirSync(TEMPLATE_CACHE)) {
    if (name !== current && /^[0-9a-f]{16}$/.test(name.slice(kind.length + 1)) && name.startsWith(`${kind}-`)) {
      fs.rmSync(path.join(TEMPLATE_CACHE, name), { recursive: true, force: true });
    }
  }
}

/**
 * A private data folder of the given kind for one test file (or one test) to change as it likes:
 * a copy of the template (a few milliseconds), built by init the first time it is needed.
 */
export async function copyDataFolder(kind: DataFolderKind): Promise<{ dataDir: string; config: QuireConfig }> {
  const template = await ensureTemplate(kind);
  const dataDir = path.join(tempDir(), "data");
  fs.cpSync(template, dataDir, { recursive: true });
  return { dataDir, config: configFor(dataDir) };
}
