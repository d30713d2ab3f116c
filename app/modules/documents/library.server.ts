import type { DocumentType } from "~/modules/content/frontmatter";
import type { Heading } from "~/modules/content/render.server";
import type { Quire } from "~/quire";

import { libraryEntry, versionStates, type DocumentVersion, type LibraryEntry, type VersionState } from "./documents";
import { noChangeReviewDates } from "./periodic-review.server";
import { allRetirementDates, retirementDates, retirementOf, type Retirement } from "./retirement.server";
import { allVersions, versionsOf } from "./versions.server";

// Job functions belong to training (their table is the training matrix's rows). Re-exported here only
// for app/routes/documents.$docId.tsx and app/context.server.ts, which import it from this file.
export { loadJobFunctions } from "~/modules/training/job-functions.server";

/** The document library on a day: every controlled document with the version in force. */
export async function listLibrary(q: Pick<Quire, "db">, on: string): Promise<LibraryEntry[]> {
  const { docs, retirements, reviews, byDoc } = await q.db.cached("library", async () => {
    const [docs, retirements, reviews] = await Promise.all([
      q.db.all<{ id: string; type: DocumentType }>("SELECT id, type FROM documents ORDER BY id"),
      allRetirementDates(q.db),
      noChangeReviewDates(q.db),
    ]);
    const byDoc = new Map<string, DocumentVersion[]>();
    for (const v of await allVersions(q.db)) {
      const list = byDoc.get(v.docId) ?? [];
      list.push(v);
      byDoc.set(v.docId, list);
    }
    return { docs, retirements, reviews, byDoc };
  });
  return docs
    .map((d) => libraryEntry(d.id, d.type, byDoc.get(d.id) ?? [], on, { retirement: retirements.get(d.id) ?? null, reviewedOn: reviews.get(d.id) ?? [] }))
    .filter((e): e is LibraryEntry => e !== null)
    .sort((a, b) => typeOrder(a.type) - typeOrder(b.type) || a.id.localeCompare(b.id));
}

const TYPE_ORDER: DocumentType[] = ["manual", "policy", "sop", "work-instruction", "form"];
function typeOrder(type: DocumentType): number {
  return TYPE_ORDER.indexOf(type);
}

export interface DocumentPage {
  entry: LibraryEntry;
  versions: VersionState[];
  /** The version shown: the one asked for, else the one in force, else the one retired, else the next to come. */
  shown: VersionState;
  /** The document's retirement, if one is recorded (its date may still be ahead). */
  retirement: Retirement | null;
  html: string;
  headings: Heading[];
}

/**
 * What the database knows of one document (type, versions, retirement, reviews), read once and
 * kept until the database changes: the document and history pages ask for it on every view.
 */
function documentFacts(q: Pick<Quire, "db">, id: string) {
  return q.db.cached(`document:${id}`, async () => {
    const type = await q.db.get<{ type: DocumentType }>("SELECT type FROM documents WHERE id = ?", [id]);
    if (!type) return null;
    const [versions, retirement, reviews] = await Promise.all([versionsOf(q.db, id), retirementOf(q.db, id), noChangeReviewDates(q.db, id)]);
    return { type, versions, retirement, reviews };
  });
}

/** A document as read on a day, optionally at a given version; null when the id or version is unknown. */
export async function documentPage(q: Quire, id: string, on: string, version?: string): Promise<DocumentPage | null> {
  const facts = await documentFacts(q, id);
  if (!facts) return null;
  const { type, versions, retirement, reviews } = facts;
  const entry = libraryEntry(id, type.type, versions, on, { retirement: retirementDates(retirement), reviewedOn: reviews.get(id) ?? [] });
  const states = versionStates(versions, on, retirement?.effectiveFrom ?? null);
  const shown =
    version !== undefined
      ? states.find((s) => s.version.version === version)
      : (states.find((s) => s.status === "effective") ?? states.find((s) => s.status === "retired" && s.effectiveTo !== null) ?? states.at(-1));
  if (!entry || !shown) return null;
  const v = shown.version;
  const rendered = await renderVersion(q, v);
  return { entry, versions: states, shown, retirement, html: rendered.html, headings: rendered.headings };
}

/** The id of the QMS manual (the document of type manual with the lowest id). */
export async function qmsManualId(q: Quire): Promise<string | null> {
  const row = await q.db.get<{ id: string }>("SELECT id FROM documents WHERE type = 'manual' ORDER BY id LIMIT 1");
  return row?.id ?? null;
}

/**
 * Every version of a document with its state on a day (newest first), and its retirement if one is
 * recorded; null for an unknown id.
 */
export async function documentHistory(
  q: Pick<Quire, "db">,
  id: string,
  on: string,
): Promise<{ type: DocumentType; versions: VersionState[]; retirement: Retirement | null } | null> {
  const facts = await documentFacts(q, id);
  if (!facts) return null;
  const { type, versions, retirement } = facts;
  return { type: type.type, versions: versionStates(versions, on, retirement?.effectiveFrom ?? null), retirement };
}

/** The rendered HTML of one version, by version number; null when the document has no such version. */
export async function versionHtml(q: Quire, id: string, version: string): Promise<{ version: DocumentVersion; html: string } | null> {
  const v = (await documentFacts(q, id))?.versions.find((x) => x.version === version);
  if (!v) return null;
  return { version: v, html: (await renderVersion(q, v)).html };
}

/** A version's rendered body; the source is read from git only when the cache misses. */
function renderVersion(q: Quire, v: DocumentVersion) {
  return q.renderer.render(v.contentHash, () => q.repo.readFile(v.commit, v.path));
}
