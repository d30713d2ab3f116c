// What `quire init` does, loaded only when it runs (scripts/commands/init.ts defines the command).
import path from "node:path";

import { now } from "~/clock.server";
import { appRoot, readConfig } from "~/config.server";
import { quireMdxComponents } from "~/mdx-renderer.server";
import { formatProblem } from "~/modules/content/problems";
import { DEMO_PASSWORD, DEMO_USERS } from "~/modules/setup/demo-users";
import { ContentInvalid, InitRefused, dataFolderInUse, initDataFolder, removeAbandonedStaging } from "~/modules/setup/init.server";

import { EXIT, fail, printJson } from "../cli-support";

export async function init(opts: { demo?: boolean; ifEmpty?: boolean; json?: boolean }): Promise<void> {
  const config = readConfig();
  // A killed init leaves its staging folder behind; the next init clears it even when it has nothing else to do.
  removeAbandonedStaging(config.dataDir);
  if (opts.ifEmpty && dataFolderInUse(config)) {
    process.stdout.write(`Using the existing data folder ${config.dataDir}.\n`);
    return;
  }
  try {
    const summary = await initDataFolder({
      components: quireMdxComponents,
      config,
      seedDir: path.join(appRoot(), "content"),
      demo: opts.demo === true,
      now: now(config),
    });
    if (opts.json) printJson(summary);
    else
      process.stdout.write(
        `Created ${summary.dataDir}: ${summary.documents} documents, ${summary.versions.length} approved versions in ${summary.contentRepo}.\n` +
          (summary.adminPassword
            ? `Sign in as admin with the one-time password ${summary.adminPassword} (you will be asked to change it).\n`
            : `Demo users (${DEMO_USERS.map((u) => u.username).join(", ")}) share the password ${DEMO_PASSWORD}.\n`),
      );
  } catch (error) {
    if (error instanceof ContentInvalid) {
      for (const p of error.problems) process.stderr.write(`${formatProblem(p)}\n`);
      fail(error.message, EXIT.problems);
    }
    if (error instanceof InitRefused) fail(error.message, EXIT.badInput);
    throw error;
  }
}
