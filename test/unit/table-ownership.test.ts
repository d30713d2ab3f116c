import fs from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { FOREIGN_ACCESS, TABLE_OWNERS, type OwnedTable } from "~/db/table-owners";

// "Each table has one owning module; others call its functions" (docs/architecture.md). This reads
// every app/modules/**/*.server.ts, finds the tables its SQL names after FROM, JOIN, INTO and UPDATE,
// and compares each with the owner declared in app/db/table-owners.ts.

const ROOT = path.resolve(import.meta.dirname, "../..");
const MODULES = path.join(ROOT, "app/modules");
const MIGRATIONS = path.join(ROOT, "app/db/migrations");

/** The tables the migrations leave behind, in the order they run (a rebuilt table renamed into place counts once). */
function migratedTables(): Set<string> {
  const tables = new Set<string>();
  for (const file of fs.readdirSync(MIGRATIONS).sort()) {
    const sql = fs.readFileSync(path.join(MIGRATIONS, file), "utf8");
    const statements =
      /\bCREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)|\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)|\bALTER\s+TABLE\s+(\w+)\s+RENAME\s+TO\s+(\w+)/gi;
    for (const m of sql.matchAll(statements)) {
      if (m[1]) tables.add(m[1]);
      else if (m[2]) tables.delete(m[2]);
      else if (m[3] && m[4]) {
        tables.delete(m[3]);
        tables.add(m[4]);
      }
    }
  }
  return tables;
}

function serverFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return serverFiles(full);
    return e.name.endsWith(".server.ts") ? [full] : [];
  });
}

/** Comments blanked out (keeping line breaks, so lines still count right): a comment may say "read from users". */
function withoutComments(source: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  return source.replace(/\/\*[\s\S]*?\*\//g, blank).replace(/^(\s*)\/\/.*$/gm, (line, indent: string) => indent + blank(line.slice(indent.length)));
}

export interface TableAccess {
  /** Relative to app/modules/, with forward slashes. */
  file: string;
  line: number;
  module: string;
  table: string;
}

/**
 * Every table a module file's SQL names: the word after FROM, JOIN, INTO or UPDATE (SQL is written
 * in capitals here), and further tables in a comma list after FROM. Only names of real tables count,
 * so a CTE, an alias or json_each is never taken for one.
 */
export function tableAccesses(file: string, source: string, tables: ReadonlySet<string>): TableAccess[] {
  const rel = path.relative(MODULES, file).split(path.sep).join("/");
  const module = rel.split("/")[0]!;
  const text = withoutComments(source);
  const lineAt = (offset: number) => text.slice(0, offset).split("\n").length;
  const found: TableAccess[] = [];
  // Aliases are lower case and keywords capitals, so `FROM documents JOIN users` never reads JOIN as an alias.
  const clause = /\b(FROM|JOIN|INTO|UPDATE)\s+(\w+)(?:\s+(?:AS\s+)?[a-z_]\w*)?((?:\s*,\s*\w+(?:\s+(?:AS\s+)?[a-z_]\w*)?)*)/g;
  for (const m of text.matchAll(clause)) {
    const names = [m[2]!];
    if (m[1] === "FROM" && m[3]) names.push(...[...m[3].matchAll(/,\s*(\w+)/g)].map((n) => n[1]!));
    for (const table of names) if (tables.has(table)) found.push({ file: rel, line: lineAt(m.index), module, table });
  }
  return found;
}

function allAccesses(): TableAccess[] {
  const tables = migratedTables();
  return serverFiles(MODULES).flatMap((file) => tableAccesses(file, fs.readFileSync(file, "utf8"), tables));
}

const owners: Record<string, string> = TABLE_OWNERS;

function isAllowed(a: TableAccess): boolean {
  return FOREIGN_ACCESS.some((x) => x.file === a.file && x.tables.includes(a.table as OwnedTable));
}

describe("table ownership", () => {
  it("names an owner for every table the migrations create, and no table they do not", () => {
    const tables = [...migratedTables()].sort();
    expect(tables.filter((t) => !(t in owners))).toEqual([]);
    expect(Object.keys(owners).filter((t) => !tables.includes(t))).toEqual([]);
  });

  it("names only module folders that exist as owners", () => {
    const folders = new Set(fs.readdirSync(MODULES));
    expect([...new Set(Object.values(owners))].filter((m) => !folders.has(m))).toEqual([]);
  });

  it("finds SQL only in the owning module's *.server.ts files, apart from the listed exceptions", () => {
    const foreign = allAccesses()
      .filter((a) => owners[a.table] !== a.module && !isAllowed(a))
      .map((a) => `app/modules/${a.file}:${a.line} ${a.table} (owned by ${owners[a.table]})`);
    expect(foreign, "call the owner's function instead, or list the access in FOREIGN_ACCESS with its reason").toEqual([]);
  });

  it("lists no exception that no longer occurs, and gives each a reason", () => {
    const accesses = allAccesses();
    const stale = FOREIGN_ACCESS.flatMap((x) =>
      x.tables.filter((t) => !accesses.some((a) => a.file === x.file && a.table === t && owners[t] !== a.module)).map((t) => `${x.file} ${t}`),
    );
    expect(stale).toEqual([]);
    expect(FOREIGN_ACCESS.filter((x) => x.reason.trim().length < 20).map((x) => x.file)).toEqual([]);
  });

  it("catches a foreign read written over several lines, and not a table named in a comment", () => {
    const tables = new Set(["users", "documents", "signatures"]);
    const source = [
      "// Reads from users, once",
      "/** JOIN documents in a comment */",
      "const sql = `SELECT d.id",
      "  FROM",
      "    documents d, signatures s",
      "  JOIN users ON users.id = s.user_id`;",
    ].join("\n");
    const found = tableAccesses(path.join(MODULES, "change-control/x.server.ts"), source, tables);
    expect(found.map((a) => `${a.line} ${a.table}`)).toEqual(["4 documents", "4 signatures", "6 users"]);
  });
});
