#!/usr/bin/env node
// The `quire` CLI. `npm run build` compiles scripts/cli.ts (with the app/modules code it shares with
// the server) to build/cli/ (scripts/build-cli.mjs), which starts in a fraction of the time tsx takes
// to transpile the TypeScript. Without a build, or when a source compiled into it has changed since,
// it runs the TypeScript sources through tsx instead, saying so: a stale build must never answer.
// QUIRE_CLI_TRACE=1 says on stderr which of the two ran.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const compiled = path.join(root, "build", "cli", "quire.js");
const trace = process.env.QUIRE_CLI_TRACE === "1";
/** What runs without any command's action: the entry's help and usage errors. */
const ENTRY_ONLY = new Set([undefined, "--help", "-h", "help"]);

/**
 * The sources that what this run loads was compiled from: the entry's and those of the command's
 * action (build/cli/command-inputs.json; the build checks that `quire <name>` loads actions/<name>.js
 * alone), or every source compiled in when the command is not one of them. Each costs a stat, and
 * issue 10 counts `quire effective`'s start-up: 35 files instead of 174.
 */
function sourcesToCheck() {
  const all = () => JSON.parse(fs.readFileSync(path.join(root, "build", "cli", "inputs.json"), "utf8"));
  let byCommand;
  try {
    byCommand = JSON.parse(fs.readFileSync(path.join(root, "build", "cli", "command-inputs.json"), "utf8"));
  } catch {
    return all();
  }
  const command = process.argv[2];
  if (ENTRY_ONLY.has(command)) return byCommand.entry;
  const action = Object.hasOwn(byCommand.actions, command) ? byCommand.actions[command] : undefined;
  return action ? [...byCommand.entry, ...action] : all();
}

/** Why the compiled CLI cannot be used, or null when it is current (a stat of each source it was built from). */
function whyNotCompiled() {
  const built = fs.statSync(compiled, { throwIfNoEntry: false });
  if (built === undefined) return "there is no compiled CLI in build/cli/";
  try {
    for (const input of sourcesToCheck()) {
      const source = fs.statSync(path.join(root, input), { throwIfNoEntry: false });
      if (source === undefined || source.mtimeMs > built.mtimeMs) return `${input} changed after the CLI was compiled`;
    }
    return null;
  } catch {
    return "build/cli/inputs.json is missing or unreadable";
  }
}

// The binder streams: about 50 MB is alive at any time for 300 documents. V8, left to itself, lets the
// heap grow to about four times what is alive between full collections, so the peak grew with the
// binder (2.4x the 3-document binder's at 300). A heap limit makes V8 collect sooner and keeps the
// peak flat (bench group binder). Node takes the limit only at start, so the binder command runs in a
// child started with it; a limit the caller gave already is kept.
const BINDER_HEAP_MB = 512;
if (process.argv[2] === "binder" && ![...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => a.includes("--max-old-space-size"))) {
  // Loaded here only: the other commands have no use for it (issue 10 counts their start-up).
  const { spawnSync } = await import("node:child_process");
  const child = spawnSync(
    process.execPath,
    [`--max-old-space-size=${BINDER_HEAP_MB}`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: "inherit",
    },
  );
  process.exit(child.status ?? 1);
}

const reason = whyNotCompiled();
if (reason === null) {
  // QUIRE_DEBUG prints stack traces: point them at the TypeScript sources (the build writes source maps).
  if (process.env.QUIRE_DEBUG) process.setSourceMapsEnabled(true);
  if (trace) process.stderr.write("quire: running the compiled CLI (build/cli/quire.js)\n");
  await import(pathToFileURL(compiled).href);
} else {
  if (trace) process.stderr.write("quire: running the TypeScript sources through tsx\n");
  process.stderr.write(`quire: ${reason}, so this runs from source (slower); \`npm run build\` compiles it.\n`);
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
  await import("./cli.ts");
}
