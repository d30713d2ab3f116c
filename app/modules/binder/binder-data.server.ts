// What the inspection binder shows, read from the record as it stood at the end of the as-of day:
// the same readers the library, the document page and the training as-of page use, with everything
// approved, signed or recorded later left out.
import type { Queryable } from "~/db/db.server";
import type { AuditRow } from "~/modules/audit/audit";
import { AUDIT_COLUMNS } from "~/modules/audit/audit.server";
import { versionStates, type DocumentVersion, type VersionState } from "~/modules/documents/documents";
import { listLibrary } from "~/modules/documents/library.server";
import { allRetirementDates } from "~/modules/documents/retirement-dates.server";
import { allVersions } from "~/modules/documents/versions.server";
import type { PdfInput } from "~/modules/pdf/pdf";
import { printableState } from "~/modules/pdf/pdf.server";
import { trainedAsOfDay } from "~/modules/training/reports.server";

import { BinderRequestError, endOfDay, type BinderRun, type ManifestSignature, type MatrixLine, type PersonRecord, type Store } from "./binder";

/** A document version in force on the as-of day, with what printing it needs but its source (sourcesInOrder reads it). */
export interface VersionInForce {
  docId: string;
  version: string;
  title: string;
  state: VersionState;
  /** The document's version states on the day, newest first: versions approved later left out. */
  states: VersionState[];
}

/**
 * Every version in force that day (the library as of that day: not retired, effective on or before
 * it, not yet superseded; versions approved and retirements signed later left out), in the
 * library's order.
 */
export async function versionsInForce(q: Store, asOf: string): Promise<VersionInForce[]> {
  const [entries, versions, retirements] = await Promise.all([listLibrary(q, asOf), allVersions(q.db), allRetirementDates(q.db)]);
  const inForce = entries.filter((e) => e.status === "effective" && e.version !== null);
  if (inForce.length === 0) {
    const first = versions.map((v) => v.effectiveFrom).sort()[0];
    throw new BinderRequestError(`No document was in force on ${asOf}${first ? `; the first took effect ${first}` : ": there are no approved versions"}.`);
  }
  const byDoc = new Map<string, DocumentVersion[]>();
  for (const v of versions) if (v.approvedAt.slice(0, 10) <= asOf) byDoc.set(v.docId, [...(byDoc.get(v.docId) ?? []), v]);
  const chosen = inForce.map((e) => {
    const retirement = retirements.get(e.id);
    const states = versionStates(byDoc.get(e.id) ?? [], asOf, retirement && retirement.recordedOn <= asOf ? retirement.effectiveFrom : null);
    const state = states.find((s) => s.status === "effective");
    if (!state || state.version.version !== e.version) throw new Error(`${e.id}: the library and the version states disagree on ${asOf}`);
    return { docId: e.id, version: state.version.version, title: state.version.title, state, states };
  });
  return chosen;
}

/** Sources read per `git cat-file --batch`: few enough to hold, many enough that a binder of 300 takes ten reads a pass. */
const SOURCE_BATCH = 32;

/** Reads a version's MDX source; a binder asks for them in the order it lays them out. */
export type SourceReader = (v: VersionInForce) => Promise<string>;

/**
 * The sources of `versions`, read a batch at a time as they are asked for (one `git cat-file --batch`
 * per batch, not one git call per version) and let go when the next batch is read, so a binder of
 * any size holds at most SOURCE_BATCH sources. Each pass asks from the first again, which reads the
 * first batch again: a few git calls instead of every source held through both passes.
 */
export function sourcesInOrder(q: Store, versions: readonly VersionInForce[], batchSize: number = SOURCE_BATCH): SourceReader {
  const index = new Map(versions.map((v, i) => [v, i]));
  let batch: { first: number; sources: Promise<string[]> } | null = null;
  return async (v) => {
    const i = index.get(v);
    if (i === undefined) throw new Error(`${v.docId} v${v.version} is not in the binder`);
    const first = i - (i % batchSize);
    if (batch?.first !== first) {
      const files = versions.slice(first, first + batchSize).map((x) => ({ commit: x.state.version.commit, path: x.state.version.path }));
      batch = { first, sources: q.repo.readFiles(files) };
    }
    return (await batch.sources)[i - first]!;
  };
}

/** One version as the binder prints it: status, signatures and revision history as of the end of the day, printed by the binder's run. */
export async function binderVersionInput(q: Store, v: VersionInForce, source: string, run: BinderRun): Promise<PdfInput> {
  const input = await printableState(q, v.state, v.states, { printedAt: run.generatedAt, printedBy: run.generatedBy, copyId: null }, { source });
  return { ...input, statusOn: run.asOf };
}

interface SignatureRow {
  id: number;
  signed_at: string;
  printed_name: string;
  username: string;
  meaning: string;
  doc_id: string;
  version: string | null;
  cr_id: string | null;
  content_hash: string;
}

/** Every document-control e-signature made by the end of the day, oldest first (training signatures are in the training records). */
export async function signatureManifest(db: Queryable, asOf: string): Promise<ManifestSignature[]> {
  const rows = await db.all<SignatureRow>(
    `SELECT s.id, s.signed_at, s.printed_name, s.username, s.meaning, s.doc_id, s.version, s.cr_id, s.content_hash
       FROM signatures s JOIN signature_meanings m ON m.meaning = s.meaning AND m.purpose = 'document-control'
      WHERE s.signed_at <= ? ORDER BY s.signed_at, s.id`,
    [endOfDay(asOf)],
  );
  return rows.map((r) => ({
    id: r.id,
    signedAt: r.signed_at,
    printedName: r.printed_name,
    username: r.username,
    meaning: r.meaning,
    docId: r.doc_id,
    version: r.version,
    crId: r.cr_id,
    contentHash: r.content_hash,
  }));
}

/** Rows read per statement: the trail is streamed, however long it is. */
const AUDIT_BATCH_ROWS = 1000;

export async function auditEventCount(db: Queryable, asOf: string): Promise<number> {
  return (await db.get<{ n: number }>("SELECT count(*) AS n FROM audit_events WHERE at <= ?", [endOfDay(asOf)]))?.n ?? 0;
}

/** The audit trail to the end of the day, in sequence order, a batch at a time (flat memory at any length). */
export async function* auditRowsUpTo(db: Queryable, asOf: string): AsyncGenerator<AuditRow[]> {
  let after = 0;
  for (;;) {
    const batch = await db.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE seq > ? AND at <= ? ORDER BY seq LIMIT ?`, [
      after,
      endOfDay(asOf),
      AUDIT_BATCH_ROWS,
    ]);
    if (batch.length === 0) return;
    yield batch;
    after = batch[batch.length - 1]!.seq;
  }
}

export interface TrainingAsOf {
  matrix: MatrixLine[];
  people: PersonRecord[];
}

/**
 * The training matrix and each person's record as of the day, from trainedAsOfDay (the rule of
 * `quire trained` and the as-of page): who was assigned each version in force by then, and whether
 * they had signed read-and-understood by the end of the day, with the version signed and when.
 */
export async function trainingAsOf(q: Store, asOf: string): Promise<TrainingAsOf> {
  const documents = await trainedAsOfDay(q, asOf);
  const signed = await signedVersions(
    q.db,
    documents.flatMap((d) => d.people.map((p) => p.signatureId).filter((id): id is number => id !== null)),
  );
  const people = new Map<string, PersonRecord>();
  const matrix: MatrixLine[] = [];
  for (const d of documents) {
    matrix.push({
      docId: d.docId,
      title: d.title,
      version: d.version,
      assigned: d.people.length,
      trained: d.trained,
      notTrained: d.people.filter((p) => !p.trained).map((p) => p.displayName),
    });
    for (const p of d.people) {
      const record = people.get(p.username) ?? { username: p.username, displayName: p.displayName, lines: [] };
      record.lines.push({
        docId: d.docId,
        title: d.title,
        version: d.version,
        trained: p.trained,
        signedVersion: p.signatureId === null ? null : (signed.get(p.signatureId) ?? null),
        signedAt: p.acknowledgedAt,
      });
      people.set(p.username, record);
    }
  }
  return { matrix, people: [...people.values()].sort((a, b) => a.username.localeCompare(b.username)) };
}

/** The version each read-and-understood signature was made on, by signature id. */
async function signedVersions(db: Queryable, ids: number[]): Promise<Map<number, string>> {
  const versions = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.all<{ id: number; version: string | null }>(
      `SELECT id, version FROM signatures WHERE id IN (${chunk.map(() => "?").join(", ")})`,
      chunk,
    );
    for (const r of rows) if (r.version !== null) versions.set(r.id, r.version);
  }
  return versions;
}
