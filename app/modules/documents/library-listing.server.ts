// The document library as a page and as the register's CSV list it: the filters from the query
// string, the documents in force on the day, and full-text hits in their bodies.
import { z } from "zod";

import { DOCUMENT_TYPES } from "~/modules/content/document-types";
import type { Quire } from "~/quire";

import { filterLibrary, type LibraryEntry } from "./documents";
import { listLibrary } from "./library.server";
import { looksLikeDocumentId } from "./search";
import { searchBodies } from "./search.server";

const FilterSchema = z.object({
  q: z.string().max(100, "A search is at most 100 characters").optional(),
  type: z.enum(DOCUMENT_TYPES, "Not a document type").optional(),
  fn: z.string().max(60, "Not a job function").optional(),
  on: z.iso.date("A date is written YYYY-MM-DD").optional(),
});
export type LibraryQuery = z.infer<typeof FilterSchema>;

const FILTER_LABELS: Record<keyof LibraryQuery, string> = { q: "search", type: "type", fn: "job function", on: "date" };

/**
 * The library's filters from the query string. A value that is not valid is named and left out, and
 * the caller answers 400 (as the document page does for a bad date), never silently something else.
 */
export function parseLibraryQuery(params: URLSearchParams): { filter: LibraryQuery; problems: string[] } {
  const filter: LibraryQuery = {};
  const problems: string[] = [];
  for (const key of Object.keys(FILTER_LABELS) as (keyof LibraryQuery)[]) {
    const raw = params.get(key);
    if (raw === null || raw === "") continue;
    const parsed = FilterSchema.shape[key].safeParse(raw);
    if (parsed.success) Object.assign(filter, { [key]: parsed.data });
    else
      problems.push(
        `The ${FILTER_LABELS[key]} “${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}” was not used: ${parsed.error.issues[0]?.message ?? "not valid"}.`,
      );
  }
  return { filter, problems };
}

export interface LibraryListing {
  /** The day listed: ?on=YYYY-MM-DD, else today. */
  on: string;
  filter: LibraryQuery;
  problems: string[];
  /** Id and title matches first, then documents whose body matches, best first (with the passage). */
  entries: (LibraryEntry & { passage: string | null })[];
  /** Documents in the library that day, before filtering. */
  total: number;
}

export async function libraryListing(q: Quire, params: URLSearchParams, today: string): Promise<LibraryListing> {
  const { filter, problems } = parseLibraryQuery(params);
  const on = filter.on ?? today;
  const all = await listLibrary(q, on);
  const byIdOrTitle = filterLibrary(all, { q: filter.q, type: filter.type, jobFunction: filter.fn });
  // Words in the body count too (issue 13): those documents follow the id and title matches, best first.
  const inScope = filterLibrary(all, { type: filter.type, jobFunction: filter.fn });
  // An id ("SOP-DM") is looked up by id: the bodies that cite it are not what the person asked for.
  const hits =
    filter.q && !looksLikeDocumentId(filter.q)
      ? await searchBodies(q, filter.q, new Map(inScope.filter((e) => e.version !== null).map((e) => [e.id, e.version!])))
      : [];
  const listed = new Set(byIdOrTitle.map((e) => e.id));
  const entries = [
    ...byIdOrTitle.map((e) => ({ ...e, passage: hits.find((h) => h.docId === e.id)?.passage ?? null })),
    ...hits.filter((h) => !listed.has(h.docId)).map((h) => ({ ...inScope.find((e) => e.id === h.docId)!, passage: h.passage })),
  ];
  return { on, filter, problems, entries, total: all.length };
}
