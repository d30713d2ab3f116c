#!/usr/bin/env node
// `npm test`: typecheck, build and the unit, cli, HTTP and browser suites (see "The phases" below).
// Ends with one plain summary line.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const bin = (name) => path.join("node_modules", ".bin", name);
const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

// ---------------------------------------------------------------------------------------------
// The phases. The unit and cli tests need neither the typecheck nor the build, so they run side by
// side with both; then the HTTP tests (they need the built server); the browser tests come last and
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
    const child = spawn(command, args, { stdio: live ? "inherit" : ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? "1" : "0" } });
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

const started = Date.now();
const typecheck = run("typecheck", bin("tsc"), [], { live: false });
const build = run("build", bin("remix"), ["build"], { live: false });
const inProcess = suite(["unit", "cli"], { live: false });
ok = (await Promise.all([typecheck, build, inProcess])).every(Boolean) && ok;
// One after the other from here: the work is mostly CPU (server and CLI start-ups, git, scrypt), so
// running HTTP beside unit + cli on two cores only stretched each test towards its timeout.
const built = await build;
if (built) ok = (await suite(["http"], { live: true })) && ok;
if (built) ok = (await suite(["browser"], { live: true })) && ok;
const total = (Date.now() - started) / 1000;
process.stdout.write(`\nPhases (wall clock, some side by side): ${phaseTimes.join(", ")}; total ${Math.floor(total / 60)} min ${(total % 60).toFixed(0)} s\n`);
process.stdout.write(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
