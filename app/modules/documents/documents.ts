import type { DocumentType, Frontmatter } from "~/modules/content/frontmatter";

export interface VersionNumber {
  major: number;
  minor: number;
}

export function parseVersion(text: string): VersionNumber | null {
  const m = /^(\d+)\.(\d+)$/.exec(text);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major >= 1 ? { major, minor } : null;
}

export function formatVersion(v: VersionNumber): string {
  return `${v.major}.${v.minor}`;
}

export function compareVersions(a: VersionNumber, b: VersionNumber): number {
  return a.major - b.major || a.minor - b.minor;
}

/** An approved version as recorded in the database (a record: never edited). */
export interface DocumentVersion extends VersionNumber {
  docId: string;
  version: string;
  commit: string;
  tag: string;
  path: string;
  contentHash: string;
  title: string;
  frontmatter: Frontmatter;
  changeReason: string;
  approvedAt: string;
  effectiveFrom: string;
  /** The change request the version came from; null when adopted at initialisation. */
  crId?: string | null;
}

/** Approved: signed but its effective date is still ahead. */
export type VersionStatus = "approved" | "effective" | "superseded";

export interface VersionState {
  version: DocumentVersion;
  status: VersionStatus;
  /** The day the next version took over, when superseded. */
  effectiveTo: string | null;
}

/**
 * The status of every version of one document on a given day, newest first. A version is
 * effective from its effective date until the next version's effective date; status is derived
 * from dates on every read, so nothing has to flip a flag at midnight.
 */
export function versionStates(versions: readonly DocumentVersion[], on: string): VersionState[] {
  const ordered = [...versions].sort(
    (a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || compareVersions(a, b),
  );
  const states = ordered.map((version, i): VersionState => {
    const next = ordered[i + 1];
    const effectiveTo = next ? next.effectiveFrom : null;
    let status: VersionStatus;
    if (version.effectiveFrom > on) status = "approved";
    else if (effectiveTo !== null && effectiveTo <= on) status = "superseded";
    else status = "effective";
    return { version, status, effectiveTo: status === "approved" ? null : effectiveTo };
  });
  return states.reverse();
}

/** The version in force on a day, or null when none was (before the first effective date). */
export function effectiveOn(versions: readonly DocumentVersion[], on: string): VersionState | null {
  return versionStates(versions, on).find((s) => s.status === "effective") ?? null;
}

/** Adds whole calendar months to a YYYY-MM-DD date, clamping to the month's last day. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(Math.min(d, lastDay)).padStart(2, "0")}`;
}

/** Periodic review falls due `reviewIntervalMonths` after the current version became effective. */
export function nextReviewDate(current: DocumentVersion): string {
  return addMonths(current.effectiveFrom, current.frontmatter.reviewIntervalMonths);
}

export interface LibraryEntry {
  id: string;
  type: DocumentType;
  title: string;
  owner: string;
  audience: string[];
  training: Frontmatter["training"];
  summary: string | null;
  version: string | null;
  status: VersionStatus | "pending";
  effectiveFrom: string | null;
  nextReview: string | null;
  /** An approved version waiting for its effective date, if any. */
  upcoming: { version: string; effectiveFrom: string } | null;
}

/** One row of the document library for a day: the version in force, or the first one pending. */
export function libraryEntry(id: string, type: DocumentType, versions: readonly DocumentVersion[], on: string): LibraryEntry | null {
  // As of a past day, versions approved later did not exist yet: leave them out.
  const states = versionStates(versions.filter((v) => v.approvedAt.slice(0, 10) <= on), on);
  const current = states.find((s) => s.status === "effective") ?? null;
  const upcomingState = states.filter((s) => s.status === "approved").at(-1) ?? null;
  const shown = current ?? upcomingState;
  if (!shown) return null;
  const v = shown.version;
  return {
    id,
    type,
    title: v.title,
    owner: v.frontmatter.owner,
    audience: v.frontmatter.audience,
    training: v.frontmatter.training,
    summary: v.frontmatter.summary ?? null,
    version: current ? v.version : null,
    status: current ? "effective" : "pending",
    effectiveFrom: current ? v.effectiveFrom : null,
    nextReview: current ? nextReviewDate(v) : null,
    upcoming: upcomingState ? { version: upcomingState.version.version, effectiveFrom: upcomingState.version.effectiveFrom } : null,
  };
}

export interface LibraryFilter {
  /** Matches the id or title, case-insensitively. */
  q?: string;
  type?: DocumentType;
  /** A job function id: documents whose audience includes it. */
  jobFunction?: string;
}

export function filterLibrary(entries: readonly LibraryEntry[], filter: LibraryFilter): LibraryEntry[] {
  const q = filter.q?.trim().toLowerCase() ?? "";
  return entries.filter(
    (e) =>
      (!q || e.id.toLowerCase().includes(q) || e.title.toLowerCase().includes(q)) &&
      (!filter.type || e.type === filter.type) &&
      (!filter.jobFunction || e.audience.includes(filter.jobFunction)),
  );
}
