#!/usr/bin/env node
// `npm test`: check the machine has the tools the tests drive, then lint, typecheck, build (the server
// and the CLI) and the unit, cli, HTTP and browser suites (see "The phases" below). Ends with one
// plain summary line.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const bin = (name) => path.join("node_modules", ".bin", name);
const INSTALL = ["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

// ---------------------------------------------------------------------------------------------
// The phases. The unit tests need neither the typecheck nor the build, so they run side by side
// with lint, typecheck and build; the cli tests run the compiled CLI, so they follow the build; then the HTTP tests (they need the built server); the browser tests come last and
// alone (Chromium beside other work makes them flaky on two cores).
// The vitest projects share template data folders (test/helpers/global-setup.ts) built once and
// cached in node_modules/.cache/quire-test.

const phaseTimes = [];

/**
 * Runs a command. `live` streams its output as it comes; otherwise the output is held and printed
 * in one piece when it ends, so that phases running side by side do not interleave their lines.
 */
function run(label, command, args, { live }) {
  const started = Date.now();
  if (live) process.stdout.write(`\n== ${label}\n`);
  else process.stdout.write(`\n== ${label} (started; its output follows when it ends)\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: live ? "inherit" : ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? "1" : "0" },
    });
    let output = "";
    if (!live) {
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
    }
    child.on("close", (code) => {
      const seconds = (Date.now() - started) / 1000;
      phaseTimes.push(`${label} ${seconds.toFixed(0)} s`);
      if (!live) process.stdout.write(`\n== ${label} (${seconds.toFixed(1)} s)\n${output}`);
      else process.stdout.write(`== ${label}: ${seconds.toFixed(1)} s\n`);
      resolve(code === 0);
    });
  });
}

/** A vitest run of some projects, its counts added to the totals from its JSON report. */
async function suite(projects, { live }) {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "quire-vitest-")), "report.json");
  const passed = await run(
    `${projects.join(" + ")} tests`,
    bin("vitest"),
    ["run", ...projects.flatMap((p) => ["--project", p]), "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
    { live },
  );
  if (!fs.existsSync(report)) return false;
  const r = JSON.parse(fs.readFileSync(report, "utf8"));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  if (r.numTotalTests === 0) {
    process.stdout.write(`No ${projects.join(" + ")} test ran.\n`);
    return false;
  }
  return passed;
}

/** True when `name` is an executable file in a PATH folder. */
function onPath(name) {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The browser tests drive Debian's Chromium, the PDF checks read PDFs with poppler's pdftotext and
 * check their structure with qpdf, and
 * the content repository is git: none comes from npm. A fresh machine gets them from Debian when we
 * are root (as CI is); otherwise we stop before anything else, naming the command that installs them.
 */
function ensureSystemTools() {
  if (process.env.QUIRE_CHROMIUM && !fs.existsSync(process.env.QUIRE_CHROMIUM)) {
    process.stderr.write(`QUIRE_CHROMIUM is ${process.env.QUIRE_CHROMIUM}, which does not exist: point it at a Chromium binary or unset it.\n`);
    process.exit(1);
  }
  const missing = [];
  if (!process.env.QUIRE_CHROMIUM && !fs.existsSync("/usr/bin/chromium")) missing.push("chromium");
  if (!onPath("pdftotext")) missing.push("poppler-utils");
  if (!onPath("qpdf")) missing.push("qpdf");
  if (!onPath("git")) missing.push("git");
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    const command = `sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends ${missing.join(" ")}'`;
    process.stderr.write(`The tests need ${missing.join(", ")} from Debian. Install them with:\n\n  ${command}\n\nthen run npm test again.\n`);
    process.exit(1);
  }
  process.stdout.write(`== installing ${missing.join(", ")} from Debian\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const install = update.status === 0 ? spawnSync(INSTALL[0], [...INSTALL.slice(1), ...missing], { stdio: "inherit", env }) : update;
  if (install.status !== 0) {
    process.stderr.write(`Installing ${missing.join(", ")} with apt-get failed (${install.error?.message ?? `exit ${install.status ?? install.signal}`}).\n`);
    process.exit(1);
  }
}

ensureSystemTools();
const started = Date.now();
const lint = run("lint (eslint, prettier --check)", "npm", ["run", "--silent", "lint"], { live: false });
const typecheck = run("typecheck", bin("tsc"), [], { live: false });
// The cli tests run the compiled CLI, so the build (server and CLI) comes before them.
const build = run("build", "npm", ["run", "--silent", "build"], { live: false });
const unit = suite(["unit"], { live: false });
const built = await build;
const cli = built ? suite(["cli"], { live: false }) : Promise.resolve(false);
ok = (await Promise.all([lint, typecheck, unit, cli])).every(Boolean) && built && ok;
// One after the other from here: the work is mostly CPU (server and CLI start-ups, git, scrypt), so
// running HTTP beside unit + cli on two cores only stretched each test towards its timeout.
if (built) ok = (await suite(["http"], { live: true })) && ok;
if (built) ok = (await suite(["browser"], { live: true })) && ok;
const total = (Date.now() - started) / 1000;
process.stdout.write(`\nPhases (wall clock, some side by side): ${phaseTimes.join(", ")}; total ${Math.floor(total / 60)} min ${(total % 60).toFixed(0)} s\n`);
process.stdout.write(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
