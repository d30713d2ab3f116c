#!/usr/bin/env node
// `npm test`: check the machine has the tools the tests drive, typecheck, build (the server and the
// CLI), then the unit, HTTP and browser suites one after another (two cores: running them side by
// side makes the browser tests flaky). Ends with one plain summary line.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const bin = (name) => path.join("node_modules", ".bin", name);
const INSTALL = ["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
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
 * The browser tests drive Debian's Chromium, the PDF checks read PDFs with poppler's pdftotext, and
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
ok = step("typecheck", bin("tsc"), []) && ok;
ok = ok && step("build", bin("remix"), ["build"]);
ok = ok && step("build the CLI", process.execPath, ["scripts/build-cli.mjs"]);
if (ok) {
  for (const project of ["unit", "http", "browser"]) ok = suite(project) && ok;
}
process.stdout.write(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
