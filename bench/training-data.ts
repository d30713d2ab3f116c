/**
 * BENCH SETUP ONLY: never used by the app. Builds the people, documents and training records the
 * training benchmarks (bench/training-bench.ts, bench/training-load.ts) measure against, fast:
 * rows are written directly with multi-row INSERTs in one transaction, where the app would go
 * through insertUser (one scrypt hash per person: minutes for thousands) and the approval path (a
 * git commit per version). Each setup step records one `bench.setup` audit row saying what it
 * generated, so the trail stays intact and tells the truth about the data folder.
 */
import { createHash, randomUUID } from "node:crypto";

import type { Database, SqlParam, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { SYSTEM_ACTOR } from "~/modules/users/actor";

import { random } from "./audit-rows";

/** Every generated person's password (they all share one precomputed scrypt hash: see hashOnce). */
export const BENCH_PASSWORD = "bench-training-load-2026";

/** Rows per multi-row INSERT: at most 12 parameters a row, well under SQLite's 32,766. */
const ROWS_PER_STATEMENT = 400;

/** The project demo's job functions (content/job-functions.yaml), weighted roughly as a CRO's staff are. */
const FUNCTION_WEIGHTS: Array<[string, number]> = [
  ["cra", 30],
  ["data-manager", 12],
  ["project-manager", 10],
  ["site-start-up-specialist", 10],
  ["medical-writer", 7],
  ["biostatistician", 6],
  ["qa-auditor", 5],
  ["document-controller", 4],
  ["training-coordinator", 3],
  ["quality-manager", 3],
  ["executive-management", 2],
];
const WEIGHTED_FUNCTIONS = FUNCTION_WEIGHTS.flatMap(([id, weight]) => Array.from({ length: weight }, () => id));

export interface BenchPerson {
  id: string;
  username: string;
  jobFunctions: string[];
}

/** Inserts rows in multi-row statements of ROWS_PER_STATEMENT. */
export async function insertRows(tx: Tx, table: string, columns: readonly string[], rows: readonly SqlParam[][]): Promise<void> {
  const one = `(${columns.map(() => "?").join(", ")})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    await tx.run(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => one).join(", ")}`, chunk.flat());
  }
}

/**
 * Adds `count` active staff (role `staff`, so they may acknowledge training) named
 * `<prefix>00001`..., each holding the job functions `functionsOf(i)` gives, all with the password
 * whose hash is `passwordHash`. One transaction, one audit row.
 */
export async function addBenchPeople(
  db: Database,
  o: { count: number; prefix: string; passwordHash: string; at: Date; functionsOf: (i: number) => string[]; active?: (i: number) => boolean },
): Promise<BenchPerson[]> {
  const stamp = o.at.toISOString();
  const people: BenchPerson[] = Array.from({ length: o.count }, (_, i) => ({
    id: randomUUID(),
    username: `${o.prefix}${String(i + 1).padStart(5, "0")}`,
    jobFunctions: o.functionsOf(i),
  }));
  await db.transaction(async (tx) => {
    await insertRows(
      tx,
      "users",
      ["id", "username", "display_name", "email", "password_hash", "active", "must_change_password", "password_changed_at", "created_at"],
      people.map((p, i) => [
        p.id,
        p.username,
        `Bench Person ${i + 1}`,
        `${p.username}@bench.invalid`,
        o.passwordHash,
        o.active?.(i) === false ? 0 : 1,
        0,
        stamp,
        stamp,
      ]),
    );
    await insertRows(
      tx,
      "password_history",
      ["user_id", "password_hash", "set_at"],
      people.map((p) => [p.id, o.passwordHash, stamp]),
    );
    await insertRows(
      tx,
      "user_roles",
      ["user_id", "role"],
      people.map((p) => [p.id, "staff"]),
    );
    await insertRows(
      tx,
      "user_job_functions",
      ["user_id", "job_function_id"],
      people.flatMap((p) => p.jobFunctions.map((f) => [p.id, f])),
    );
    await recordAudit(
      tx,
      {
        ...SYSTEM_ACTOR,
        action: "bench.setup",
        objectType: "bench",
        objectId: "people",
        newValues: { people: o.count, first: people[0]?.username ?? null, last: people.at(-1)?.username ?? null },
        reason: "Benchmark setup (bench/training-data.ts): people inserted directly, without insertUser.",
      },
      o.at,
    );
  });
  return people;
}

/** One to three job functions, two on average. */
export function randomFunctions(next: () => number): string[] {
  const want = next() < 0.3 ? 1 : next() < 0.6 ? 2 : 3;
  const picked = new Set<string>();
  while (picked.size < want) picked.add(WEIGHTED_FUNCTIONS[Math.floor(next() * WEIGHTED_FUNCTIONS.length)]!);
  return [...picked].sort();
}

export interface MatrixData {
  people: number;
  documents: number;
  versions: number;
  retired: number;
  assignments: number;
  byStatus: Record<string, number>;
  milliseconds: number;
}

interface GeneratedVersion {
  docId: string;
  major: number;
  effectiveFrom: string;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * The scale of issue 11 on top of a data folder: `documents` SOPs (SOP-BN-001...), each with v1.0
 * and a third with a v2.0 (mostly in force, some approved for a later date), a tenth read-only and a
 * few retired, whose audiences name one to four job functions; `people` active staff (2% of them
 * deactivated) holding two functions on average; and for each person and each document needing
 * training in their functions' audience, the assignments an approval and induction history leaves:
 * the version in force (mostly completed, some open and due, some overdue), earlier versions
 * completed or superseded. The version and retirement rows carry made-up commits (this part of the
 * bench never reads git), and completed assignments no signature rows (the read models measured,
 * trainingMatrix and trainingPeople, never read signatures).
 */
export async function addMatrixData(
  db: Database,
  o: { people: number; documents: number; today: string; at: Date; passwordHash: string; seed?: number },
): Promise<MatrixData> {
  const started = performance.now();
  const next = random(o.seed ?? 11);
  const persons = await addBenchPeople(db, {
    count: o.people,
    prefix: "staff",
    passwordHash: o.passwordHash,
    at: o.at,
    functionsOf: () => randomFunctions(next),
    active: () => next() >= 0.02,
  });
  const active = new Set((await db.all<{ id: string }>("SELECT id FROM users WHERE active = 1")).map((r) => r.id));
  const stamp = o.at.toISOString();
  const byStatus: Record<string, number> = {};
  let assignments = 0;
  let versionCount = 0;
  let retired = 0;

  await db.transaction(async (tx) => {
    // A large page cache for this one bulk transaction, and the assignment indexes built once over
    // the loaded rows (far faster than a million random inserts into each); they are put back exactly
    // as the migrations wrote them before the transaction commits.
    await tx.run("PRAGMA cache_size = -400000");
    const indexes = await tx.all<{ name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'training_assignments' AND sql IS NOT NULL",
    );
    for (const index of indexes) await tx.run(`DROP INDEX "${index.name}"`);

    const documents: Array<{ id: string; audience: string[]; training: "required" | "read-only"; versions: GeneratedVersion[]; retiredFrom: string | null }> =
      [];
    for (let d = 1; d <= o.documents; d++) {
      const id = `SOP-BN-${String(d).padStart(3, "0")}`;
      const audience = new Set<string>();
      const size = 1 + Math.floor(next() * 4);
      while (audience.size < size) audience.add(WEIGHTED_FUNCTIONS[Math.floor(next() * WEIGHTED_FUNCTIONS.length)]!);
      const versions: GeneratedVersion[] = [{ docId: id, major: 1, effectiveFrom: "2025-02-03" }];
      const retiredFrom = d % 100 === 50 ? "2026-06-01" : null;
      const r = next();
      if (retiredFrom === null && r < 0.27) versions.push({ docId: id, major: 2, effectiveFrom: `2026-0${1 + Math.floor(next() * 9)}-01` });
      else if (retiredFrom === null && r < 0.33) versions.push({ docId: id, major: 2, effectiveFrom: "2026-12-07" }); // approved, not yet in force
      documents.push({ id, audience: [...audience].sort(), training: next() < 0.1 ? "read-only" : "required", versions, retiredFrom });
    }
    await insertRows(
      tx,
      "documents",
      ["id", "type", "path", "created_at"],
      documents.map((doc) => [doc.id, "sop", `sops/${doc.id}.mdx`, stamp]),
    );
    const versionRows: SqlParam[][] = [];
    for (const doc of documents) {
      for (const v of doc.versions) {
        const frontmatter = {
          id: doc.id,
          title: `Bench procedure ${doc.id.slice(-3)}`,
          type: "sop",
          owner: doc.audience[0]!,
          audience: doc.audience,
          training: doc.training,
          reviewIntervalMonths: 24,
        };
        const source = `---\n${JSON.stringify(frontmatter)}\n---\nVersion ${v.major}.0 of ${doc.id}.\n`;
        versionRows.push([
          doc.id,
          v.major,
          0,
          `${v.major}.0`,
          sha(`commit ${doc.id} ${v.major}`).slice(0, 40),
          `${doc.id}/v${v.major}.0`,
          `sops/${doc.id}.mdx`,
          sha(source),
          frontmatter.title,
          JSON.stringify(frontmatter),
          v.major === 1 ? "First issue." : "Revised.",
          `${v.effectiveFrom}T09:00:00.000Z`,
          v.effectiveFrom,
          1,
        ]);
        versionCount++;
      }
    }
    await insertRows(
      tx,
      "document_versions",
      [
        "doc_id",
        "major",
        "minor",
        "version",
        "commit_sha",
        "tag",
        "path",
        "content_hash",
        "title",
        "frontmatter",
        "change_reason",
        "approved_at",
        "effective_from",
        "retraining_required",
      ],
      versionRows,
    );
    // A retirement needs its signature (Part 11 §11.50): signed by the demo's quality manager.
    const qa = await tx.get<{ id: string; username: string; display_name: string }>("SELECT id, username, display_name FROM users WHERE username = 'qa'");
    for (const doc of documents.filter((x) => x.retiredFrom !== null)) {
      const v = doc.versions.at(-1)!;
      const signature = await tx.run(
        "INSERT INTO signatures (cr_id, doc_id, version, user_id, username, printed_name, meaning, signed_at, content_hash, commit_sha) VALUES (NULL, ?, ?, ?, ?, ?, 'Retired', ?, ?, NULL)",
        [doc.id, `${v.major}.0`, qa!.id, qa!.username, qa!.display_name, `${doc.retiredFrom}T09:00:00.000Z`, sha(doc.id)],
      );
      await tx.run("INSERT INTO retirements (doc_id, effective_from, reason, signature_id, retired_at) VALUES (?, ?, 'No longer used.', ?, ?)", [
        doc.id,
        doc.retiredFrom,
        signature.lastID,
        `${doc.retiredFrom}T09:00:00.000Z`,
      ]);
      retired++;
    }

    // Who is in each document's audience.
    const holders = new Map<string, string[]>();
    for (const p of persons) for (const f of p.jobFunctions) holders.set(f, [...(holders.get(f) ?? []), p.id]);
    const columns = ["user_id", "doc_id", "version", "cause", "cause_ref", "assigned_at", "due_on", "status", "closed_at"];
    let batch: SqlParam[][] = [];
    const add = (row: SqlParam[]) => {
      batch.push(row);
      byStatus[row[7] as string] = (byStatus[row[7] as string] ?? 0) + 1;
      assignments++;
    };
    const flush = async () => {
      await insertRows(tx, "training_assignments", columns, batch);
      batch = [];
    };
    for (const doc of documents) {
      if (doc.training !== "required") continue;
      const audience = new Set<string>();
      for (const f of doc.audience) for (const id of holders.get(f) ?? []) audience.add(id);
      for (const userId of audience) {
        const second = doc.versions[1];
        const firstDue = "2025-02-03";
        if (!second) {
          add(
            standing(
              next,
              o.today,
              [userId, doc.id, "1.0", "induction", `${firstDue}T09:00:00.000Z`, firstDue],
              doc.retiredFrom !== null || !active.has(userId),
            ),
          );
        } else {
          const secondInForce = second.effectiveFrom <= o.today;
          // The earlier version: completed by most, superseded while still open by a few.
          if (next() < 0.95)
            add([
              userId,
              doc.id,
              "1.0",
              "induction",
              null,
              `${firstDue}T09:00:00.000Z`,
              firstDue,
              "completed",
              `2025-01-2${Math.floor(next() * 9)}T10:00:00.000Z`,
            ]);
          else add([userId, doc.id, "1.0", "induction", null, `${firstDue}T09:00:00.000Z`, firstDue, "superseded", `${second.effectiveFrom}T09:00:00.000Z`]);
          const assignedAt = `${second.effectiveFrom.slice(0, 8)}01T09:00:00.000Z`;
          add(
            secondInForce
              ? standing(next, o.today, [userId, doc.id, "2.0", "approval", assignedAt, second.effectiveFrom], !active.has(userId))
              : next() < 0.4
                ? [userId, doc.id, "2.0", "approval", null, assignedAt, second.effectiveFrom, "completed", `${o.today}T08:00:00.000Z`]
                : active.has(userId)
                  ? [userId, doc.id, "2.0", "approval", null, assignedAt, second.effectiveFrom, "open", null]
                  : [userId, doc.id, "2.0", "approval", null, assignedAt, second.effectiveFrom, "cancelled", `${o.today}T08:00:00.000Z`],
          );
        }
        if (batch.length >= 20 * ROWS_PER_STATEMENT) await flush();
      }
    }
    await flush();
    for (const index of indexes) await tx.run(index.sql);

    await recordAudit(
      tx,
      {
        ...SYSTEM_ACTOR,
        action: "bench.setup",
        objectType: "bench",
        objectId: "training-matrix",
        newValues: { documents: o.documents, versions: versionCount, retired, assignments, byStatus },
        reason: "Benchmark setup (bench/training-data.ts): documents, versions and training assignments inserted directly.",
      },
      o.at,
    );
  });
  return { people: o.people, documents: o.documents, versions: versionCount, retired, assignments, byStatus, milliseconds: performance.now() - started };
}

/**
 * A person's assignment on the version in force: completed by most (96%), open and due within the
 * month for some (3.7%), overdue by up to two months for a few (0.3%: with some 130 documents each,
 * about a third of the people are overdue on something). Open training of a deactivated person, or
 * on a retired document, was cancelled (`closedOpen`).
 */
function standing(next: () => number, today: string, [userId, docId, version, cause, assignedAt, dueOn]: string[], closedOpen: boolean): SqlParam[] {
  const r = next();
  if (r < 0.96)
    return [userId!, docId!, version!, cause!, null, assignedAt!, dueOn!, "completed", `${addDays(dueOn!, -Math.floor(next() * 10))}T15:00:00.000Z`];
  if (closedOpen) return [userId!, docId!, version!, cause!, null, assignedAt!, dueOn!, "cancelled", `${today}T08:00:00.000Z`];
  const due = r < 0.963 ? addDays(today, -1 - Math.floor(next() * 60)) : addDays(today, 1 + Math.floor(next() * 30));
  return [userId!, docId!, version!, cause!, null, `${addDays(due, -20)}T09:00:00.000Z`, due, "open", null];
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
