import type { TestProject } from "vitest/node";

import { ensureTemplate, type DataFolderKind } from "./data-folder";

/**
 * Builds (or finds in the cache) the template data folders a project's tests copy, once per run and
 * before any test starts, so that no test file pays for an init and none waits on another's.
 */
const KINDS_BY_PROJECT: Record<string, DataFolderKind[]> = {
  unit: ["fixture-demo", "fixture-plain", "project-demo"],
  cli: ["fixture-demo", "project-demo"],
  http: ["project-demo", "project-demo-18", "fixture-demo", "fixture-demo-early", "fixture-demo-review-day"],
  browser: ["project-demo", "fixture-demo-early", "fixture-demo-review-day"],
};

export default async function setup(project: TestProject): Promise<void> {
  const kinds = KINDS_BY_PROJECT[project.name] ?? [];
  const started = Date.now();
  // Side by side: an init mostly waits on git processes and password hashing.
  await Promise.all(kinds.map((kind) => ensureTemplate(kind)));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (Number(seconds) >= 1) process.stdout.write(`[${project.name}] template data folders ready (${kinds.join(", ")}) in ${seconds} s\n`);
}
