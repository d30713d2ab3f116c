import type { DataFolder } from "~/data-folder.server";
import type { Queryable, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { versionOrigin } from "~/modules/documents/versions.server";
import type { CurrentUser } from "~/modules/users/auth.server";
import { checkCredentials, type Actor } from "~/modules/users/users.server";

import { FUNCTION_MEANINGS, SIGNATURE_PURPOSES, SIGNATURE_STATEMENTS, validSignatures, type SignatureMeaning, type SignatureRecord } from "./signatures";

interface SignatureRow {
  id: number;
  cr_id: string | null;
  doc_id: string;
  version: string | null;
  user_id: string;
  username: string;
  printed_name: string;
  meaning: SignatureMeaning;
  signed_at: string;
  content_hash: string;
  commit_sha: string | null;
  job_function: string | null;
}

const COLUMNS =
  "id, cr_id, doc_id, version, user_id, username, printed_name, meaning, signed_at, content_hash, commit_sha, (SELECT job_function FROM function_approvals f WHERE f.signature_id = signatures.id) AS job_function";

function toRecord(r: SignatureRow): SignatureRecord {
  return {
    id: r.id,
    crId: r.cr_id,
    docId: r.doc_id,
    version: r.version,
    userId: r.user_id,
    username: r.username,
    printedName: r.printed_name,
    meaning: r.meaning,
    signedAt: r.signed_at,
    contentHash: r.content_hash,
    commit: r.commit_sha,
    jobFunction: r.job_function,
  };
}

export interface NewSignature {
  crId: string | null;
  docId: string;
  version: string | null;
  signer: Actor & { userId: string; username: string; printedName: string };
  meaning: SignatureMeaning;
  contentHash: string;
  commit: string | null;
  at: Date;
  /** A "Function approval" names the job function it is given for. */
  jobFunction?: string;
}

/**
 * The one signature service. The caller has verified the signer's password (re-entered on the
 * signing form, Part 11 §11.200(a)); this writes the signature record, bound to the SHA-256 of the
 * exact content signed (§11.70), with its audit row in the same transaction.
 */
export async function recordSignature(tx: Tx, s: NewSignature): Promise<number> {
  const signedAt = s.at.toISOString();
  const result = await tx.run(
    `INSERT INTO signatures (cr_id, doc_id, version, user_id, username, printed_name, meaning, signed_at, content_hash, commit_sha, statement) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      s.crId,
      s.docId,
      s.version,
      s.signer.userId,
      s.signer.username,
      s.signer.printedName,
      s.meaning,
      signedAt,
      s.contentHash,
      s.commit,
      SIGNATURE_STATEMENTS[s.meaning],
    ],
  );
  if (FUNCTION_MEANINGS.has(s.meaning) !== (s.jobFunction !== undefined)) throw new Error("a function approval, and only one, names its job function");
  if (s.jobFunction !== undefined) {
    if (!s.crId) throw new Error("a function approval belongs to a change request");
    await tx.run("INSERT INTO function_approvals (signature_id, cr_id, job_function) VALUES (?, ?, ?)", [result.lastID, s.crId, s.jobFunction]);
  }
  await recordAudit(
    tx,
    {
      userId: s.signer.userId,
      username: s.signer.username,
      clientAddress: s.signer.clientAddress,
      action: "signature.sign",
      objectType: s.crId ? "change-request" : "document",
      objectId: s.crId ?? s.docId,
      newValues: {
        meaning: s.meaning,
        statement: SIGNATURE_STATEMENTS[s.meaning],
        printedName: s.signer.printedName,
        signedAt,
        contentHash: s.contentHash,
        docId: s.docId,
        version: s.version,
        commit: s.commit,
        ...(s.jobFunction !== undefined ? { jobFunction: s.jobFunction } : {}),
      },
    },
    s.at,
  );
  return result.lastID;
}

export async function signaturesOfChange(db: Queryable, crId: string): Promise<SignatureRecord[]> {
  return (await db.all<SignatureRow>(`SELECT ${COLUMNS} FROM signatures WHERE cr_id = ? ORDER BY id`, [crId])).map(toRecord);
}

/** Signatures shown with a version wherever it is shown (manifestation, Part 11 §11.50). */
export async function signaturesOfVersion(db: Queryable, docId: string, version: string): Promise<SignatureRecord[]> {
  // The version's record (documents module) names the change request that made it; still two statements.
  const made = await versionOrigin(db, docId, version);
  if (!made) return [];
  const rows = await db.all<SignatureRow>(`SELECT ${COLUMNS} FROM signatures WHERE doc_id = ? AND (version = ? OR cr_id = ?) ORDER BY id`, [
    docId,
    version,
    made.crId,
  ]);
  // Only the signatures on the content that became this version, from its last review round.
  const records = rows.map(toRecord).filter((s) => SIGNATURE_PURPOSES[s.meaning] === "document-control");
  const own = (s: SignatureRecord) => s.crId !== null && s.crId === made.crId;
  const fromChange = validSignatures(
    records.filter((s) => own(s) && s.meaning !== "Periodic review" && s.meaning !== "Retired"),
    made.contentHash,
  );
  // Then what was signed on it later: periodic reviews, and a withdrawal request's approvals and retirement.
  const later = records.filter((s) => !own(s) && s.contentHash === made.contentHash);
  return [...fromChange, ...later];
}

/** Every signature record with its statement, oldest first (the record check compares each with git and the audit trail). */
export async function allSignatures(db: Queryable): Promise<(SignatureRecord & { statement: string | null })[]> {
  const rows = await db.all<SignatureRow & { statement: string | null }>(`SELECT ${COLUMNS}, statement FROM signatures ORDER BY id`);
  return rows.map((r) => ({ ...toRecord(r), statement: r.statement }));
}

export async function getSignature(db: Queryable, id: number): Promise<SignatureRecord | null> {
  const row = await db.get<SignatureRow>(`SELECT ${COLUMNS} FROM signatures WHERE id = ?`, [id]);
  return row ? toRecord(row) : null;
}

/** Signature records by id, in one statement whatever the number of ids (for records that each point to one signature). */
export async function signaturesById(db: Queryable, ids: readonly number[]): Promise<Map<number, SignatureRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await db.all<SignatureRow>(`SELECT ${COLUMNS} FROM signatures WHERE id IN (${ids.map(() => "?").join(", ")})`, [...ids]);
  return new Map(rows.map((r) => [r.id, toRecord(r)]));
}

/** Read-and-understood acknowledgements (the training purpose), oldest first: one person's, optionally of one document. */
export async function acknowledgementsOf(db: Queryable, userId: string, docId?: string): Promise<SignatureRecord[]> {
  const rows = await db.all<SignatureRow>(
    `SELECT ${COLUMNS} FROM signatures WHERE user_id = ? AND meaning = 'Read and understood'${docId === undefined ? "" : " AND doc_id = ?"} ORDER BY id`,
    docId === undefined ? [userId] : [userId, docId],
  );
  return rows.map(toRecord);
}

export class SignaturePasswordRefused extends Error {}

declare const verified: unique symbol;

/**
 * A signer whose password has just been re-entered and checked (Part 11 §11.200(a)(1)). Only
 * verifySigner makes one, so a signing function that asks for a VerifiedSigner cannot be reached
 * without the check.
 */
export interface VerifiedSigner {
  readonly userId: string;
  readonly username: string;
  readonly printedName: string;
  readonly clientAddress: string | null;
  readonly [verified]: true;
}

/**
 * Part 11 §11.200(a)(1): each signing re-enters the password. A wrong password is audited and
 * counts toward the account's lockout, exactly as a failed sign-in does.
 */
export async function verifySigner(q: DataFolder, user: Pick<CurrentUser, "username" | "clientAddress">, password: string): Promise<VerifiedSigner> {
  const result = await checkCredentials(q, user.username, password, user.clientAddress, "signature");
  if (!result.ok) {
    throw new SignaturePasswordRefused(
      result.reason === "locked" ? result.message : "The password is not correct, so nothing was signed. Failed attempts count toward locking your account.",
    );
  }
  return { userId: result.user.id, username: result.user.username, printedName: result.user.displayName, clientAddress: user.clientAddress } as VerifiedSigner;
}
