import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

// Password hashes at scrypt cost 10 (N=1024) instead of production's 15: the suite signs in and signs
// thousands of times, which at full strength spent minutes of CPU hashing (issue 10). Workers, the
// template builds, and the servers and CLIs the helpers start (test/helpers/server.ts, cli.ts) inherit
// it; test/unit/users.test.ts checks the production cost itself.
process.env.QUIRE_SCRYPT_COST ??= "10";

const alias = { "~": fileURLToPath(new URL("./app", import.meta.url)) };
const setupFiles = ["./test/helpers/fail-on-console-error.ts"];
// Builds (or finds cached) the template data folders the project's tests copy, before any test runs.
const globalSetup = ["./test/helpers/global-setup.ts"];

export default defineConfig({
  resolve: { alias },
  test: {
    setupFiles,
    // Most tests wait on git, SQLite, a server or a CLI process as much as on the CPU: on a
    // two-core machine three files side by side finish sooner than vitest's default of one.
    maxWorkers: 3,
    projects: [
      {
        resolve: { alias },
        test: {
          // In-process tests: modules against real SQLite files and git repositories, no subprocess.
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // One module graph per worker rather than per file: importing app/ again for each of 46
          // files cost about 70 s of the project's 190 s here (issue 10). Every data folder and
          // repository is still private to its test (test/helpers/data-folder.ts); module caches
          // are keyed by folder.
          isolate: false,
          setupFiles,
          globalSetup,
          // Generous for a shared two-core machine: scrypt-heavy tests take 10 s when it is busy.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // Tests that run the `quire` CLI (scripts/quire.js) as a user would: the compiled CLI
          // (npm run build), each command loading only its own code.
          name: "cli",
          include: ["test/cli/**/*.test.ts"],
          // As for unit: one module graph per worker (each test's data folder stays its own).
          isolate: false,
          setupFiles,
          globalSetup,
          // Generous for a shared two-core machine: some tests make ten CLI runs and an init.
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "http",
          include: ["test/http/**/*.test.ts"],
          // As for unit: one module graph per worker (each file starts its own server on its own copy).
          isolate: false,
          setupFiles,
          globalSetup,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          setupFiles: [...setupFiles, "./test/helpers/browser-setup.ts"],
          globalSetup,
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
