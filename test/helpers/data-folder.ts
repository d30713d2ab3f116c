import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { readConfig, type QuireConfig } from "~/config.server";
import { initDataFolder, type InitSummary } from "~/modules/setup/init.server";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..", "..");
export const FIXTURE_CONTENT = path.join(PROJECT_ROOT, "test", "fixtures", "content");
export const PROJECT_CONTENT = path.join(PROJECT_ROOT, "content");

export function tempDir(prefix = "quire-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function configFor(dataDir: string, extra: Record<string, string> = {}): QuireConfig {
  return readConfig({ QUIRE_DATA_DIR: dataDir, ...extra });
}

/** A fresh data folder (real SQLite file, real git repository) seeded from a content folder. */
export async function createDataFolder(
  options: { seedDir?: string; demo?: boolean; now?: Date } = {},
): Promise<{ dataDir: string; config: QuireConfig; summary: InitSummary }> {
  const dataDir = path.join(tempDir(), "data");
  const config = configFor(dataDir);
  const summary = await initDataFolder({
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
