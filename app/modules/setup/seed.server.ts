import type { SourceFile, ValidDocument } from "~/modules/content/content";
import { sha256 } from "~/modules/content/hash";
import type { Problem } from "~/modules/content/problems";
import { MAIN_BRANCH, QUIRE_IDENTITY, versionTag, type ContentRepository } from "~/modules/content/repository.server";
import { parseVersion } from "~/modules/documents/documents";
import { versionCommitMessage, versionTagMessage, type SignatureTrailerFields } from "~/modules/documents/version-commit";

import { DEMO_USERS } from "./demo-users";

// The versions `quire init` commits itself (Quire-Seeded-By), shared by a plain init and the demo:
// a data folder needs approved content before anything can change.

/** The seed folder or the demo history does not validate: nothing was created. */
export class ContentInvalid extends Error {
  constructor(readonly problems: Problem[]) {
    super(`The content has ${problems.length} problem(s); nothing was created.`);
  }
}

export interface PlannedVersion {
  doc: ValidDocument;
  version: string;
  effective: string;
  /** The approval day history.yaml gives, if any. */
  approved: string | null;
  /** history.yaml asks init to commit this later version itself instead of approving it through a change request. */
  seeded: boolean;
  reason: string;
  /** An urgent change's justification (history.yaml `urgent`), for an effective date under the training period. */
  urgent?: string | null;
  /** The document's quiz (knowledge check), committed with this version: init gives it to the document's first version. */
  quiz?: SourceFile;
}

/** A version init commits itself: its commit in the one version-commit format. */
export function seededCommitMessage(v: PlannedVersion, seededBy: string, approval: SignatureTrailerFields | null): string {
  return versionCommitMessage({
    docId: v.doc.frontmatter.id,
    version: v.version,
    title: v.doc.frontmatter.title,
    path: v.doc.path,
    effectiveDate: v.effective,
    reason: v.reason,
    // SOP-DC-001: a major version (a first issue included) changes what staff do, so they are trained on it.
    retrainingRequired: parseVersion(v.version)!.minor === 0,
    signatures: approval ? [approval] : [],
    seededBy,
  });
}

/** Commits and tags one version on main as init's own (Quire-Seeded-By), returning the new head. */
/** Who approved the demo's go-live baseline: the demo quality manager. */
export const DEMO_BASELINE_APPROVER = DEMO_USERS.find((u) => u.username === "qa")!;

export async function commitSeededVersion(repo: ContentRepository, head: string, v: PlannedVersion, demo: boolean, now: Date): Promise<string> {
  const date = approvalInstant(v, now, demo);
  // The demo's baseline carries the quality manager's approval like every later version; a plain
  // init adopts content approved outside Quire, so it has no e-signature.
  const approval: SignatureTrailerFields | null = demo
    ? {
        meaning: "Approved",
        printedName: DEMO_BASELINE_APPROVER.displayName,
        username: DEMO_BASELINE_APPROVER.username,
        signedAt: date,
        contentHash: sha256(v.doc.source),
      }
    : null;
  const commit = await repo.commit({
    branch: MAIN_BRANCH,
    base: head,
    expectedHead: head,
    files: [{ path: v.doc.path, source: v.doc.source }, ...(v.quiz ? [{ path: v.quiz.path, source: v.quiz.source }] : [])],
    message: seededCommitMessage(v, demo ? "quire init --demo" : "quire init", approval),
    author: QUIRE_IDENTITY,
    date,
  });
  await repo.tag(versionTag(v.doc.frontmatter.id, v.version), commit, versionTagMessage(v.doc.frontmatter.id, v.version, v.effective, null), date);
  return commit;
}

/** Seeded demo versions were approved two weeks before they took effect (or on their `approved` day); a plain init approves now. */
export function approvalInstant(v: PlannedVersion, now: Date, demo: boolean): string {
  if (!demo) return now.toISOString();
  if (v.approved) return `${v.approved}T10:00:00.000Z`;
  const d = new Date(`${v.effective}T10:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 14);
  return d.toISOString();
}
