#!/usr/bin/env node
// The `quire` CLI. The commands are TypeScript sharing app/modules with the server; tsx runs them.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
await import("./cli.ts");
