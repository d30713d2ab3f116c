import type { Queryable, Tx } from "~/db/db.server";
import type { ChainPoint } from "~/modules/audit/audit";

// The `settings` table holds one row per key. Each key is read and written here, through its own
// typed pair of functions, so no other module writes SQL against the table (docs/architecture.md,
// "Who owns which table"); the module that gives a key its meaning calls these.

const KEY = {
  auditHead: "audit_head",
  contentRoot: "content_root",
  createdAt: "created_at",
  demo: "demo",
} as const;

type Key = (typeof KEY)[keyof typeof KEY];

async function readSetting(db: Queryable, key: Key): Promise<string | null> {
  return (await db.get<{ value: string }>("SELECT value FROM settings WHERE key = ?", [key]))?.value ?? null;
}

/** The audit trail's recorded head (audit module): the newest row's number and hash, null before the first row. */
export async function auditHead(db: Queryable): Promise<ChainPoint | null> {
  const value = await readSetting(db, KEY.auditHead);
  return value === null ? null : (JSON.parse(value) as ChainPoint);
}

/** Moves the audit head to the row just appended, inside the transaction that appended it. */
export async function setAuditHead(tx: Tx, head: ChainPoint): Promise<void> {
  await tx.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
    KEY.auditHead,
    JSON.stringify({ seq: head.seq, hash: head.hash }),
  ]);
}

/** The content repository's first commit of main as recorded at init (integrity module), or null. */
export async function contentRoot(db: Queryable): Promise<string | null> {
  return readSetting(db, KEY.contentRoot);
}

/** Records the repository's root commit once: a later call never moves it. */
export async function recordContentRoot(tx: Tx, root: string): Promise<void> {
  await tx.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", [KEY.contentRoot, root]);
}

/** When the data folder was made and whether it holds the demo (setup module, `quire init`). */
export async function recordDataFolderCreation(tx: Tx, createdAt: Date, demo: boolean): Promise<void> {
  await tx.run("INSERT INTO settings (key, value) VALUES (?, ?), (?, ?)", [KEY.createdAt, createdAt.toISOString(), KEY.demo, demo ? "true" : "false"]);
}
