#!/usr/bin/env node
// Compiles the `quire` CLI to JavaScript so a command starts without transpiling TypeScript. Part of
// `npm run build`; scripts/quire.js runs the result.
//
//   build/cli/quire.js             scripts/cli.ts: the commands' options and help, nothing heavier
//   build/cli/actions/<name>.js    scripts/commands/<name>.action.ts with the app/modules code it uses,
//                                  loaded by the command's action when it runs
//
//   build/cli/inputs.json          every source compiled in (the tests' staleness check)
//   build/cli/command-inputs.json  the sources of the entry and of each action apart, so that
//                                  scripts/quire.js checks only what the command it runs was built from
//
// Each action is a bundle of its own rather than a chunk of a shared split build: esbuild then
// tree-shakes per command, so `quire effective` does not load what only `quire init` needs.
// In the actions, node_modules stay external: sqlite3 is a native addon and several packages are ESM
// only, so they load from node_modules exactly as they do for the server build. The entry compiles
// commander in: loaded from node_modules, its seven CommonJS files took about twice as long to load
// as the one bundled file (issue 10 times `quire --help` and `quire effective` against `node -e 0`).
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
 * commander loads node:child_process (and with it net, dgram and more: about 10 ms) when it loads,
 * though it uses it only to start a stand-alone executable subcommand, which quire has none of.
 * In the entry bundle its require gets a stand-in that loads the module at the first spawn instead.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`) ? { path: "child_process", namespace: "lazy-child-process" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-child-process" }, () => ({
      contents: 'module.exports = { spawn: (...args) => require("node:child_process").spawn(...args) };',
      loader: "js",
    }));
  },
};

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  legalComments: "none",
  metafile: true,
  absWorkingDir: root,
  banner: { js: "// Built by scripts/build-cli.mjs from scripts/: do not edit." },
};

/** commander is CommonJS: its require() of node: built-ins needs a require in an ES module. */
const requireBanner = 'import { createRequire as __quireCreateRequire } from "node:module";\nconst require = __quireCreateRequire(import.meta.url);';

/** A file on disk, not a module a plugin made up (its metafile name is `<namespace>:<path>`). */
function isSourceFile(input) {
  return fs.existsSync(path.join(root, input));
}

/** The sources an entry point of `result` was built from: every file reached by its imports, used or tree-shaken. */
function sourcesOf(result, entry) {
  const inputs = result.metafile.inputs;
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !(file in inputs)) return;
    seen.add(file);
    for (const i of inputs[file].imports) if (!i.external) visit(i.path);
  };
  visit(entry);
  return [...seen].filter(isSourceFile).sort();
}

/**
 * scripts/quire.js checks, for `quire <name>`, the entry's sources and actions/<name>.js's. That is
 * only right while the command file scripts/commands/<name>.ts loads no action but its own: refuse
 * a build that breaks it rather than let a stale action run.
 */
function assertOwnActions(entryResult) {
  for (const [file, input] of Object.entries(entryResult.metafile.inputs)) {
    const own = /^scripts\/commands\/([a-z-]+)\.ts$/.exec(file)?.[1];
    for (const i of input.imports.filter((i) => i.path.startsWith("./actions/"))) {
      if (own === undefined || i.path !== `./actions/${own}.js`) throw new Error(`${file} loads ${i.path}: a command file may load only its own action`);
    }
  }
}

const started = Date.now();
fs.rmSync(OUT_DIR, { recursive: true, force: true });
const actions = fs
  .readdirSync(COMMANDS_DIR)
  .filter((f) => f.endsWith(".action.ts"))
  .map((f) => ({ in: path.join(COMMANDS_DIR, f), out: path.basename(f, ".action.ts") }));
const results = await Promise.all([
  build({
    ...common,
    entryPoints: [path.join(root, "scripts", "cli.ts")],
    outfile: path.join(OUT_DIR, "quire.js"),
    banner: { js: `${common.banner.js}\n${requireBanner}` },
    plugins: [appAlias, actionsExternal, lazyChildProcess],
  }),
  build({ ...common, packages: "external", entryPoints: actions, outdir: path.join(OUT_DIR, "actions"), plugins: [appAlias] }),
]);
assertOwnActions(results[0]);
// The sources compiled in, so the bin script and the tests can tell a stale build from a current one
// (scripts/quire.js, test/helpers/cli.ts).
const inputs = [...new Set(results.flatMap((r) => Object.keys(r.metafile.inputs)))].filter(isSourceFile).sort();
fs.writeFileSync(path.join(OUT_DIR, "inputs.json"), `${JSON.stringify(inputs, null, 2)}\n`);
const commandInputs = {
  entry: sourcesOf(results[0], "scripts/cli.ts"),
  actions: Object.fromEntries(actions.map((a) => [a.out, sourcesOf(results[1], path.relative(root, a.in))])),
};
fs.writeFileSync(path.join(OUT_DIR, "command-inputs.json"), `${JSON.stringify(commandInputs)}\n`);
process.stdout.write(`quire CLI compiled to build/cli/ (${actions.length} commands) in ${Date.now() - started} ms\n`);
