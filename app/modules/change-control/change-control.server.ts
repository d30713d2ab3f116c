import { stringify as stringifyYaml } from "yaml";

import { isoDate, now } from "~/clock.server";
import type { Queryable, Tx } from "~/db/db.server";
import { newestAuditRow, recordAudit } from "~/modules/audit/audit.server";
import { checkContent } from "~/modules/content/content";
import { TYPE_FOLDERS, parseFrontmatter, type DocumentType } from "~/modules/content/frontmatter";
import { sha256 } from "~/modules/content/hash";
import type { Problem } from "~/modules/content/problems";
import { MAIN_BRANCH, StaleHeadError, versionTag, type GitIdentity } from "~/modules/content/repository.server";
import { compareVersions, parseVersion, type DocumentVersion } from "~/modules/documents/documents";
import { isRetirementRecorded } from "~/modules/documents/retirement-dates.server";
import { TRAILER, versionCommitMessage, versionTagMessage, type SignatureTrailerFields } from "~/modules/documents/version-commit";
import { documentOf, insertVersionRecord, versionsOf } from "~/modules/documents/versions.server";
import { isOwnMainCommit, recordContentWrite } from "~/modules/integrity/content-writes.server";
import { validSignatures } from "~/modules/signatures/signatures";
import { recordSignature, signaturesOfChange } from "~/modules/signatures/signatures.server";
import { trainAudienceOnApproval } from "~/modules/training/approval-training.server";
import { ImpactRefused, decideTrainingImpact, proposeTrainingImpact, type FunctionDecision } from "~/modules/training/impact";
import { firstJobFunctionId, jobFunctionName, jobFunctionNames } from "~/modules/training/job-functions.server";
import { parseQuiz, quizPathFor } from "~/modules/training/quiz";
import { permissionsOf } from "~/modules/users/permissions";
import { accountStanding, anyHoldsJobFunction, getUser, type Actor } from "~/modules/users/users.server";
import type { Quire } from "~/quire";

import {
  approvalBlockers,
  assertAllowed,
  formatCrId,
  nextState,
  nextVersion,
  reviewBlockers,
  TransitionRefused,
  type CrState,
  type NewChangeRequest,
} from "./change-control";
import { draftSections, isOpenComment, type CommentOutcome } from "./comments";
import { approvalSteps, earliestEffectiveDate, functionApprovalBlockers, urgentJustificationProblem, type DocumentControlRules } from "./routing";
import { documentControlRules } from "./routing.server";

/** A signed-in person acting on a change request: who they are and what they may do. */
export interface Participant extends Actor {
  userId: string;
  username: string;
  printedName: string;
  email: string;
}

export class ChangeRequestError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[] = [],
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** A revision changes a document through a draft; a withdrawal ends it (SOP-DC-001, "Withdraw obsolete documents"). */
export type ChangeKind = "revision" | "withdrawal";

export interface ChangeRequest {
  id: string;
  kind: ChangeKind;
  docId: string;
  newDocument: boolean;
  docPath: string;
  title: string;
  reason: string;
  revision: "major" | "minor";
  retrainingRequired: boolean;
  proposedEffectiveDate: string;
  capaRef: string | null;
  state: CrState;
  authorId: string;
  baseCommit: string;
  branch: string;
  targetVersion: string;
  createdAt: string;
  updatedAt: string;
  approvedCommit: string | null;
  /** The draft's branch head as Quire last saw it; a different head means someone pushed with git. */
  knownHead: string | null;
  reviewerIds: string[];
  /** An urgent change's justification for a shorter training period, given with the final approval. */
  urgentJustification: string | null;
}

interface CrRow {
  id: string;
  kind: ChangeKind;
  doc_id: string;
  new_document: number;
  doc_path: string;
  title: string;
  reason: string;
  revision: "major" | "minor";
  retraining_required: number;
  proposed_effective_date: string;
  capa_ref: string | null;
  state: CrState;
  author_id: string;
  base_commit: string;
  branch: string;
  target_version: string;
  created_at: string;
  updated_at: string;
  approved_commit: string | null;
  known_head: string | null;
  urgent_justification: string | null;
}

const CR_COLUMNS =
  "id, kind, doc_id, new_document, doc_path, title, reason, revision, retraining_required, proposed_effective_date, capa_ref, state, author_id, base_commit, branch, target_version, created_at, updated_at, approved_commit, known_head, urgent_justification";

async function toChangeRequest(db: Queryable, r: CrRow): Promise<ChangeRequest> {
  const reviewers = await db.all<{ user_id: string }>("SELECT user_id FROM change_request_reviewers WHERE cr_id = ? ORDER BY user_id", [r.id]);
  return {
    id: r.id,
    kind: r.kind,
    docId: r.doc_id,
    newDocument: r.new_document === 1,
    docPath: r.doc_path,
    title: r.title,
    reason: r.reason,
    revision: r.revision,
    retrainingRequired: r.retraining_required === 1,
    proposedEffectiveDate: r.proposed_effective_date,
    capaRef: r.capa_ref,
    state: r.state,
    authorId: r.author_id,
    baseCommit: r.base_commit,
    branch: r.branch,
    targetVersion: r.target_version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    approvedCommit: r.approved_commit,
    knownHead: r.known_head,
    reviewerIds: reviewers.map((x) => x.user_id),
    urgentJustification: r.urgent_justification,
  };
}

export async function getChangeRequest(db: Queryable, id: string): Promise<ChangeRequest | null> {
  const row = await db.get<CrRow>(`SELECT ${CR_COLUMNS} FROM change_requests WHERE id = ?`, [id]);
  return row ? toChangeRequest(db, row) : null;
}

export async function listChangeRequests(db: Queryable): Promise<ChangeRequest[]> {
  const rows = await db.all<CrRow>(`SELECT ${CR_COLUMNS} FROM change_requests ORDER BY year DESC, number DESC`);
  return Promise.all(rows.map((r) => toChangeRequest(db, r)));
}

function gitIdentity(p: Participant): GitIdentity {
  return { name: p.printedName, email: p.email };
}

/** A change request's audit row (the change-request object), written in the caller's transaction. */
export function auditChange(tx: Tx, p: Actor, action: string, crId: string, at: Date, values?: { old?: unknown; new?: unknown; reason?: string | null }) {
  return recordAudit(
    tx,
    {
      userId: p.userId,
      username: p.username,
      clientAddress: p.clientAddress,
      action,
      objectType: "change-request",
      objectId: crId,
      oldValues: values?.old,
      newValues: values?.new,
      reason: values?.reason ?? null,
    },
    at,
  );
}

/** Nothing may change a change request while its approval is being written (docs/decisions/005). */
async function assertNotApproving(tx: Queryable, crId: string): Promise<void> {
  if (await tx.get("SELECT 1 FROM approval_intents WHERE cr_id = ?", [crId])) {
    throw new TransitionRefused(`${crId} is being approved at this moment; reload the page to see the outcome.`);
  }
}

async function requireCr(db: Queryable, id: string): Promise<ChangeRequest> {
  const cr = await getChangeRequest(db, id);
  if (!cr) throw new ChangeRequestError(`There is no change request ${id}.`);
  return cr;
}

/** A change request with a draft: a withdrawal request has none to edit, review or approve into a version. */
async function requireRevision(db: Queryable, id: string): Promise<ChangeRequest> {
  const cr = await requireCr(db, id);
  if (cr.kind === "withdrawal") {
    throw new ChangeRequestError(`${id} is a withdrawal request: it has no draft, and its approvals are signed on ${cr.docId}'s withdrawal page.`);
  }
  return cr;
}

/**
 * Named reviewers must be active users allowed to review, never the author (segregation of duties),
 * and include a holder of the job function the rules name (SOP-DC-001 step 4: a quality manager).
 */
async function assertReviewers(tx: Queryable, authorId: string, reviewerIds: readonly string[], rules: DocumentControlRules): Promise<void> {
  if (reviewerIds.length === 0) throw new ChangeRequestError("Name at least one reviewer.", [], "reviewerIds");
  if (new Set(reviewerIds).size !== reviewerIds.length) throw new ChangeRequestError("Name each reviewer once.", [], "reviewerIds");
  for (const reviewerId of reviewerIds) {
    if (reviewerId === authorId) throw new ChangeRequestError("You cannot review your own change: name someone else.", [], "reviewerIds");
    const reviewer = await accountStanding(tx, reviewerId);
    if (!reviewer || !reviewer.active || !permissionsOf(reviewer.roles).has("document.review")) {
      throw new ChangeRequestError("Each reviewer must be an active user allowed to review documents.", [], "reviewerIds");
    }
  }
  await assertReviewersInclude(tx, reviewerIds, rules);
}

async function assertReviewersInclude(db: Queryable, reviewerIds: readonly string[], rules: DocumentControlRules): Promise<void> {
  const wanted = rules.reviewersInclude;
  if (!wanted) return;
  if (!(await anyHoldsJobFunction(db, reviewerIds, wanted))) {
    const name = (await jobFunctionName(db, wanted)) ?? wanted;
    throw new ChangeRequestError(`The reviewers must include a ${name} (SOP-DC-001, "Review the draft"): name one.`, [], "reviewerIds");
  }
}

/** The job functions whose approval a draft needs, in order (SOP-DC-001's approval routes in force, by its type and owner). */
export async function approvalRouteOf(q: Quire, cr: ChangeRequest, source?: string): Promise<{ rules: DocumentControlRules; steps: string[] }> {
  const rules = await documentControlRules(q);
  const text = source ?? (await q.repo.readFileOrNull((await q.repo.branchHead(cr.branch)) ?? cr.baseCommit, cr.docPath)) ?? "";
  const fm = parseFrontmatter(cr.docPath, text);
  // A draft whose header does not parse cannot be approved anyway; the route shown is the type's default.
  return { rules, steps: fm.ok ? approvalSteps(rules, fm.data.type, fm.data.owner) : [] };
}

async function jobFunctionsOf(db: Queryable, userId: string): Promise<string[]> {
  return (await getUser(db, userId))?.jobFunctions ?? [];
}

/** The latest of a document's approved versions (whatever its effective date), or undefined. */
function latest(versions: readonly DocumentVersion[]): DocumentVersion | undefined {
  return [...versions].sort(compareVersions).at(-1);
}

/**
 * A new document's first draft. The title is free text, so it is written as one YAML scalar
 * (quoted whenever plain text would be read as syntax): a title can never add or change a key.
 */
export function templateFor(id: string, title: string, type: DocumentType, owner: string): string {
  const quotedTitle = stringifyYaml(title, { lineWidth: 0, blockQuote: false, doubleQuotedAsJSON: true }).trimEnd();
  return `---
id: ${id}
title: ${quotedTitle}
type: ${type}
owner: ${owner}
audience: [${owner}]
training: required
reviewIntervalMonths: 24
---

## Purpose

State what this ${type === "sop" ? "procedure" : "document"} achieves.

## Scope

State what it covers and what it does not.
`;
}

/** The next change request number of the year (CR-YYYY-NNNN), read inside the transaction that opens it. */
export async function nextChangeRequestId(tx: Queryable, at: Date): Promise<{ id: string; year: number; number: number }> {
  const year = at.getUTCFullYear();
  const last = await tx.get<{ n: number | null }>("SELECT max(number) AS n FROM change_requests WHERE year = ?", [year]);
  const number = (last?.n ?? 0) + 1;
  const id = formatCrId(year, number);
  if (await tx.get("SELECT 1 FROM change_requests WHERE id = ?", [id])) throw new ChangeRequestError(`${id} exists already.`);
  return { id, year, number };
}

/**
 * Opens a change request for an existing document or a new one: numbers it (CR-YYYY-NNNN), names
 * its reviewers, and creates its branch `cr/<id>` in the content repository from main.
 */
export async function openChangeRequest(q: Quire, author: Participant, input: NewChangeRequest, at: Date): Promise<string> {
  const today = isoDate(at);
  if (input.proposedEffectiveDate < today) {
    throw new ChangeRequestError(
      `The proposed effective date ${input.proposedEffectiveDate} is in the past; choose ${today} or later.`,
      [],
      "proposedEffectiveDate",
    );
  }
  const main = await q.repo.branchHead(MAIN_BRANCH);
  if (!main) throw new ChangeRequestError("The content repository has no main branch.");
  return q.db.transaction(async (tx) => {
    const doc = await documentOf(tx, input.docId);
    if (input.target === "existing" && !doc) throw new ChangeRequestError(`There is no controlled document ${input.docId}.`, [], "docId");
    if (input.target === "new" && doc) throw new ChangeRequestError(`Document id ${input.docId} is already used; choose another id.`, [], "docId");
    if (await isRetirementRecorded(tx, input.docId)) {
      throw new ChangeRequestError(`${input.docId} is retired and can no longer change.`, [], "docId");
    }
    const open = await tx.get<{ id: string }>("SELECT id FROM change_requests WHERE doc_id = ? AND state IN ('draft', 'in-review')", [input.docId]);
    if (open) throw new ChangeRequestError(`${input.docId} already has an open change request, ${open.id}; finish or withdraw it first.`, [], "docId");
    await assertReviewers(tx, author.userId, input.reviewerIds, await documentControlRules(q));
    const { id, year, number } = await nextChangeRequestId(tx, at);
    const newest = doc ? latest(await versionsOf(tx, input.docId)) : undefined;
    const current = newest?.version ?? null;
    const type = input.type ?? "sop";
    const title = input.target === "new" ? input.title! : (newest?.title ?? input.docId);
    const docPath = doc ? doc.path : `${TYPE_FOLDERS[type]}/${input.docId}.mdx`;
    const branch = `cr/${id}`;
    const stamp = at.toISOString();
    await tx.run(
      `INSERT INTO change_requests (id, year, number, doc_id, new_document, doc_path, title, reason, revision, retraining_required,
         proposed_effective_date, capa_ref, state, author_id, base_commit, branch, target_version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)`,
      [
        id,
        year,
        number,
        input.docId,
        doc ? 0 : 1,
        docPath,
        title,
        input.reason,
        input.revision,
        input.retrainingRequired ? 1 : 0,
        input.proposedEffectiveDate,
        input.capaRef || null,
        author.userId,
        main,
        branch,
        nextVersion(current, input.revision),
        stamp,
        stamp,
      ],
    );
    for (const reviewerId of input.reviewerIds) {
      await tx.run("INSERT INTO change_request_reviewers (cr_id, user_id) VALUES (?, ?)", [id, reviewerId]);
    }
    await auditChange(tx, author, "change-request.open", id, at, {
      new: {
        docId: input.docId,
        newDocument: !doc,
        reason: input.reason,
        revision: input.revision,
        retrainingRequired: input.retrainingRequired,
        proposedEffectiveDate: input.proposedEffectiveDate,
        capaRef: input.capaRef ?? null,
        reviewerIds: input.reviewerIds,
      },
    });
    // The branch is made last, inside the transaction: if it fails, nothing of the CR remains. A
    // branch of this name without its CR row is left from an open that died before its commit.
    const orphan = await q.repo.branchHead(branch);
    if (orphan) await q.repo.deleteBranch(branch, orphan);
    await q.repo.createBranch(branch, main);
    let head = main;
    if (!doc) {
      const owner = (await firstJobFunctionId(tx)) ?? "quality-manager";
      head = await q.repo.commit({
        branch,
        base: main,
        expectedHead: main,
        files: [{ path: docPath, source: templateFor(input.docId, title, type, owner) }],
        message: `${id}: start ${input.docId} from the template\n`,
        author: gitIdentity(author),
        date: stamp,
      });
    }
    await tx.run("UPDATE change_requests SET known_head = ? WHERE id = ?", [head, id]);
    return id;
  });
}

export interface DraftView {
  head: string;
  source: string;
  contentHash: string;
  problems: Problem[];
  /** The approved version's source the draft started from (null for a new document). */
  baseSource: string | null;
  /**
   * The document's knowledge check on the draft's branch (`<doc>.quiz.yaml`, null when there is none),
   * changed through the same change request and approved with it; its problems are among `problems`.
   */
  quiz: { path: string; source: string | null; baseSource: string | null };
}

/** The draft as it stands at the branch head (which an author may also have pushed to with git). */
export async function readDraft(q: Quire, cr: ChangeRequest): Promise<DraftView> {
  const head = (await q.repo.branchHead(cr.branch)) ?? cr.baseCommit;
  if (head !== cr.knownHead && (cr.state === "draft" || cr.state === "in-review")) await recordPushedCommits(q, cr, head);
  const source = (await q.repo.readFileOrNull(head, cr.docPath)) ?? "";
  const baseSource = cr.newDocument ? null : await q.repo.readFileOrNull(cr.baseCommit, cr.docPath);
  const quizPath = quizPathFor(cr.docPath);
  const [quizSource, quizBase] = await Promise.all([q.repo.readFileOrNull(head, quizPath), q.repo.readFileOrNull(cr.baseCommit, quizPath)]);
  const quizProblems = quizSource === null ? [] : quizProblemsOf(quizPath, quizSource);
  return {
    head,
    source,
    contentHash: sha256(source),
    problems: [...(await checkDraft(q, cr, source)), ...quizProblems],
    baseSource,
    quiz: { path: quizPath, source: quizSource, baseSource: quizBase },
  };
}

function quizProblemsOf(path: string, source: string): Problem[] {
  const parsed = parseQuiz(path, source);
  return parsed.ok ? [] : parsed.problems;
}

/**
 * Commits that reached a draft's branch without Quire (an author's `git push`) are written to the
 * audit trail when Quire first sees them, with their git authors, so the draft's history is whole.
 */
async function recordPushedCommits(q: Quire, cr: ChangeRequest, head: string): Promise<void> {
  const commits = cr.knownHead ? await q.repo.commitsBetween(cr.knownHead, head) : [];
  const described = await Promise.all(commits.map(async (c) => ({ commit: c, ...(await q.repo.commitSummary(c)) })));
  const at = now(q.config);
  await q.db.transaction(async (tx) => {
    const fresh = await tx.get<{ known_head: string | null }>("SELECT known_head FROM change_requests WHERE id = ?", [cr.id]);
    if (fresh?.known_head === head) return; // another request recorded it meanwhile
    await tx.run("UPDATE change_requests SET known_head = ? WHERE id = ?", [head, cr.id]);
    if (cr.knownHead === null) return; // a CR from before heads were kept: nothing to compare with
    await recordAudit(
      tx,
      {
        userId: null,
        username: "git",
        clientAddress: null,
        action: "change-request.draft.pushed",
        objectType: "change-request",
        objectId: cr.id,
        oldValues: { head: cr.knownHead },
        newValues: { head, commits: described.reverse() },
      },
      at,
    );
  });
}

/** Validates the draft in the context of main's current content (references, job functions). */
export async function checkDraft(q: Quire, cr: ChangeRequest, source: string): Promise<Problem[]> {
  const main = (await q.repo.branchHead(MAIN_BRANCH))!;
  const tree = await q.repo.readTree(main);
  const others = tree.documents.filter((d) => d.path !== cr.docPath);
  const result = checkContent([...others, { path: cr.docPath, source }], tree.jobFunctions, new Set([cr.docPath]));
  const problems = result.problems.filter((p) => p.path === cr.docPath);
  const fm = parseFrontmatter(cr.docPath, source);
  if (fm.ok && fm.data.id !== cr.docId) {
    problems.push({ path: cr.docPath, ...fm.positions(["id"]), rule: "file-name", message: `this change request is for ${cr.docId}; the id cannot change` });
  }
  return problems;
}

/**
 * Saves the author's edit as a commit on the CR's branch; refused if the branch moved meanwhile.
 * `quizSource`, when given, saves the document's knowledge check in the same commit; given blank, it
 * removes the knowledge check the draft has (the approval then removes it from the document too).
 */
export async function saveDraft(
  q: Quire,
  author: Participant,
  crId: string,
  source: string,
  expectedHead: string,
  at: Date,
  quizSource?: string,
): Promise<string> {
  return q.db.transaction(async (tx) => {
    const cr = await requireRevision(tx, crId);
    assertAllowed("save", cr.state);
    await assertNotApproving(tx, crId);
    if (cr.authorId !== author.userId) throw new ChangeRequestError("Only the change request's author edits its draft.");
    const quizPath = quizPathFor(cr.docPath);
    const removeQuiz = quizSource !== undefined && quizSource.trim() === "" && (await q.repo.readFileOrNull(expectedHead, quizPath)) !== null;
    let commit: string;
    try {
      commit = await q.repo.commit({
        branch: cr.branch,
        base: expectedHead,
        expectedHead,
        files: [
          { path: cr.docPath, source: source.replace(/\r\n/g, "\n") },
          ...(quizSource !== undefined && quizSource.trim() !== "" ? [{ path: quizPath, source: quizSource.replace(/\r\n/g, "\n") }] : []),
        ],
        remove: removeQuiz ? [quizPath] : [],
        message: `${crId}: edit ${cr.docId}\n`,
        author: gitIdentity(author),
        date: at.toISOString(),
      });
    } catch (error) {
      if (error instanceof StaleHeadError) {
        throw new ChangeRequestError(
          "The draft changed since you opened it (another save or a git push). Reload, then apply your edit again: nothing was overwritten.",
        );
      }
      throw error;
    }
    await tx.run("UPDATE change_requests SET updated_at = ?, known_head = ? WHERE id = ?", [at.toISOString(), commit, crId]);
    const quizHash = quizSource !== undefined && quizSource.trim() !== "" ? sha256(quizSource.replace(/\r\n/g, "\n")) : undefined;
    await auditChange(tx, author, "change-request.draft.save", crId, at, {
      new: { commit, contentHash: sha256(source.replace(/\r\n/g, "\n")), ...(quizHash ? { quizHash } : {}), ...(removeQuiz ? { quizRemoved: quizPath } : {}) },
    });
    return commit;
  });
}

/**
 * A signature binds to the content its signer was shown (Part 11 §11.70): when the caller passes
 * that content's hash and the draft has moved on since (a save, a push), nothing is signed.
 */
function assertSignedContent(shown: string | undefined, current: string): void {
  if (shown !== undefined && shown !== current) {
    throw new ChangeRequestError("The draft changed after this page was opened, so nothing was signed: reload it and read the current content before signing.");
  }
}

/** The author submits for review and signs "Authored" (password checked by the caller). */
export async function submitForReview(q: Quire, author: Participant, crId: string, at: Date, shownHash?: string): Promise<void> {
  const cr = await requireRevision(q.db, crId);
  assertAllowed("submit", cr.state);
  if (cr.authorId !== author.userId) throw new ChangeRequestError("Only the change request's author submits it for review.");
  const draft = await readDraft(q, cr);
  assertSignedContent(shownHash, draft.contentHash);
  if (draft.problems.length > 0) {
    throw new ChangeRequestError(`The draft has ${draft.problems.length} problem(s); fix them before submitting.`, draft.problems);
  }
  if (draft.baseSource !== null && draft.source === draft.baseSource) {
    throw new ChangeRequestError("The draft does not change the document yet: edit it before submitting.");
  }
  const rules = await documentControlRules(q);
  await q.db.transaction(async (tx) => {
    const fresh = await requireCr(tx, crId);
    const state = nextState("submit", fresh.state);
    // The rules may have changed since the reviewers were named.
    await assertReviewersInclude(tx, fresh.reviewerIds, rules);
    await assertNotApproving(tx, crId);
    if (fresh.state === "in-review") {
      const authored = (await signaturesOfChange(tx, crId)).filter((s) => s.meaning === "Authored").at(-1);
      if (authored?.contentHash === draft.contentHash) {
        throw new TransitionRefused(`${crId} is already in review with this content; edit the draft to resubmit a revision.`);
      }
    }
    await tx.run("UPDATE change_requests SET state = ?, updated_at = ? WHERE id = ?", [state, at.toISOString(), crId]);
    await recordSignature(tx, {
      crId,
      docId: cr.docId,
      version: null,
      signer: author,
      meaning: "Authored",
      contentHash: draft.contentHash,
      commit: draft.head,
      at,
    });
    await auditChange(tx, author, "change-request.submit", crId, at, {
      old: { state: fresh.state },
      new: { state, commit: draft.head, contentHash: draft.contentHash },
    });
  });
}

/** A named reviewer signs "Reviewed" on the current draft content. */
export async function signReview(q: Quire, reviewer: Participant, crId: string, at: Date, shownHash?: string): Promise<void> {
  const cr = await requireRevision(q.db, crId);
  assertAllowed("review", cr.state);
  if (reviewer.userId === cr.authorId) throw new ChangeRequestError("The author may not review their own change.");
  if (!cr.reviewerIds.includes(reviewer.userId)) throw new ChangeRequestError("Only the reviewers named on this change request sign it as reviewed.");
  const draft = await readDraft(q, cr);
  assertSignedContent(shownHash, draft.contentHash);
  await q.db.transaction(async (tx) => {
    assertAllowed("review", (await requireCr(tx, crId)).state);
    await assertNotApproving(tx, crId);
    // One signature per signer, meaning and round: a second "Reviewed" would count for nothing and
    // repeat a trailer in the approval commit.
    const round = validSignatures(await signaturesOfChange(tx, crId), draft.contentHash);
    if (round.some((s) => s.meaning === "Reviewed" && s.userId === reviewer.userId)) {
      throw new TransitionRefused(`You have already signed this content of ${crId} as reviewed; nothing was signed again.`);
    }
    await recordSignature(tx, {
      crId,
      docId: cr.docId,
      version: null,
      signer: reviewer,
      meaning: "Reviewed",
      contentHash: draft.contentHash,
      commit: draft.head,
      at,
    });
    await tx.run("UPDATE change_requests SET updated_at = ? WHERE id = ?", [at.toISOString(), crId]);
  });
}

/**
 * A holder of the next job function on the approval route signs "Function approval" (SOP-DC-001
 * step 5: the owner function first; for the manual and policies executive management too), once
 * every review is signed. The quality manager's final approval (approveChange) comes last.
 */
export async function signFunctionApproval(q: Quire, signer: Participant, crId: string, at: Date, shownHash?: string): Promise<string> {
  const cr = await requireRevision(q.db, crId);
  assertAllowed("approve", cr.state);
  const draft = await readDraft(q, cr);
  assertSignedContent(shownHash, draft.contentHash);
  if (draft.problems.length > 0) throw new ChangeRequestError(`The draft has ${draft.problems.length} problem(s).`, draft.problems);
  const { steps } = await approvalRouteOf(q, cr, draft.source);
  return q.db.transaction(async (tx) => {
    const fresh = await requireCr(tx, crId);
    assertAllowed("approve", fresh.state);
    await assertNotApproving(tx, crId);
    const signatures = await signaturesOfChange(tx, crId);
    const valid = validSignatures(signatures, draft.contentHash);
    const names = await jobFunctionNames(tx);
    const { step, blockers } = functionApprovalBlockers({
      steps,
      given: valid.filter((s) => s.meaning === "Function approval" && s.jobFunction).map((s) => ({ userId: s.userId, jobFunction: s.jobFunction! })),
      signerId: signer.userId,
      signerFunctions: await jobFunctionsOf(tx, signer.userId),
      authorId: fresh.authorId,
      functionName: (id) => names.get(id) ?? id,
    });
    const openComments = await openCommentCount(tx, fresh);
    const all = [
      ...reviewBlockers({ contentHash: draft.contentHash, authorId: fresh.authorId, reviewerIds: fresh.reviewerIds, signatures, openComments }),
      ...blockers,
    ];
    if (!step || all.length > 0) throw new ChangeRequestError(`You cannot sign this approval: ${all.join(" ")}`);
    await recordSignature(tx, {
      crId,
      docId: cr.docId,
      version: null,
      signer,
      meaning: "Function approval",
      jobFunction: step,
      contentHash: draft.contentHash,
      commit: draft.head,
      at,
    });
    await tx.run("UPDATE change_requests SET updated_at = ? WHERE id = ?", [at.toISOString(), crId]);
    return step;
  });
}

/** A reviewer or approver rejects with a reason; a revision goes back to Draft, a withdrawal request is closed. */
export async function rejectChange(q: Quire, by: Participant, crId: string, reason: string, at: Date): Promise<void> {
  if (reason.trim().length < 5) throw new ChangeRequestError("Give the reason for the rejection.", [], "reason");
  await q.db.transaction(async (tx) => {
    const cr = await requireCr(tx, crId);
    const state = nextState("reject", cr.state, cr.kind);
    await assertNotApproving(tx, crId);
    if (by.userId === cr.authorId) throw new ChangeRequestError("The author withdraws a change rather than rejecting it.");
    await tx.run("UPDATE change_requests SET state = ?, updated_at = ? WHERE id = ?", [state, at.toISOString(), crId]);
    await tx.run("INSERT INTO change_request_comments (cr_id, user_id, at, kind, body) VALUES (?, ?, ?, 'rejection', ?)", [
      crId,
      by.userId,
      at.toISOString(),
      reason.trim(),
    ]);
    await auditChange(tx, by, "change-request.reject", crId, at, { old: { state: cr.state }, new: { state }, reason: reason.trim() });
  });
}

export async function withdrawChange(q: Quire, by: Participant, crId: string, reason: string, at: Date): Promise<void> {
  if (reason.trim().length < 5) throw new ChangeRequestError("Give the reason for withdrawing.", [], "reason");
  await q.db.transaction(async (tx) => {
    const cr = await requireCr(tx, crId);
    if (by.userId !== cr.authorId) throw new ChangeRequestError("Only the author withdraws a change request.");
    const state = nextState("withdraw", cr.state);
    await assertNotApproving(tx, crId);
    await tx.run("UPDATE change_requests SET state = ?, updated_at = ? WHERE id = ?", [state, at.toISOString(), crId]);
    await tx.run("INSERT INTO change_request_comments (cr_id, user_id, at, kind, body) VALUES (?, ?, ?, 'withdrawal', ?)", [
      crId,
      by.userId,
      at.toISOString(),
      reason.trim(),
    ]);
    await auditChange(tx, by, "change-request.withdraw", crId, at, { old: { state: cr.state }, new: { state }, reason: reason.trim() });
  });
}

/**
 * The author changes who reviews (someone left, or another expert is needed). A reviewer added in
 * review must still sign; one removed no longer blocks approval. Recorded with its reason.
 */
export async function setReviewers(q: Quire, by: Participant, crId: string, reviewerIds: readonly string[], reason: string, at: Date): Promise<void> {
  if (reason.trim().length < 5) throw new ChangeRequestError("Give the reason for changing the reviewers.", [], "reason");
  const wanted = [...new Set(reviewerIds)].sort();
  await q.db.transaction(async (tx) => {
    const cr = await requireRevision(tx, crId);
    if (by.userId !== cr.authorId) throw new ChangeRequestError("Only the author changes who reviews a change request.");
    assertAllowed("save", cr.state);
    await assertNotApproving(tx, crId);
    await assertReviewers(tx, cr.authorId, reviewerIds, await documentControlRules(q));
    if (wanted.join() === cr.reviewerIds.join()) throw new ChangeRequestError("The reviewers are unchanged.", [], "reviewerIds");
    await tx.run("DELETE FROM change_request_reviewers WHERE cr_id = ?", [crId]);
    for (const id of wanted) await tx.run("INSERT INTO change_request_reviewers (cr_id, user_id) VALUES (?, ?)", [crId, id]);
    await tx.run("UPDATE change_requests SET updated_at = ? WHERE id = ?", [at.toISOString(), crId]);
    await auditChange(tx, by, "change-request.reviewers", crId, at, {
      old: { reviewerIds: cr.reviewerIds },
      new: { reviewerIds: wanted },
      reason: reason.trim(),
    });
  });
}

/** A comment on the draft, on one of its sections (a heading or step title) or on the whole of it (null). */
export async function addComment(q: Quire, by: Participant, crId: string, body: string, at: Date, section: string | null = null): Promise<void> {
  if (body.trim().length === 0) throw new ChangeRequestError("Write a comment first.", [], "body");
  await q.db.transaction(async (tx) => {
    const cr = await requireRevision(tx, crId);
    assertAllowed("comment", cr.state);
    const head = await q.repo.branchHead(cr.branch);
    if (section !== null) {
      const source = (await q.repo.readFileOrNull(head ?? cr.baseCommit, cr.docPath)) ?? "";
      if (!draftSections(source).includes(section)) {
        throw new ChangeRequestError(`The draft has no section "${section}"; choose one of its headings or steps.`, [], "section");
      }
    }
    await tx.run("INSERT INTO change_request_comments (cr_id, user_id, at, kind, body, commit_sha, section) VALUES (?, ?, ?, 'comment', ?, ?, ?)", [
      crId,
      by.userId,
      at.toISOString(),
      body.trim(),
      head,
      section,
    ]);
    await auditChange(tx, by, "change-request.comment", crId, at, { new: { body: body.trim(), section, commit: head } });
  });
}

/**
 * The author resolves a reviewer's comment (SOP-DC-001, "Review the draft"): the text was changed,
 * or no change is needed and the note says why. Once; a resolution is a record.
 */
export async function resolveComment(
  q: Quire,
  by: Participant,
  crId: string,
  commentId: number,
  outcome: CommentOutcome,
  note: string,
  at: Date,
): Promise<void> {
  if (note.trim().length < 5) throw new ChangeRequestError("Say what was changed, or why no change is needed (at least 5 characters).", [], "note");
  await q.db.transaction(async (tx) => {
    const cr = await requireRevision(tx, crId);
    if (by.userId !== cr.authorId) throw new ChangeRequestError("Only the change request's author resolves its review comments.");
    assertAllowed("comment", cr.state);
    await assertNotApproving(tx, crId);
    const comment = (await commentsOf(tx, crId)).find((c) => c.id === commentId);
    if (!comment) throw new ChangeRequestError(`${crId} has no comment ${commentId}.`, [], "commentId");
    if (comment.resolution) throw new TransitionRefused(`That comment was resolved already, on ${comment.resolution.at.slice(0, 10)}.`);
    if (!isOpenComment(comment, cr.authorId))
      throw new ChangeRequestError("Only a reviewer's comment or rejection is resolved; your own remarks need no resolution.");
    const head = await q.repo.branchHead(cr.branch);
    await tx.run("INSERT INTO comment_resolutions (comment_id, cr_id, user_id, at, outcome, note, commit_sha) VALUES (?, ?, ?, ?, ?, ?, ?)", [
      commentId,
      crId,
      by.userId,
      at.toISOString(),
      outcome,
      note.trim(),
      head,
    ]);
    await tx.run("UPDATE change_requests SET updated_at = ? WHERE id = ?", [at.toISOString(), crId]);
    await auditChange(tx, by, "change-request.comment.resolve", crId, at, {
      new: { commentId, outcome, note: note.trim(), commit: head },
      reason: note.trim(),
    });
  });
}

export interface CommentResolution {
  userId: string;
  at: string;
  outcome: CommentOutcome;
  note: string;
  commit: string | null;
}

export interface CrComment {
  id: number;
  userId: string;
  at: string;
  kind: "comment" | "rejection" | "withdrawal";
  body: string;
  commit: string | null;
  /** The heading or step title the comment is on; null for the whole draft. */
  section: string | null;
  resolution: CommentResolution | null;
}

export async function commentsOf(db: Queryable, crId: string): Promise<CrComment[]> {
  const rows = await db.all<{
    id: number;
    user_id: string;
    at: string;
    kind: CrComment["kind"];
    body: string;
    commit_sha: string | null;
    section: string | null;
    r_user: string | null;
    r_at: string | null;
    r_outcome: CommentOutcome | null;
    r_note: string | null;
    r_commit: string | null;
  }>(
    `SELECT c.id, c.user_id, c.at, c.kind, c.body, c.commit_sha, c.section,
            r.user_id AS r_user, r.at AS r_at, r.outcome AS r_outcome, r.note AS r_note, r.commit_sha AS r_commit
       FROM change_request_comments c LEFT JOIN comment_resolutions r ON r.comment_id = c.id
      WHERE c.cr_id = ? ORDER BY c.id`,
    [crId],
  );
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    at: r.at,
    kind: r.kind,
    body: r.body,
    commit: r.commit_sha,
    section: r.section,
    resolution: r.r_user ? { userId: r.r_user, at: r.r_at!, outcome: r.r_outcome!, note: r.r_note!, commit: r.r_commit } : null,
  }));
}

/** How many review comments of a change request the author has still to resolve. */
export async function openCommentCount(db: Queryable, cr: Pick<ChangeRequest, "id" | "authorId">): Promise<number> {
  return (await commentsOf(db, cr.id)).filter((c) => isOpenComment(c, cr.authorId)).length;
}

// ---------------------------------------------------------------------------------------------
// Approval: git and the database change together or not at all (docs/decisions/005).

interface ApprovalPayload {
  docId: string;
  docPath: string;
  version: string;
  effectiveDate: string;
  reason: string;
  /** Absent in intents written before versions kept it: then the change request's own value. */
  retrainingRequired?: boolean;
  /** The approver's training decision per job function (absent in intents written before it was asked). */
  trainingDecisions?: Record<string, FunctionDecision>;
  branchHead: string;
  contentHash: string;
  /** An urgent change's justification (absent in intents written before routing). */
  urgentJustification?: string | null;
  approver: { userId: string; username: string; printedName: string; clientAddress: string | null; signedAt: string };
}

let approvalQueue: Promise<unknown> = Promise.resolve();

/** Test hook (QUIRE_FAULT): the process dies here as if the power went, to prove recovery. */
function faultPoint(point: string): void {
  if (process.env.QUIRE_FAULT === point) process.kill(process.pid, "SIGKILL");
}

/**
 * The approver signs "Approved" (password checked by the caller) and the change becomes a version:
 * one merge commit on main carrying trailers for the CR and every signature, a tag
 * `<DOC-ID>/v<version>`, and the version, signature and audit records. An intent row written
 * first lets a restart finish or discard an approval cut short at any point. Approvals run one at
 * a time, so two approvers signing the same CR at once give exactly one approval.
 */
export function approveChange(
  q: Quire,
  approver: Participant,
  crId: string,
  effectiveDate: string,
  at: Date,
  shownHash?: string,
  /** Training decisions the approver changed from Quire's proposal, by job function (retrain, notify, none). */
  trainingChoices: Readonly<Record<string, string>> = {},
  /** An urgent change: why the effective date may come sooner than the minimum training period. */
  urgentJustification: string | null = null,
): Promise<{ version: string; commit: string }> {
  const run = () => approveNow(q, approver, crId, effectiveDate, at, shownHash, trainingChoices, urgentJustification?.trim() || null);
  const next = approvalQueue.then(run, run);
  approvalQueue = next.catch(() => undefined);
  return next;
}

async function approveNow(
  q: Quire,
  approver: Participant,
  crId: string,
  effectiveDate: string,
  at: Date,
  shownHash: string | undefined,
  trainingChoices: Readonly<Record<string, string>>,
  urgentJustification: string | null,
) {
  const cr = await requireRevision(q.db, crId);
  assertAllowed("approve", cr.state);
  if (effectiveDate < isoDate(at)) {
    throw new ChangeRequestError(`The effective date ${effectiveDate} is in the past; it must be ${isoDate(at)} or later.`, [], "effectiveDate");
  }
  const draft = await readDraft(q, cr);
  assertSignedContent(shownHash, draft.contentHash);
  if (draft.problems.length > 0) throw new ChangeRequestError(`The draft has ${draft.problems.length} problem(s).`, draft.problems);
  const { rules, steps } = await approvalRouteOf(q, cr, draft.source);
  // SOP-DC-001 step 6: staff train first; only an urgent change, justified by the approving quality
  // manager, takes effect sooner.
  const earliest = earliestEffectiveDate(rules, isoDate(at));
  if (effectiveDate < earliest) {
    if (urgentJustification === null) {
      throw new ChangeRequestError(
        `The effective date ${effectiveDate} leaves less than ${rules.minimumTrainingWorkingDays} working days for training; choose ${earliest} or later, or record why this change is urgent.`,
        [],
        "effectiveDate",
      );
    }
    const problem = urgentJustificationProblem(urgentJustification);
    if (problem) throw new ChangeRequestError(problem, [], "urgentJustification");
  }
  const urgent = effectiveDate < earliest ? urgentJustification : null;
  const signatures = await signaturesOfChange(q.db, crId);
  const functionNames = await jobFunctionNames(q.db);
  const blockers = approvalBlockers({
    contentHash: draft.contentHash,
    authorId: cr.authorId,
    reviewerIds: cr.reviewerIds,
    signatures,
    approverId: approver.userId,
    approverFunctions: await jobFunctionsOf(q.db, approver.userId),
    steps,
    reviewerMayGiveFinalApproval: rules.reviewerMayGiveFinalApproval,
    functionName: (id) => functionNames.get(id) ?? id,
    openComments: await openCommentCount(q.db, cr),
  });
  if (blockers.length > 0) throw new ChangeRequestError(`This change cannot be approved yet: ${blockers.join(" ")}`);
  const trainingDecisions = decideTraining(draft, cr.revision, trainingChoices);
  const existing = await versionsOf(q.db, cr.docId);
  const lastStart = existing
    .map((v) => v.effectiveFrom)
    .sort()
    .at(-1);
  if (lastStart && effectiveDate < lastStart) {
    throw new ChangeRequestError(
      `The effective date ${effectiveDate} is before ${lastStart}, when an approved version of ${cr.docId} takes effect; choose ${lastStart} or later.`,
      [],
      "effectiveDate",
    );
  }
  const current = latest(existing)?.version ?? null;
  const version = nextVersion(current, cr.revision);
  const mainBefore = (await q.repo.branchHead(MAIN_BRANCH))!;
  // A version is only ever built on what Quire itself wrote (docs/decisions/008).
  if (!(await isOwnMainCommit(q.db, mainBefore))) {
    throw new ChangeRequestError(
      `main in the content repository ends in commit ${mainBefore.slice(0, 12)}, which Quire did not write, so nothing can be approved on it. An administrator runs \`npx quire verify\` and removes the foreign commits from main.`,
    );
  }
  const payload: ApprovalPayload = {
    docId: cr.docId,
    docPath: cr.docPath,
    version,
    effectiveDate,
    reason: cr.reason,
    retrainingRequired: cr.retrainingRequired,
    trainingDecisions,
    branchHead: draft.head,
    contentHash: draft.contentHash,
    urgentJustification: urgent,
    approver: {
      userId: approver.userId,
      username: approver.username,
      printedName: approver.printedName,
      clientAddress: approver.clientAddress,
      signedAt: at.toISOString(),
    },
  };
  await q.db.transaction(async (tx) => {
    const fresh = await requireCr(tx, crId);
    assertAllowed("approve", fresh.state);
    if (await tx.get("SELECT 1 FROM approval_intents WHERE cr_id = ?", [crId])) throw new TransitionRefused(`${crId} is already being approved.`);
    // A save that landed after the draft was read would be left out of the version: refuse instead
    // (saves run in transactions too, so none can land between this check and the intent).
    const headNow = await q.repo.branchHead(cr.branch);
    if (headNow !== draft.head) {
      throw new TransitionRefused(
        `The draft of ${crId} changed while it was being approved (a save or a push), so nothing was approved: reload it, read the current content and sign again.`,
      );
    }
    await tx.run("INSERT INTO approval_intents (cr_id, main_before, payload, created_at) VALUES (?, ?, ?, ?)", [
      crId,
      mainBefore,
      JSON.stringify(payload),
      at.toISOString(),
    ]);
  });
  faultPoint("approval:after-intent");
  // Only the signatures that count (this content, this review round) go into the record.
  const valid = validSignatures(signatures, draft.contentHash);
  const approval: SignatureTrailerFields = {
    meaning: "Approved",
    printedName: approver.printedName,
    username: approver.username,
    signedAt: payload.approver.signedAt,
    contentHash: draft.contentHash,
  };
  const signed = valid.flatMap((s): SignatureTrailerFields[] =>
    s.meaning === "Authored" || s.meaning === "Reviewed" || s.meaning === "Function approval" ? [{ ...s, meaning: s.meaning }] : [],
  );
  const message = versionCommitMessage({
    docId: cr.docId,
    version,
    title: cr.title,
    path: cr.docPath,
    effectiveDate,
    reason: cr.reason,
    retrainingRequired: cr.retrainingRequired,
    changeRequest: crId,
    urgentJustification: urgent,
    signatures: [...signed, approval],
    // The audit chain's head goes into git with the version, so a rewritten trail shows (docs/decisions/008).
    auditHead: await newestAuditRow(q.db),
  });
  let commit: string;
  try {
    commit = await q.repo.commit({
      branch: MAIN_BRANCH,
      base: mainBefore,
      extraParents: [draft.head],
      expectedHead: mainBefore,
      // A knowledge check changed on the branch is approved with the document, in the same commit.
      files: [
        { path: cr.docPath, source: draft.source },
        ...(draft.quiz.source !== null && draft.quiz.source !== (await q.repo.readFileOrNull(mainBefore, draft.quiz.path))
          ? [{ path: draft.quiz.path, source: draft.quiz.source }]
          : []),
      ],
      // Removed on the branch (it was there when the branch was cut): removed from the document too.
      remove: draft.quiz.source === null && draft.quiz.baseSource !== null ? [draft.quiz.path] : [],
      message,
      author: gitIdentity(approver),
      date: payload.approver.signedAt,
    });
  } catch (error) {
    await q.db.transaction((tx) => tx.run("DELETE FROM approval_intents WHERE cr_id = ?", [crId]));
    throw error;
  }
  faultPoint("approval:after-commit");
  await q.repo.tag(versionTag(cr.docId, version), commit, versionTagMessage(cr.docId, version, effectiveDate, crId), payload.approver.signedAt);
  faultPoint("approval:after-tag");
  await finishApproval(q, crId, commit, payload);
  faultPoint("approval:after-db");
  return { version, commit };
}

/** The training impact Quire proposes from the draft, with the approver's changes (refused as a field error). */
function decideTraining(draft: DraftView, revision: "major" | "minor", choices: Readonly<Record<string, string>>): Record<string, FunctionDecision> {
  const fm = parseFrontmatter("draft", draft.source);
  if (!fm.ok) return {};
  const impact = proposeTrainingImpact({ before: draft.baseSource, after: draft.source, audience: fm.data.audience, revision, training: fm.data.training });
  try {
    return decideTrainingImpact(impact, choices, revision);
  } catch (error) {
    if (error instanceof ImpactRefused) throw new ChangeRequestError(error.message, [], "impact");
    throw error;
  }
}

/** The database half of an approval: version, approval signature, CR state, audit; drops the intent. */
async function finishApproval(q: Quire, crId: string, commit: string, p: ApprovalPayload): Promise<void> {
  const at = new Date(p.approver.signedAt);
  await q.db.transaction(async (tx) => {
    const source = await q.repo.readFile(commit, p.docPath);
    const fm = parseFrontmatter(p.docPath, source);
    if (!fm.ok) throw new Error(`approved content of ${crId} does not parse`);
    await insertVersionRecord(
      tx,
      {
        docId: p.docId,
        version: p.version,
        commit,
        path: p.docPath,
        contentHash: p.contentHash,
        frontmatter: fm.data,
        reason: p.reason,
        approvedAt: p.approver.signedAt,
        effectiveFrom: p.effectiveDate,
        crId,
        retrainingRequired: p.retrainingRequired ?? (await requireCr(tx, crId)).retrainingRequired,
      },
      at,
    );
    // The audience's training is decided with the version, in the same transaction (SOP-TR-001 step 4).
    await trainAudienceOnApproval(
      tx,
      {
        docId: p.docId,
        version: p.version,
        minor: parseVersion(p.version)!.minor,
        title: fm.data.title,
        frontmatter: fm.data,
        retrainingRequired: p.retrainingRequired ?? (await requireCr(tx, crId)).retrainingRequired,
        effectiveFrom: p.effectiveDate,
      },
      crId,
      { userId: p.approver.userId, username: p.approver.username, clientAddress: p.approver.clientAddress },
      at,
      p.trainingDecisions,
    );
    const signer = { ...p.approver, email: "" };
    await recordSignature(tx, { crId, docId: p.docId, version: p.version, signer, meaning: "Approved", contentHash: p.contentHash, commit, at });
    await recordContentWrite(tx, { commit, kind: "approval", ref: MAIN_BRANCH, tag: versionTag(p.docId, p.version), crId, writtenAt: p.approver.signedAt });
    await tx.run("UPDATE change_requests SET state = 'approved', approved_commit = ?, updated_at = ?, urgent_justification = ? WHERE id = ?", [
      commit,
      p.approver.signedAt,
      p.urgentJustification ?? null,
      crId,
    ]);
    await recordAudit(
      tx,
      {
        userId: p.approver.userId,
        username: p.approver.username,
        clientAddress: p.approver.clientAddress,
        action: "change-request.approve",
        objectType: "change-request",
        objectId: crId,
        oldValues: { state: "in-review" },
        newValues: {
          state: "approved",
          docId: p.docId,
          version: p.version,
          commit,
          tag: versionTag(p.docId, p.version),
          effectiveFrom: p.effectiveDate,
          ...(p.urgentJustification ? { urgentJustification: p.urgentJustification } : {}),
        },
        reason: p.urgentJustification ? `Urgent change: ${p.urgentJustification}` : null,
      },
      at,
    );
    await tx.run("DELETE FROM approval_intents WHERE cr_id = ?", [crId]);
  });
}

/**
 * Run at start: finishes every approval whose commit reached main (creating its tag if the crash
 * came before it) and discards the others, leaving their change requests in review to approve again.
 */
export async function reconcileApprovals(q: Quire, now: Date): Promise<{ finished: string[]; discarded: string[] }> {
  const intents = await q.db.all<{ cr_id: string; main_before: string; payload: string }>("SELECT cr_id, main_before, payload FROM approval_intents");
  const result = { finished: [] as string[], discarded: [] as string[] };
  for (const intent of intents) {
    const payload = JSON.parse(intent.payload) as ApprovalPayload;
    const main = (await q.repo.branchHead(MAIN_BRANCH))!;
    let commit: string | null = null;
    for (const c of await q.repo.commitsBetween(intent.main_before, main)) {
      if ((await q.repo.trailers(c)).get(TRAILER.changeRequest)?.includes(intent.cr_id)) {
        commit = c;
        break;
      }
    }
    if (commit) {
      const tag = versionTag(payload.docId, payload.version);
      if (!(await q.repo.hasTag(tag)))
        await q.repo.tag(tag, commit, versionTagMessage(payload.docId, payload.version, payload.effectiveDate, intent.cr_id), payload.approver.signedAt);
      await finishApproval(q, intent.cr_id, commit, payload);
      result.finished.push(intent.cr_id);
    } else {
      await q.db.transaction(async (tx) => {
        await tx.run("DELETE FROM approval_intents WHERE cr_id = ?", [intent.cr_id]);
        await recordAudit(
          tx,
          {
            userId: null,
            username: "system",
            clientAddress: null,
            action: "change-request.approval.discarded",
            objectType: "change-request",
            objectId: intent.cr_id,
            newValues: { reason: "interrupted before the commit reached main; approve again" },
          },
          now,
        );
      });
      result.discarded.push(intent.cr_id);
    }
  }
  return result;
}
