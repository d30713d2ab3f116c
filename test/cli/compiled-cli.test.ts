import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { Command } from "commander";
import { describe, expect, it } from "vitest";

import { COMPILED_CLI_DIR, assertCompiledCliCurrent, runQuire } from "../helpers/cli";
import { PROJECT_ROOT, tempDir } from "../helpers/data-folder";
import { childEnv } from "../helpers/env";

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
    for (const command of ["init", "validate", "effective", "audit", "verify", "users", "pdf", "verify-copy"]) expect(result.stdout).toContain(`  ${command}`);
  });

  it("runs on its own, without the bin script, and keeps the exit codes (2 for bad usage)", () => {
    assertCompiledCliCurrent();
    const run = (args: string[]) =>
      spawnSync(process.execPath, [path.join(COMPILED_CLI_DIR, "quire.js"), ...args], {
        cwd: PROJECT_ROOT,
        env: { ...childEnv(), NODE_ENV: "test" },
        encoding: "utf8",
      });
    const help = run(["effective", "--help"]);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("--doc <id>");
    const bad = run(["effective", "--doc", "SOP-DM-001"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--on <date>");
  });

  it("loads no package for --help (commander is compiled in); each command's code and packages load when it runs", () => {
    assertCompiledCliCurrent();
    const entry = path.join(COMPILED_CLI_DIR, "quire.js");
    expect(staticPackageImports(entry)).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(COMPILED_CLI_DIR, "inputs.json"), "utf8"))).toContain("node_modules/commander/lib/command.js");
    const dynamic = [...fs.readFileSync(entry, "utf8").matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!).sort();
    expect(dynamic).toEqual(
      // `kpi import` and `kpi show` share one action module.
      [
        "audit",
        "binder",
        "copy",
        "effective",
        "init",
        "kpi",
        "kpi",
        "notify",
        "pdf",
        "remind",
        "review-pack",
        "trained",
        "users",
        "validate",
        "verify-copy",
        "verify",
      ]
        .map((name) => `./actions/${name}.js`)
        .sort(),
    );
    for (const target of dynamic) expect(fs.existsSync(path.join(COMPILED_CLI_DIR, target)), target).toBe(true);
  });

  it("loads only sqlite3 for `quire effective`: no zod, yaml, git or content modules (issue 10's start-up budget)", () => {
    assertCompiledCliCurrent();
    const bundle = path.join(COMPILED_CLI_DIR, "actions", "effective.js");
    expect(staticPackageImports(bundle)).toEqual(["sqlite3"]);
    const source = fs.readFileSync(bundle, "utf8");
    expect(source).not.toMatch(/\bimport\(/);
    // Its first call builds an ICU collator: 10 to 30 ms of the budget (documents.ts compareIsoDates).
    expect(source).not.toContain("localeCompare");
  });

  it("loads zxcvbn's dictionaries only at a password check (they take about 0.4 s to load), never at a command's start", () => {
    assertCompiledCliCurrent();
    const packages = (name: string) => staticPackageImports(path.join(COMPILED_CLI_DIR, "actions", `${name}.js`));
    for (const command of ["effective", "audit", "verify", "verify-copy", "init", "users"])
      expect(
        packages(command).filter((p) => p.startsWith("@zxcvbn-ts/")),
        command,
      ).toEqual([]);
    // init creates accounts with passwords, so it must still be able to load them.
    expect(fs.readFileSync(path.join(COMPILED_CLI_DIR, "actions", "init.js"), "utf8")).toContain('import("@zxcvbn-ts/language-en")');
  });
});

/**
 * The bin script's choice, in a throwaway copy of the project's layout: a stand-in compiled CLI and
 * a stand-in cli.ts, so the rule is tested without touching the real build other tests are using.
 */
describe("scripts/quire.js", () => {
  function layout() {
    const root = tempDir("quire-bin-");
    fs.mkdirSync(path.join(root, "scripts"));
    fs.mkdirSync(path.join(root, "build", "cli"), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, "scripts", "quire.js"), path.join(root, "scripts", "quire.js"));
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"));
    fs.writeFileSync(path.join(root, "package.json"), '{ "type": "module" }\n');
    fs.writeFileSync(path.join(root, "tsconfig.json"), "{}\n");
    fs.writeFileSync(path.join(root, "scripts", "cli.ts"), 'const from: string = "source";\nprocess.stdout.write(`ran from ${from}\\n`);\n');
    fs.writeFileSync(path.join(root, "scripts", "command.ts"), "export {};\n");
    fs.writeFileSync(path.join(root, "build", "cli", "quire.js"), 'process.stdout.write("ran compiled\\n");\n');
    fs.writeFileSync(path.join(root, "build", "cli", "inputs.json"), JSON.stringify(["scripts/cli.ts", "scripts/command.ts"]));
    // Sources an hour older than the build.
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const source of ["cli.ts", "command.ts"]) fs.utimesSync(path.join(root, "scripts", source), hourAgo, hourAgo);
    return root;
  }

  function bin(root: string, ...args: string[]) {
    return spawnSync(process.execPath, [path.join(root, "scripts", "quire.js"), ...args], {
      cwd: root,
      env: { ...childEnv(), NODE_ENV: "test" },
      encoding: "utf8",
      timeout: 60_000,
    });
  }

  it("runs the compiled CLI when every source compiled into it is older than it", () => {
    const r = bin(layout());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("ran compiled\n");
    expect(r.stderr).toBe("");
  });

  it("runs the sources instead, saying why, when a source changed after the build, was removed, or there is no build", () => {
    const changed = layout();
    fs.utimesSync(path.join(changed, "scripts", "command.ts"), new Date(), new Date(Date.now() + 1000));
    const removed = layout();
    fs.rmSync(path.join(removed, "scripts", "command.ts"));
    const unbuilt = layout();
    fs.rmSync(path.join(unbuilt, "build"), { recursive: true });
    const cases: Array<[string, string]> = [
      [changed, "scripts/command.ts changed after the CLI was compiled"],
      [removed, "scripts/command.ts changed after the CLI was compiled"],
      [unbuilt, "there is no compiled CLI in build/cli/"],
    ];
    for (const [root, why] of cases) {
      const r = bin(root);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe("ran from source\n");
      expect(r.stderr).toBe(`quire: ${why}, so this runs from source (slower); \`npm run build\` compiles it.\n`);
    }
  });

  it("checks only the sources of what the command runs: the entry's and its own action's (build/cli/command-inputs.json)", () => {
    const root = layout();
    fs.writeFileSync(path.join(root, "scripts", "other.ts"), "export {};\n");
    fs.writeFileSync(path.join(root, "build", "cli", "inputs.json"), JSON.stringify(["scripts/cli.ts", "scripts/command.ts", "scripts/other.ts"]));
    fs.writeFileSync(
      path.join(root, "build", "cli", "command-inputs.json"),
      JSON.stringify({ entry: ["scripts/cli.ts"], actions: { mine: ["scripts/command.ts"], theirs: ["scripts/other.ts"] } }),
    );
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(root, "scripts", "command.ts"), hourAgo, hourAgo);
    // Only `theirs`'s source changed after the build.
    fs.utimesSync(path.join(root, "scripts", "other.ts"), new Date(), new Date(Date.now() + 1000));
    const runs: Array<[string[], string]> = [
      [["mine"], "ran compiled\n"],
      [["--help"], "ran compiled\n"],
      [["theirs"], "ran from source\n"],
      // Not a command with an action of its own: every source counts.
      [["unknown"], "ran from source\n"],
    ];
    for (const [args, out] of runs) expect(bin(root, ...args).stdout, args.join(" ")).toBe(out);
    // The entry's sources count for every command.
    fs.utimesSync(path.join(root, "scripts", "cli.ts"), new Date(), new Date(Date.now() + 1000));
    expect(bin(root, "mine").stdout).toBe("ran from source\n");
  });
});

/**
 * scripts/quire.js checks, for `quire <name>`, the sources of build/cli/actions/<name>.js only. The
 * build refuses a command file that loads another command's action; this checks the other half:
 * the command `<name>` is the one scripts/commands/<name>.ts declares.
 */
describe("scripts/commands/", () => {
  it("declares the command <name> in <name>.ts, next to its action <name>.action.ts", async () => {
    const dir = path.join(PROJECT_ROOT, "scripts", "commands");
    const names = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".action.ts"))
      .map((f) => f.slice(0, -".action.ts".length));
    expect(names).toContain("effective");
    for (const name of names) {
      const module = (await import(path.join(dir, `${name}.ts`))) as Record<string, unknown>;
      const declare = Object.values(module).filter((v): v is (program: Command) => void => typeof v === "function");
      const program = new Command();
      for (const d of declare) d(program);
      expect(
        program.commands.map((c) => c.name()),
        name,
      ).toEqual([name]);
    }
  });
});
