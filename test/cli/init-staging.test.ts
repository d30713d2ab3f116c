import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { removeAbandonedStaging } from "~/modules/setup/init.server";

import { runQuire } from "../helpers/cli";
import { PROJECT_ROOT, createDataFolder, tempDir } from "../helpers/data-folder";
import { childEnv } from "../helpers/env";

/**
 * `quire init` builds in a staging sibling `<dataDir>.init-<pid>-<time>` and renames it into place.
 * An init killed with SIGKILL cannot clean up; the next init removes such folders whose process is
 * gone, and leaves alone the folder of an init still running.
 */
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function stagingFolders(dataDir: string): string[] {
  const prefix = `${path.basename(dataDir)}.init-`;
  return fs.readdirSync(path.dirname(dataDir)).filter((name) => name.startsWith(prefix));
}

/** The pid of a process that has run and exited: no process has it now (barring reuse). */
function deadPid(): number {
  const done = spawnSync(process.execPath, ["-e", ""]);
  return done.pid!;
}

/** A process that stays alive until the test ends, standing in for an init at work. */
function livePid(): number {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 600000)"], { stdio: "ignore" });
  children.push(child);
  return child.pid!;
}

function stage(dataDir: string, pid: number): string {
  const folder = `${dataDir}.init-${pid}-${Date.now()}`;
  fs.mkdirSync(path.join(folder, "content"), { recursive: true });
  fs.writeFileSync(path.join(folder, "quire.db"), "half-written");
  return folder;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("staging folders of a killed init", () => {
  it("are removed by the next `quire init`; a killed init's folder really is left behind first", async () => {
    const dataDir = path.join(tempDir(), "data");
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "scripts", "quire.js"), "init", "--demo"], {
      cwd: PROJECT_ROOT,
      env: { ...childEnv(), NODE_ENV: "test", QUIRE_DATA_DIR: dataDir },
      stdio: "ignore",
    });
    children.push(child);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // Kill it once it is writing into its staging folder (the database exists there).
    await waitFor(() => stagingFolders(dataDir).some((name) => fs.existsSync(path.join(path.dirname(dataDir), name, "quire.db"))), 60_000);
    child.kill("SIGKILL");
    await exited;
    expect(child.signalCode).toBe("SIGKILL");
    const left = stagingFolders(dataDir);
    expect(left).toEqual([`data.init-${child.pid}-${left[0]!.split("-").at(-1)}`]);
    expect(fs.existsSync(dataDir)).toBe(false);

    const live = stage(dataDir, livePid());
    const next = runQuire(["init"], { QUIRE_DATA_DIR: dataDir });
    expect(next.status, next.stderr).toBe(0);
    expect(stagingFolders(dataDir)).toEqual([path.basename(live)]);
    expect(fs.existsSync(path.join(dataDir, "quire.db"))).toBe(true);
  }, 120_000);

  it("are removed by `quire init --demo --if-empty` on a data folder already in use", async () => {
    const { dataDir } = await createDataFolder();
    const dead = stage(dataDir, deadPid());
    const reuse = runQuire(["init", "--demo", "--if-empty"], { QUIRE_DATA_DIR: dataDir });
    expect(reuse.status, reuse.stderr).toBe(0);
    expect(reuse.stdout).toContain("Using the existing data folder");
    expect(fs.existsSync(dead)).toBe(false);
  }, 60_000);

  it("leave other folders alone: a live init's, other data folders', and look-alikes", () => {
    const parent = tempDir();
    const dataDir = path.join(parent, "data");
    const dead = stage(dataDir, deadPid());
    const live = stage(dataDir, livePid());
    const otherDataDir = stage(path.join(parent, "data2"), deadPid());
    const lookAlike = path.join(parent, "data.init-notes");
    fs.mkdirSync(lookAlike);
    expect(removeAbandonedStaging(dataDir)).toEqual([dead]);
    expect(fs.existsSync(dead)).toBe(false);
    for (const kept of [live, otherDataDir, lookAlike]) expect(fs.existsSync(kept)).toBe(true);
    // A data folder whose parent does not exist yet has nothing to clean.
    expect(removeAbandonedStaging(path.join(parent, "missing", "data"))).toEqual([]);
  });
});
