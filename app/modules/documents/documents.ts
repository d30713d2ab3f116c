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

/**
 * Orders two ISO dates (YYYY-MM-DD): as strings of one fixed form, their code units compare as the
 * days do. Not localeCompare, whose first call builds an ICU collator (10 to 30 ms, about a tenth
 * of `quire effective`'s start-up budget, issue 10) for no difference in order.
 */
export function compareIsoDates(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What dates a version's period: its number (for two versions on one day) and its effective date. */
export interface VersionPeriod extends VersionNumber {
  effectiveFrom: string;
}

/** An approved version as recorded in the database (a record: never edited). */
export interface DocumentVersion extends VersionPeriod {
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
  /** Staff must be retrained on this version (null: recorded before Quire kept it). */
  retrainingRequired?: boolean | null;
}

/**
 * Approved: signed but its effective date is still ahead. Retired: the version in force when the
 * document was retired, from the retirement's effective date on (Effective -> Retired).
 */
export type VersionStatus = "approved" | "effective" | "superseded" | "retired";

export interface VersionState<V extends VersionPeriod = DocumentVersion> {
  version: V;
  status: VersionStatus;
  /** The day the next version took over (superseded), or the document was retired. */
  effectiveTo: string | null;
}

/**
 * The status of every version of one document on a given day, newest first. A version is
 * effective from its effective date until the next version's effective date; status is derived
 * from dates on every read, so nothing has to flip a flag at midnight. `retiredFrom`, the
 * effective date of the document's retirement if one is recorded, ends the period of the version
 * in force then: from that day no version is effective.
 */
export function versionStates<V extends VersionPeriod>(versions: readonly V[], on: string, retiredFrom: string | null = null): VersionState<V>[] {
  const ordered = [...versions].sort((a, b) => compareIsoDates(a.effectiveFrom, b.effectiveFrom) || compareVersions(a, b));
  const states = ordered.map((version, i): VersionState<V> => {
    const next = ordered[i + 1];
    // A version whose date falls on or after the retirement never comes into force (retireDocument
    // refuses to create that case; shown as retired rather than waiting for ever).
    if (retiredFrom !== null && version.effectiveFrom >= retiredFrom) {
      return { version, status: on >= retiredFrom ? "retired" : "approved", effectiveTo: null };
    }
    let effectiveTo = next ? next.effectiveFrom : null;
    const endsByRetirement = retiredFrom !== null && (effectiveTo === null || effectiveTo >= retiredFrom);
    if (endsByRetirement) effectiveTo = retiredFrom;
    let status: VersionStatus;
    if (version.effectiveFrom > on) status = "approved";
    else if (effectiveTo !== null && effectiveTo <= on) status = endsByRetirement ? "retired" : "superseded";
    else status = "effective";
    return { version, status, effectiveTo: status === "approved" ? null : effectiveTo };
  });
  return states.reverse();
}

/**
 * The version in force on a day, or null when none was (before the first effective date, or on
 * and after the document's retirement).
 */
export function effectiveOn<V extends VersionPeriod>(versions: readonly V[], on: string, retiredFrom: string | null = null): VersionState<V> | null {
  return versionStates(versions, on, retiredFrom).find((s) => s.status === "effective") ?? null;
}

/** The version a retirement from `effectiveFrom` ends: the newest one to come into force before it. */
export function versionRetired<V extends VersionPeriod>(versions: readonly V[], effectiveFrom: string): V | null {
  return (
    [...versions]
      .filter((v) => v.effectiveFrom < effectiveFrom)
      .sort((a, b) => compareIsoDates(a.effectiveFrom, b.effectiveFrom))
      .at(-1) ?? null
  );
}

/** How the document page dates a version's status: the banner's sentence and the panel's words beside the badge. */
export interface StatusWording {
  /** The day the status is dated: when it was superseded or retired, when it takes effect, or the day shown. */
  date: string;
  /** The banner over a version not in force ("Superseded on 2026-05-04"); null for the version in force. */
  banner: string | null;
  /** The words after the status badge in the metadata panel ("on 2026-05-04"). */
  detail: string;
}

/**
 * The one place the document page words a version's status with its date, so the banner and the
 * panel cannot disagree (issue 13: a superseded version said "Superseded on <today>" in the panel
 * beside "Superseded on 2026-05-04" in the banner). A superseded version is dated by the day the
 * next version took effect, a retired one by the retirement's effective date, an approved one by
 * its own effective date; only the version in force is dated by the day shown (its status that day).
 */
export function statusWording(
  state: { status: VersionStatus; effectiveFrom: string; effectiveTo: string | null },
  on: string,
  retiredFrom: string | null,
): StatusWording {
  switch (state.status) {
    case "superseded": {
      const date = state.effectiveTo ?? on;
      return { date, banner: `Superseded on ${date}`, detail: `on ${date}` };
    }
    case "retired": {
      const date = retiredFrom ?? state.effectiveTo ?? on;
      return { date, banner: `Retired from ${date}`, detail: `from ${date}` };
    }
    case "approved":
      return { date: state.effectiveFrom, banner: `Approved, effective from ${state.effectiveFrom}`, detail: `takes effect ${state.effectiveFrom}` };
    case "effective":
      return { date: on, banner: null, detail: `on ${on}` };
  }
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

/**
 * Periodic review falls due `reviewIntervalMonths` after the later of the day the current version
 * became effective and the last signed "no change needed" periodic review (which restarts the
 * interval without a new version).
 */
export function nextReviewDate(current: DocumentVersion, lastReviewedOn: string | null = null): string {
  const from = lastReviewedOn !== null && lastReviewedOn > current.effectiveFrom ? lastReviewedOn : current.effectiveFrom;
  return addMonths(from, current.frontmatter.reviewIntervalMonths);
}

/** The latest of the given "no change needed" review dates on or before a day, or null. */
export function lastReviewOn(reviewedOn: readonly string[], on: string): string | null {
  return reviewedOn.filter((d) => d <= on).reduce<string | null>((latest, d) => (latest === null || d > latest ? d : latest), null);
}

/** A document's retirement as the library needs it: from when, and when it was decided. */
export interface RetirementDates {
  effectiveFrom: string;
  /** The UTC day the retirement was signed: before it, the retirement did not exist yet. */
  recordedOn: string;
}

/** What the library needs besides the versions: a retirement, and "no change" review dates. */
export interface LibraryFacts {
  retirement?: RetirementDates | null;
  /** Days of signed "no change needed" periodic reviews of the document. */
  reviewedOn?: readonly string[];
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
  /** The retirement's effective date, once a retirement is recorded (even if still ahead). */
  retiredFrom: string | null;
  /** An approved version waiting for its effective date, if any. */
  upcoming: { version: string; effectiveFrom: string } | null;
}

/**
 * One row of the document library for a day: the version in force, else the version retired
 * (status retired), else the first one pending.
 */
export function libraryEntry(id: string, type: DocumentType, versions: readonly DocumentVersion[], on: string, facts: LibraryFacts = {}): LibraryEntry | null {
  // As of a past day, versions approved and retirements signed later did not exist yet: leave them out.
  const retiredFrom = facts.retirement && facts.retirement.recordedOn <= on ? facts.retirement.effectiveFrom : null;
  const states = versionStates(
    versions.filter((v) => v.approvedAt.slice(0, 10) <= on),
    on,
    retiredFrom,
  );
  const current = states.find((s) => s.status === "effective") ?? null;
  const retired = current ? null : (states.find((s) => s.status === "retired" && s.effectiveTo === retiredFrom) ?? null);
  const upcomingState = retired ? null : (states.filter((s) => s.status === "approved").at(-1) ?? null);
  const shown = current ?? retired ?? upcomingState;
  if (!shown) return null;
  const v = shown.version;
  const inForce = current ?? retired;
  return {
    id,
    type,
    title: v.title,
    owner: v.frontmatter.owner,
    audience: v.frontmatter.audience,
    training: v.frontmatter.training,
    summary: v.frontmatter.summary ?? null,
    version: inForce ? v.version : null,
    status: current ? "effective" : retired ? "retired" : "pending",
    effectiveFrom: inForce ? v.effectiveFrom : null,
    // A document being retired has no further periodic review.
    nextReview: current && retiredFrom === null ? nextReviewDate(v, lastReviewOn(facts.reviewedOn ?? [], on)) : null,
    retiredFrom,
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
