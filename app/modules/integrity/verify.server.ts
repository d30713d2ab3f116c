import type { Queryable } from "~/db/db.server";
import { allCheckpoints, auditHashAt, verifyAuditTrail } from "~/modules/audit/audit.server";
import { sha256 } from "~/modules/content/hash";
import { MAIN_BRANCH, type ContentRepository } from "~/modules/content/repository.server";
import { TRAILER, parseVersionCommit } from "~/modules/documents/version-commit";
import { allVersions } from "~/modules/documents/versions.server";
import { validSignatures, type SignatureRecord } from "~/modules/signatures/signatures";
import { allSignatures } from "~/modules/signatures/signatures.server";

import { readAnchors } from "./anchor.server";
import { contentWrites, recordedRepositoryRoot } from "./content-writes.server";
import { findForeignRefs } from "./foreign-refs.server";

/** One thing found wrong with the record, naming the row or ref. */
export interface RecordProblem {
  check: "repository" | "version" | "signature" | "ref" | "audit" | "anchor";
  subject: string;
  message: string;
}

export interface RecordVerdict {
  ok: boolean;
  versions: number;
  signatures: number;
  auditRows: number;
  anchors: number;
  problems: RecordProblem[];
}

const SIGNED_MEANINGS = new Set(["Authored", "Reviewed", "Function approval", "Approved"]);
const short = (sha: string) => sha.slice(0, 12);

/** The same signature as a trailer and as a row reduce to the same key (the trailer keeps seconds). */
function signatureKey(s: Pick<SignatureRecord, "meaning" | "username" | "signedAt" | "contentHash">): string {
  return [s.meaning, s.username.toLowerCase(), s.signedAt.replace(/\.\d{3}Z$/, "Z"), s.contentHash].join(" ");
}

/**
 * Checks the whole record (Part 11 §11.10(a), (c), (e); Annex 11 §7, §9): that git and the database
 * agree on every version, signature and ref, and that the audit trail is whole and matches the
 * heads anchored in git. Reads only; every problem names the row or ref.
 */
export async function verifyRecord(db: Queryable, repo: ContentRepository): Promise<RecordVerdict> {
  const problems: RecordProblem[] = [];
  const add = (check: RecordProblem["check"], subject: string, message: string) => problems.push({ check, subject, message });

  // The repository this database was made with.
  const root = await recordedRepositoryRoot(db);
  const roots = await repo.rootCommits(MAIN_BRANCH);
  if (root && !roots.includes(root)) {
    add(
      "repository",
      "main",
      `the database was made with a content repository whose first commit is ${short(root)}; this repository's is ${roots.map(short).join(", ") || "missing"} (a database from another content repository?)`,
    );
  }

  const versions = await allVersions(db);
  const signatures = await allSignatures(db);
  const mainLine = new Set(await repo.firstParentCommits(MAIN_BRANCH));
  const tagTargets = new Map((await repo.versionTags()).map((t) => [t.tag, t.commit]));

  // Read in three git processes for all versions; if git fails there, version by version (below).
  const batch = await repo.readVersionCommits(versions).catch(() => null);

  for (const v of versions) {
    const name = `${v.docId} v${v.version}`;
    try {
      await checkVersion(v, name);
    } catch (error) {
      // A damaged repository (a missing object) is a finding, not a crash.
      add("version", name, `${name}: git could not read commit ${short(v.commit)}: ${(error as Error).message.split("\n")[0]}`);
    }
  }

  async function checkVersion(v: (typeof versions)[number], name: string): Promise<void> {
    if (!(batch ? batch.present.has(v.commit) : await repo.hasCommit(v.commit))) {
      add("version", name, `${name}: its commit ${short(v.commit)} is not in the content repository`);
      return;
    }
    const target = tagTargets.get(v.tag);
    if (!target) add("ref", `refs/tags/${v.tag}`, `${name}: tag ${v.tag} is missing`);
    else if (target !== v.commit)
      add("ref", `refs/tags/${v.tag}`, `${name}: tag ${v.tag} points at ${short(target)}, not the approved commit ${short(v.commit)}`);
    if (!mainLine.has(v.commit)) add("ref", "refs/heads/main", `${name}: its commit ${short(v.commit)} is no longer on main (main was rewound or replaced)`);
    const source = batch ? (batch.files.get(`${v.commit}:${v.path}`) ?? null) : await repo.readFileOrNull(v.commit, v.path);
    if (source === null)
      add("version", name, `${name}: ${v.path} cannot be read from commit ${short(v.commit)} (not in the commit, or a git object is missing)`);
    else if (sha256(source) !== v.contentHash) {
      add("version", name, `${name}: the committed file's SHA-256 is ${short(sha256(source))}…, the version record says ${short(v.contentHash)}…`);
    }
    const facts = parseVersionCommit(batch?.trailers.get(v.commit) ?? (await repo.trailers(v.commit)));
    if (facts.docId !== v.docId || facts.version !== v.version) {
      add("version", name, `${name}: commit ${short(v.commit)} carries ${TRAILER.document}/${TRAILER.version} ${facts.docId} ${facts.version}`);
    }
    if (facts.effectiveDate !== v.effectiveFrom) {
      add(
        "version",
        name,
        `${name}: the version record's effective date ${v.effectiveFrom} differs from the commit's ${TRAILER.effective} ${facts.effectiveDate}`,
      );
    }
    if (v.retrainingRequired != null && facts.retrainingRequired !== null && facts.retrainingRequired !== v.retrainingRequired) {
      add(
        "version",
        name,
        `${name}: the version record says retraining is ${v.retrainingRequired ? "" : "not "}required; the commit's ${TRAILER.retraining} says otherwise`,
      );
    }
    for (const [key, value] of facts.unreadable)
      add("signature", name, `${name}: trailer ${key}: ${value.slice(0, 80)} in commit ${short(v.commit)} cannot be read`);

    // The signatures that made this version, against the commit's signature trailers and the content.
    const own = v.crId
      ? validSignatures(
          signatures.filter((s) => s.crId === v.crId && SIGNED_MEANINGS.has(s.meaning)),
          v.contentHash,
        )
      : signatures.filter((s) => s.crId === null && s.docId === v.docId && s.version === v.version && SIGNED_MEANINGS.has(s.meaning));
    const rowKeys = new Map(own.map((s) => [signatureKey(s), s]));
    const trailerKeys = new Set<string>();
    for (const parsed of facts.signatures) {
      const k = signatureKey(parsed);
      trailerKeys.add(k);
      if (!rowKeys.has(k))
        add(
          "signature",
          name,
          `${name}: the ${parsed.meaning} trailer of ${parsed.username} at ${parsed.signedAt} in commit ${short(v.commit)} has no matching signature record`,
        );
    }
    for (const [k, s] of rowKeys) {
      if (!trailerKeys.has(k))
        add(
          "signature",
          `signature ${s.id}`,
          `signature ${s.id} (${s.meaning} by ${s.username} at ${s.signedAt}) is not among the signature trailers of ${name}'s commit ${short(v.commit)}`,
        );
    }
    for (const s of signatures.filter((x) => x.docId === v.docId && x.version === v.version && SIGNED_MEANINGS.has(x.meaning))) {
      if (s.contentHash !== v.contentHash)
        add(
          "signature",
          `signature ${s.id}`,
          `signature ${s.id} (${s.meaning} by ${s.username}) is bound to content ${short(s.contentHash)}…, not ${name}'s ${short(v.contentHash)}…`,
        );
    }
  }

  // Every signature record matches the audit row written with it (the trail is anchored in git).
  const signedEvents = await db.all<{ seq: number; username: string | null; new_values: string | null }>(
    "SELECT seq, username, new_values FROM audit_events WHERE action = 'signature.sign' ORDER BY seq",
  );
  const audited = new Map<string, number>();
  for (const e of signedEvents) {
    const nv = JSON.parse(e.new_values ?? "null") as Record<string, unknown> | null;
    if (!nv) continue;
    const key = [nv.meaning, e.username, nv.printedName, nv.signedAt, nv.contentHash, nv.docId, nv.version ?? null, nv.commit ?? null].join("\u0000");
    audited.set(key, (audited.get(key) ?? 0) + 1);
  }
  for (const s of signatures) {
    const key = [s.meaning, s.username, s.printedName, s.signedAt, s.contentHash, s.docId, s.version, s.commit].join("\u0000");
    const left = audited.get(key) ?? 0;
    if (left === 0)
      add(
        "signature",
        `signature ${s.id}`,
        `signature ${s.id} (${s.meaning} by ${s.username} at ${s.signedAt}) does not match the audit record of its signing`,
      );
    else audited.set(key, left - 1);
  }

  // Refs: tags and main commits Quire did not write, its own commits no longer on main.
  for (const f of await findForeignRefs(db, repo)) {
    if (f.kind === "missing-tag") continue; // reported with its version above
    if (f.kind === "rewound-main" && versions.some((v) => v.commit === f.target)) continue;
    add("ref", f.ref, f.message);
  }

  // The audit trail: its chain, and every head git holds.
  const chain = await verifyAuditTrail(db);
  if (!chain.ok) add("audit", `audit row ${chain.seq}`, `audit trail: ${chain.message}`);
  const approvalCommits = (await contentWrites(db)).filter((w) => w.kind === "approval").map((w) => w.commit);
  const anchors = await readAnchors(repo, approvalCommits);
  for (const a of anchors) {
    const hash = await auditHashAt(db, a.seq);
    const where = a.source === "approval" ? `approval commit ${short(a.commit)}` : `anchor commit ${short(a.commit)}`;
    if (hash === null) add("anchor", `audit row ${a.seq}`, `audit row ${a.seq}, anchored in ${where}, is missing from the audit trail`);
    else if (hash !== a.hash) add("anchor", `audit row ${a.seq}`, `audit row ${a.seq} differs from its hash anchored in ${where} (the trail was rewritten)`);
  }
  // Verified checkpoints let the audit page check only newer rows; each must still match its row.
  for (const c of await allCheckpoints(db)) {
    const hash = await auditHashAt(db, c.seq);
    if (hash !== c.hash)
      add(
        "audit",
        `audit row ${c.seq}`,
        `audit row ${c.seq} ${hash === null ? "is missing" : "differs from its hash"} at the checkpoint verified ${c.verifiedAt}`,
      );
  }

  return { ok: problems.length === 0, versions: versions.length, signatures: signatures.length, auditRows: chain.count, anchors: anchors.length, problems };
}
