#!/usr/bin/env node
// The `quire` CLI. `npm run build` compiles scripts/cli.ts (with the app/modules code it shares with
// the server) to build/cli/ (scripts/build-cli.mjs), which starts in a fraction of the time tsx takes
// to transpile the TypeScript. Without a build, or when a source compiled into it has changed since,
// it runs the TypeScript sources through tsx instead, saying so: a stale build must never answer.
// QUIRE_CLI_TRACE=1 says on stderr which of the two ran.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("../build/cli/quire.js", import.meta.url);
const trace = process.env.QUIRE_CLI_TRACE === "1";

/** Why the compiled CLI cannot be used, or null when it is current (a stat of each of its ~60 sources). */
function whyNotCompiled() {
  if (!fs.existsSync(compiled)) return "there is no compiled CLI in build/cli/";
  try {
    const builtAt = fs.statSync(compiled).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(new URL("../build/cli/inputs.json", import.meta.url), "utf8"));
    for (const input of inputs) {
      const source = new URL(`../${input}`, import.meta.url);
      if (!fs.existsSync(source) || fs.statSync(source).mtimeMs > builtAt) return `${input} changed after the CLI was compiled`;
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
  await import(compiled.href);
} else {
  if (trace) process.stderr.write("quire: running the TypeScript sources through tsx\n");
  process.stderr.write(`quire: ${reason}, so this runs from source (slower); \`npm run build\` compiles it.\n`);
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
  await import("./cli.ts");
}
