#!/usr/bin/env node
// `npm test`: typecheck, build, then the unit, HTTP and browser suites one after another (two cores:
// running them side by side makes the browser tests flaky). Ends with one plain summary line.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const bin = (name) => path.join("node_modules", ".bin", name);
const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

function step(label, command, args) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  return result.status === 0;
}

function suite(project) {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "quire-vitest-")), "report.json");
  const passed = step(`${project} tests`, bin("vitest"), [
    "run",
    "--project",
    project,
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
  ]);
  if (fs.existsSync(report)) {
    const r = JSON.parse(fs.readFileSync(report, "utf8"));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    if (r.numTotalTests === 0) {
      process.stdout.write(`No ${project} test ran.\n`);
      return false;
    }
  }
  return passed;
}

ok = step("typecheck", bin("tsc"), []) && ok;
ok = ok && step("build", bin("remix"), ["build"]);
if (ok) {
  for (const project of ["unit", "http", "browser"]) ok = suite(project) && ok;
}
process.stdout.write(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
