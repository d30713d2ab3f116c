/**
 * Concurrent read-and-understood acknowledgements over HTTP (issue 11): N people, each signed in to
 * the built server with one open assignment, sign it at the same moment (password re-entered, the
 * page's content hash sent back), and some of them send a second signature alongside their first.
 * Then the database must hold exactly one signature, one completed assignment and one
 * `training.complete` audit row per person, with the audit chain intact.
 *
 *   npx tsx bench/training-load.ts --people 200      (after `npm run build`)
 *
 * The bench's `training` group runs it with 200 people (bench/run.ts); test/http/training-load.test.ts
 * runs it with 20 and asserts the counts. Throughput and latency are compared with the same people's
 * concurrent sign-ins on the same server: both cost one scrypt verification and one transaction with
 * an audit row, so the ratio says what signing adds.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { openDataFolder } from "~/data-folder.server";
import { Database } from "~/db/db.server";
import { verifyAuditTrail } from "~/modules/audit/audit.server";
import { assignVersion } from "~/modules/training/assignments.server";
import { curriculumVersions } from "~/modules/training/curriculum.server";
import { quizOfVersion } from "~/modules/training/knowledge-check.server";
import { SYSTEM_ACTOR } from "~/modules/users/actor";
import { hashPassword } from "~/modules/users/password-hash.server";

import { PROJECT_ROOT, copyDataFolder } from "../test/helpers/data-folder";
import { HttpClient, signedIn } from "../test/helpers/http";
import { startServer } from "../test/helpers/server";
import { BENCH_PASSWORD, addBenchPeople } from "./training-data";

/** A demo SOP without a knowledge check (content/sops has no SOP-DC-001.quiz.yaml): signing needs no quiz first. */
const DOC_ID = "SOP-DC-001";
/** The demo data folder's day, as the HTTP tests pin it. */
const NOW = "2026-11-25T10:00:00Z";
const TODAY = NOW.slice(0, 10);

export interface LoadTiming {
  requests: number;
  seconds: number;
  /** Requests completed per second of the burst. */
  perSecond: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /**
   * CPU milliseconds per request during the burst (Linux /proc; null elsewhere): the server process
   * (all its threads, scrypt included) and the child processes it waited for (git).
   */
  cpuMsPerRequest: { server: number; children: number } | null;
}

export interface TrainingLoadResult {
  people: number;
  /** People who sent a second signature at the same moment as their first. */
  duplicates: number;
  docId: string;
  version: string;
  /** Baseline: every person's sign-in, all at once, on the same server. */
  signIn: LoadTiming;
  /** Every acknowledgement (and duplicate), all at once. */
  acknowledge: LoadTiming & { statuses: Record<string, number> };
  /** GET /about by another signed-in person: on the idle server, and half a second into the acknowledgement burst. */
  aboutMs: { idle: number; duringBurst: number };
  /** What the database holds afterwards (each count expected to equal the number of people). */
  recorded: {
    /** People with exactly one read-and-understood signature, their assignment completed by it, and one training.complete row. */
    peopleExactlyOnce: number;
    signatures: number;
    peopleSignedOnce: number;
    completed: number;
    completedWithOwnSignature: number;
    completeAuditRows: number;
    signatureAuditRows: number;
    duplicatesAnsweredOnce: number;
    auditRows: number;
    chainIntact: boolean;
  };
  /** Everything that was not exactly as it must be; empty when the run is sound. */
  problems: string[];
}

/** USER_HZ: 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

/** CPU seconds a process has used so far, its own and its reaped children's (fields 14-17 of /proc/<pid>/stat); null where unavailable. */
function processCpu(pid: number | undefined): { self: number; children: number } | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    return { self: (f[11]! + f[12]!) / CLOCK_TICKS, children: (f[13]! + f[14]!) / CLOCK_TICKS };
  } catch {
    return null;
  }
}

function timingOf(ms: number[], seconds: number, cpu0: ReturnType<typeof processCpu>, cpu1: ReturnType<typeof processCpu>): LoadTiming {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  const per = (a: number, b: number) => ((b - a) * 1000) / ms.length;
  return {
    requests: ms.length,
    seconds,
    perSecond: ms.length / seconds,
    medianMs: at(0.5),
    p95Ms: at(0.95),
    maxMs: sorted.at(-1) ?? 0,
    cpuMsPerRequest: cpu0 && cpu1 ? { server: per(cpu0.self, cpu1.self), children: per(cpu0.children, cpu1.children) } : null,
  };
}

/** Runs `work` for every item, at most `limit` at a time (page loads before the burst need not all come at once). */
async function inBatches<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export interface TrainingLoadOptions {
  people: number;
  /** Every how-many-th person also sends a second signature alongside the first (default 10). */
  duplicateEvery?: number;
  log?: (message: string) => void;
  /** Keep the data folder (its path is logged) to look at afterwards. */
  keep?: boolean;
}

export async function trainingLoad(o: TrainingLoadOptions): Promise<TrainingLoadResult> {
  const log = o.log ?? (() => undefined);
  const duplicateEvery = o.duplicateEvery ?? 10;
  if (!fs.existsSync(path.join(PROJECT_ROOT, "build", "index.js"))) throw new Error("build/index.js is missing: run `npm run build` first.");
  const { dataDir, config } = await copyDataFolder("project-demo");
  const problems: string[] = [];
  try {
    // BENCH SETUP: N staff holding the CRA function, each with one open assignment on the version of
    // SOP-DC-001 in force, assigned through assignVersion as an approval would.
    const folder = await openDataFolder(config);
    let version: string;
    let assignments: Map<string, number>;
    try {
      const current = (await curriculumVersions(folder.db, TODAY)).find((v) => v.docId === DOC_ID);
      if (!current) throw new Error(`${DOC_ID} has no version in force on ${TODAY}`);
      if (await quizOfVersion(folder.repo, current)) throw new Error(`${DOC_ID} v${current.version} has a knowledge check: pick a document without one`);
      version = current.version;
      const at = new Date(NOW);
      const people = await addBenchPeople(folder.db, {
        count: o.people,
        prefix: "load",
        passwordHash: await hashPassword(BENCH_PASSWORD),
        at,
        functionsOf: () => ["cra"],
      });
      await folder.db.transaction((tx) =>
        assignVersion(tx, {
          docId: DOC_ID,
          version,
          dueOn: TODAY,
          cause: "approval",
          causeRef: null,
          people: people.map((p) => ({ id: p.id, username: p.username })),
          actor: SYSTEM_ACTOR,
          at,
        }),
      );
      const rows = await folder.db.all<{ username: string; id: number }>(
        "SELECT u.username, a.id FROM training_assignments a JOIN users u ON u.id = a.user_id WHERE u.username LIKE 'load%' AND a.doc_id = ? AND a.version = ? AND a.status = 'open'",
        [DOC_ID, version],
      );
      assignments = new Map(rows.map((r) => [r.username, r.id]));
      if (assignments.size !== o.people) throw new Error(`set-up assigned ${assignments.size} of ${o.people} people`);
    } finally {
      await folder.db.close();
    }
    const usernames = [...assignments.keys()].sort();
    log(`${o.people} people with an open assignment on ${DOC_ID} v${version}; starting the server`);

    const server = await startServer(dataDir, { QUIRE_NOW: NOW });
    const clients = new Map(usernames.map((u) => [u, new HttpClient(server.url)]));
    let signIn: LoadTiming;
    let acknowledge: LoadTiming & { statuses: Record<string, number> };
    let aboutMs: TrainingLoadResult["aboutMs"];
    const outcomes = new Map<string, number[]>();
    try {
      // Someone else using Quire meanwhile: does a page wait for the burst?
      const observer = await signedIn(server.url, "qa");
      const timedAbout = async () => {
        const started = performance.now();
        const page = await observer.get("/about");
        if (page.status !== 200) problems.push(`GET /about as qa: ${page.status}`);
        return performance.now() - started;
      };
      for (let i = 0; i < 3; i++) await timedAbout();
      const aboutIdle = await timedAbout();

      // The baseline: everyone signs in at once.
      const signInMs: number[] = [];
      let cpu0 = processCpu(server.process.pid);
      let t0 = performance.now();
      await Promise.all(
        usernames.map(async (u) => {
          const started = performance.now();
          await clients.get(u)!.signIn(u, BENCH_PASSWORD);
          signInMs.push(performance.now() - started);
        }),
      );
      signIn = timingOf(signInMs, (performance.now() - t0) / 1000, cpu0, processCpu(server.process.pid));
      log(`sign-in: ${signIn.requests} at once in ${signIn.seconds.toFixed(2)} s (${signIn.perSecond.toFixed(1)}/s), p95 ${signIn.p95Ms.toFixed(0)} ms`);

      // Each person opens their training page and keeps the content hash it shows (Part 11 §11.70).
      const shown = new Map<string, string>();
      await inBatches(usernames, 8, async (u) => {
        const page = await clients.get(u)!.get(`/training/${assignments.get(u)}`);
        const hash = /name="contentHash" value="([0-9a-f]{64})"/.exec(page.text)?.[1];
        if (page.status !== 200 || !hash) throw new Error(`GET /training/${assignments.get(u)} as ${u}: ${page.status}, content hash ${hash ?? "missing"}`);
        shown.set(u, hash);
      });

      // The burst: every acknowledgement, and a second one from every tenth person, all at once.
      const sends = usernames.flatMap((u, i) => (i % duplicateEvery === 0 ? [u, u] : [u]));
      const ackMs: number[] = [];
      const statuses: Record<string, number> = {};
      cpu0 = processCpu(server.process.pid);
      t0 = performance.now();
      const probe = new Promise((resolve) => setTimeout(resolve, 500)).then(timedAbout);
      await Promise.all(
        sends.map(async (u) => {
          const started = performance.now();
          let status: number;
          try {
            const res = await clients
              .get(u)!
              .post(`/training/${assignments.get(u)}`, { intent: "acknowledge", password: BENCH_PASSWORD, contentHash: shown.get(u)! });
            status = res.status;
            if (status !== 302 && status !== 409) problems.push(`${u}: POST answered ${status}: ${res.text.slice(0, 200)}`);
          } catch (error) {
            status = 0;
            problems.push(`${u}: POST failed: ${(error as Error).message}`);
          }
          ackMs.push(performance.now() - started);
          statuses[status] = (statuses[status] ?? 0) + 1;
          outcomes.set(u, [...(outcomes.get(u) ?? []), status]);
        }),
      );
      acknowledge = { ...timingOf(ackMs, (performance.now() - t0) / 1000, cpu0, processCpu(server.process.pid)), statuses };
      aboutMs = { idle: aboutIdle, duringBurst: await probe };
      log(
        `acknowledge: ${acknowledge.requests} at once in ${acknowledge.seconds.toFixed(2)} s (${acknowledge.perSecond.toFixed(1)}/s), ` +
          `p95 ${acknowledge.p95Ms.toFixed(0)} ms, statuses ${JSON.stringify(statuses)}; GET /about meanwhile ${aboutMs.duringBurst.toFixed(0)} ms (idle ${aboutMs.idle.toFixed(0)} ms)`,
      );
    } finally {
      await server.stop();
    }
    const serverErrors = server
      .output()
      .split("\n")
      .filter((line) => /error|exception/i.test(line));
    if (serverErrors.length > 0) problems.push(`the server logged: ${serverErrors.slice(0, 5).join(" | ")}`);

    // Each person: one signature answered 302 (signed); a duplicate pair: exactly one 302 and one 409 (refused).
    let duplicatesAnsweredOnce = 0;
    for (const [u, got] of outcomes) {
      const sorted = [...got].sort((a, b) => a - b).join(",");
      if (got.length === 2 && sorted === "302,409") duplicatesAnsweredOnce++;
      else if (got.length !== 1 || sorted !== "302") problems.push(`${u}: answered ${sorted}`);
    }

    const recorded = await checkDatabase(config.dbFile, usernames, [...assignments.values()], duplicatesAnsweredOnce);
    const expected = o.people;
    const duplicates = usernames.filter((_, i) => i % duplicateEvery === 0).length;
    const counts: Array<[string, number, number]> = [
      ["people recorded exactly once", recorded.peopleExactlyOnce, expected],
      ["read-and-understood signatures", recorded.signatures, expected],
      ["people with exactly one signature", recorded.peopleSignedOnce, expected],
      ["completed assignments", recorded.completed, expected],
      ["assignments completed by their own person's signature", recorded.completedWithOwnSignature, expected],
      ["training.complete audit rows", recorded.completeAuditRows, expected],
      ["signature.sign audit rows", recorded.signatureAuditRows, expected],
      ["duplicate pairs answered once signed, once refused", recorded.duplicatesAnsweredOnce, duplicates],
    ];
    for (const [what, got, want] of counts) if (got !== want) problems.push(`${what}: ${got}, expected ${want}`);
    if (!recorded.chainIntact) problems.push("the audit chain is broken");
    return { people: o.people, duplicates, docId: DOC_ID, version, signIn, acknowledge, aboutMs, recorded, problems };
  } finally {
    if (!o.keep) fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    else log(`data folder kept: ${dataDir}`);
  }
}

async function checkDatabase(
  dbFile: string,
  usernames: string[],
  assignmentIds: number[],
  duplicatesAnsweredOnce: number,
): Promise<TrainingLoadResult["recorded"]> {
  const db = await Database.open(dbFile);
  try {
    const people = `(${usernames.map(() => "?").join(", ")})`;
    const ids = `(${assignmentIds.map(() => "?").join(", ")})`;
    const perPerson = await db.all<{ n: number }>(
      `SELECT count(*) AS n FROM signatures WHERE meaning = 'Read and understood' AND username IN ${people} GROUP BY user_id`,
      usernames,
    );
    const one = async (sql: string, params: (string | number)[]) => (await db.get<{ n: number }>(sql, params))!.n;
    const verdict = await verifyAuditTrail(db);
    return {
      peopleExactlyOnce: await one(
        `SELECT count(*) AS n FROM training_assignments a
          WHERE a.id IN ${ids} AND a.status = 'completed'
            AND EXISTS (SELECT 1 FROM signatures s WHERE s.id = a.signature_id AND s.user_id = a.user_id AND s.doc_id = a.doc_id AND s.version = a.version)
            AND (SELECT count(*) FROM signatures s WHERE s.user_id = a.user_id AND s.doc_id = a.doc_id AND s.meaning = 'Read and understood') = 1
            AND (SELECT count(*) FROM audit_events e WHERE e.action = 'training.complete' AND e.object_type = 'training-assignment' AND e.object_id = CAST(a.id AS TEXT)) = 1`,
        assignmentIds,
      ),
      signatures: perPerson.reduce((n, r) => n + r.n, 0),
      peopleSignedOnce: perPerson.filter((r) => r.n === 1).length,
      completed: await one(`SELECT count(*) AS n FROM training_assignments WHERE status = 'completed' AND id IN ${ids}`, assignmentIds),
      completedWithOwnSignature: await one(
        `SELECT count(*) AS n FROM training_assignments a JOIN signatures s ON s.id = a.signature_id AND s.user_id = a.user_id AND s.doc_id = a.doc_id AND s.version = a.version
          WHERE a.status = 'completed' AND s.meaning = 'Read and understood' AND a.id IN ${ids}`,
        assignmentIds,
      ),
      completeAuditRows: await one(
        `SELECT count(*) AS n FROM audit_events WHERE action = 'training.complete' AND object_type = 'training-assignment' AND object_id IN ${ids}`,
        assignmentIds.map(String),
      ),
      signatureAuditRows: await one(
        `SELECT count(*) AS n FROM audit_events WHERE action = 'signature.sign' AND username IN ${people} AND new_values LIKE '%Read and understood%'`,
        usernames,
      ),
      duplicatesAnsweredOnce,
      auditRows: verdict.count,
      chainIntact: verdict.ok,
    };
  } finally {
    await db.close();
  }
}

/** The two bursts as a markdown table. */
export function trainingLoadTable(r: TrainingLoadResult): string {
  const cpu = (t: LoadTiming) => (t.cpuMsPerRequest ? `${t.cpuMsPerRequest.server.toFixed(0)} ms + ${t.cpuMsPerRequest.children.toFixed(0)} ms` : "n/a");
  const line = (name: string, t: LoadTiming) =>
    `| ${name} | ${t.requests} | ${t.seconds.toFixed(2)} s | ${t.perSecond.toFixed(1)}/s | ${t.medianMs.toFixed(0)} ms | ${t.p95Ms.toFixed(0)} ms | ${t.maxMs.toFixed(0)} ms | ${cpu(t)} |`;
  return [
    "| burst | requests | wall time | throughput | median | p95 | max | CPU per request: server + git |",
    "|---|---|---|---|---|---|---|---|",
    line(`sign-in, ${r.people} people at once`, r.signIn),
    line(`acknowledge ${r.docId} v${r.version}, ${r.people} people + ${r.duplicates} duplicates at once`, r.acknowledge),
    "",
    `GET /about by another person: ${r.aboutMs.idle.toFixed(0)} ms idle, ${r.aboutMs.duringBurst.toFixed(0)} ms half a second into the acknowledgement burst.`,
  ].join("\n");
}

// `npx tsx bench/training-load.ts --people 200`
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const at = process.argv.indexOf("--people");
  const people = at > 0 ? Number(process.argv[at + 1]) : 200;
  if (!Number.isInteger(people) || people < 1) {
    process.stderr.write("usage: npx tsx bench/training-load.ts [--people N] [--keep]\n");
    process.exit(2);
  }
  try {
    const result = await trainingLoad({ people, keep: process.argv.includes("--keep"), log: (m) => process.stderr.write(`[training-load] ${m}\n`) });
    process.stdout.write(`${trainingLoadTable(result)}\n\n${JSON.stringify(result.recorded)}\n`);
    if (result.problems.length > 0) {
      process.stderr.write(`[training-load] NOT exactly once:\n${result.problems.map((p) => `  ${p}`).join("\n")}\n`);
      process.exit(1);
    }
    process.stderr.write(`[training-load] every acknowledgement recorded exactly once; audit chain intact (${result.recorded.auditRows} rows)\n`);
  } catch (error) {
    process.stderr.write(`[training-load] FAILED: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}
