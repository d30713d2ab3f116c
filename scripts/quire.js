#!/usr/bin/env node
// The `quire` CLI. `npm run build` compiles scripts/cli.ts (with the app/modules code it shares with
// the server) to build/cli/quire.js, which starts in a fraction of the time TypeScript takes to
// transpile. Without a build (a fresh checkout) it runs the TypeScript sources through tsx instead.
// QUIRE_CLI_TRACE=1 says on stderr which of the two ran.
import fs from "node:fs";

const compiled = new URL("../build/cli/quire.js", import.meta.url);
const trace = process.env.QUIRE_CLI_TRACE === "1";

if (fs.existsSync(compiled)) {
  if (trace) process.stderr.write("quire: running the compiled CLI (build/cli/quire.js)\n");
  await import(compiled.href);
} else {
  if (trace) process.stderr.write("quire: running the TypeScript sources through tsx\n");
  process.stderr.write("quire: no compiled CLI in build/cli/; running from source (slower). Run `npm run build` to compile it.\n");
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
  await import("./cli.ts");
}
