#!/usr/bin/env node
// Compiles the `quire` CLI to JavaScript so a command starts without transpiling TypeScript. Part of
// `npm run build`; scripts/quire.js runs the result.
//
//   build/cli/quire.js             scripts/cli.ts: the commands' options and help, nothing heavier
//   build/cli/actions/<name>.js    scripts/commands/<name>.action.ts with the app/modules code it uses,
//                                  loaded by the command's action when it runs
//
// Each action is a bundle of its own rather than a chunk of a shared split build: esbuild then
// tree-shakes per command, so `quire effective` does not load what only `quire init` needs.
// node_modules stay external: sqlite3 is a native addon and several packages are ESM only, so they
// load from node_modules exactly as they do for the server build.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = path.join(root, "build", "cli");
const COMMANDS_DIR = path.join(root, "scripts", "commands");

/** Resolves tsconfig's `~/*` path alias to app/*. */
const appAlias = {
  name: "app-alias",
  setup(b) {
    b.onResolve({ filter: /^~\// }, (args) => b.resolve(`./${args.path.slice(2)}`, { kind: args.kind, resolveDir: path.join(root, "app") }));
  },
};

/** In the entry bundle, `import("./<name>.action")` becomes the separately built build/cli/actions/<name>.js. */
const actionsExternal = {
  name: "actions-external",
  setup(b) {
    b.onResolve({ filter: /\.action$/ }, (args) => ({ path: `./actions/${path.basename(args.path, ".action")}.js`, external: true }));
  },
};

/**
 * Packages whose import does work at load time though only some commands call them. Marked free of
 * side effects, their import is dropped from every bundle that uses none of their bindings: zxcvbn's
 * language packs decompress their dictionaries on import (about 0.4 s), and only commands that set
 * a password need them, not `quire effective` or `quire audit verify`.
 */
const pureImports = {
  name: "pure-imports",
  setup(b) {
    b.onResolve({ filter: /^@zxcvbn-ts\// }, (args) => ({ path: args.path, external: true, sideEffects: false }));
  },
};

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
  legalComments: "none",
  metafile: true,
  absWorkingDir: root,
  banner: { js: "// Built by scripts/build-cli.mjs from scripts/: do not edit." },
};

const started = Date.now();
fs.rmSync(OUT_DIR, { recursive: true, force: true });
const actions = fs
  .readdirSync(COMMANDS_DIR)
  .filter((f) => f.endsWith(".action.ts"))
  .map((f) => ({ in: path.join(COMMANDS_DIR, f), out: path.basename(f, ".action.ts") }));
const results = await Promise.all([
  build({ ...common, entryPoints: [path.join(root, "scripts", "cli.ts")], outfile: path.join(OUT_DIR, "quire.js"), plugins: [appAlias, actionsExternal] }),
  build({ ...common, entryPoints: actions, outdir: path.join(OUT_DIR, "actions"), plugins: [appAlias, pureImports] }),
]);
// The sources compiled in, so the bin script and the tests can tell a stale build from a current one
// (scripts/quire.js, test/helpers/cli.ts).
const inputs = [...new Set(results.flatMap((r) => Object.keys(r.metafile.inputs)))].sort();
fs.writeFileSync(path.join(OUT_DIR, "inputs.json"), `${JSON.stringify(inputs, null, 2)}\n`);
process.stdout.write(`quire CLI compiled to build/cli/ (${actions.length} commands) in ${Date.now() - started} ms\n`);
