import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { COMPILED_CLI_DIR, assertCompiledCliCurrent, runQuire } from "../helpers/cli";
import { PROJECT_ROOT } from "../helpers/data-folder";

/** The packages a bundle imports statically (`import ... from "pkg"`), node: built-ins left out. */
function staticPackageImports(file: string): string[] {
  const source = fs.readFileSync(file, "utf8");
  const found = [...source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)";?$/gm), ...source.matchAll(/^import\s+"([^"]+)";?$/gm)].map((m) => m[1]!);
  return [...new Set(found.filter((s) => !s.startsWith("node:") && !s.startsWith(".")))].sort();
}

describe("the compiled CLI (build/cli/, made by npm run build)", () => {
  it("is what `quire` runs: --help comes from build/cli/quire.js, not from the TypeScript sources", () => {
    const result = runQuire(["--help"], { QUIRE_CLI_TRACE: "1" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("quire: running the compiled CLI (build/cli/quire.js)");
    expect(result.stderr).not.toContain("tsx");
    expect(result.stdout).toMatch(/^Usage: quire /);
    for (const command of ["init", "validate", "effective", "audit", "verify", "users"]) expect(result.stdout).toContain(`  ${command}`);
  });

  it("runs on its own, without the bin script, and keeps the exit codes (2 for bad usage)", () => {
    assertCompiledCliCurrent();
    const run = (args: string[]) =>
      spawnSync(process.execPath, [path.join(COMPILED_CLI_DIR, "quire.js"), ...args], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test" },
        encoding: "utf8",
      });
    const help = run(["effective", "--help"]);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("--doc <id>");
    const bad = run(["effective", "--doc", "SOP-DM-001"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--on <date>");
  });

  it("loads nothing but commander for --help; each command's code and packages load when it runs", () => {
    assertCompiledCliCurrent();
    const entry = path.join(COMPILED_CLI_DIR, "quire.js");
    expect(staticPackageImports(entry)).toEqual(["commander"]);
    const dynamic = [...fs.readFileSync(entry, "utf8").matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!).sort();
    expect(dynamic).toEqual(["audit", "effective", "init", "users", "validate", "verify"].map((name) => `./actions/${name}.js`));
    for (const target of dynamic) expect(fs.existsSync(path.join(COMPILED_CLI_DIR, target)), target).toBe(true);
  });

  it("leaves zxcvbn's dictionaries out of the read-only commands (they take about 0.4 s to load)", () => {
    assertCompiledCliCurrent();
    const packages = (name: string) => staticPackageImports(path.join(COMPILED_CLI_DIR, "actions", `${name}.js`));
    for (const readOnly of ["effective", "audit", "verify"]) expect(packages(readOnly).filter((p) => p.startsWith("@zxcvbn-ts/")), readOnly).toEqual([]);
    // init creates accounts with passwords, so it must still have them.
    expect(packages("init")).toContain("@zxcvbn-ts/language-en");
  });
});
