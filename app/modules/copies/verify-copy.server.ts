// `quire verify-copy`: is a PDF in hand a genuine, unaltered copy printed by Quire, which version and
// copy is it, and is it still current? Reads only the register and the audit trail (no PDF engine).
import { createHash } from "node:crypto";

import type { Queryable } from "~/db/db.server";
import type { VersionStatus } from "~/modules/documents/documents";
import { UNCONTROLLED_COPY } from "~/modules/pdf/pdf";

import { parseCopyNumber, type CopyStatus } from "./copies";
import { readCopyInfo } from "./pdf-copy-info";
import { getCopy, versionStatusesOn, type RegisterRow } from "./register.server";

export interface CopyVerdict {
  file: string;
  genuine: boolean;
  /** "controlled" (in the register), "uncontrolled" (a printout in the audit trail), or null when not genuine. */
  kind: "controlled" | "uncontrolled" | null;
  copyId: string | null;
  doc: string | null;
  version: string | null;
  /** The version's status today. */
  status: VersionStatus | null;
  /** Genuine, the version not superseded or retired, and (a controlled copy) not recalled. */
  current: boolean;
  /** A controlled copy's place in the register today. */
  copyStatus: CopyStatus | null;
  printedAt: string | null;
  printedBy: string | null;
  sha256: string;
  recall: RegisterRow["recall"];
  problems: string[];
}

/**
 * Checks a PDF: reads the copy number from its metadata, finds the copy in the register (or, for an
 * uncontrolled printout, its export in the audit trail) and compares the file's SHA-256 with the
 * one recorded. The metadata only says where to look; the hash is the proof (any edit changes it).
 */
export async function verifyCopyFile(db: Queryable, file: string, bytes: Buffer, today: string): Promise<CopyVerdict> {
  const hash = createHash("sha256").update(bytes).digest("hex");
  const verdict: CopyVerdict = {
    file,
    genuine: false,
    kind: null,
    copyId: null,
    doc: null,
    version: null,
    status: null,
    current: false,
    copyStatus: null,
    printedAt: null,
    printedBy: null,
    sha256: hash,
    recall: null,
    problems: [],
  };
  const info = readCopyInfo(bytes);
  if (!info.ok) return { ...verdict, problems: [info.problem] };
  if (info.copy === UNCONTROLLED_COPY) return verifyUncontrolled(db, verdict, today);
  verdict.copyId = info.copy;
  const parsed = parseCopyNumber(info.copy);
  if (!parsed) return { ...verdict, problems: [`the copy number in the PDF's metadata (${info.copy}) is not a Quire copy number`] };
  verdict.doc = parsed.docId;
  verdict.version = parsed.version;
  const copy = await getCopy(db, info.copy, today);
  if (!copy) return { ...verdict, problems: [`copy ${info.copy} is not in the copy register: it was not issued by Quire`] };
  Object.assign(verdict, {
    kind: "controlled",
    status: copy.versionStatus,
    copyStatus: copy.status,
    printedAt: copy.printedAt,
    printedBy: copy.printedBy,
    recall: copy.recall,
  });
  if (copy.sha256 !== hash) {
    return {
      ...verdict,
      problems: [`the file's SHA-256 ${hash} differs from the one the register holds for ${copy.copyId} (${copy.sha256}): the file was altered after issue`],
    };
  }
  return { ...verdict, genuine: true, current: copy.status === "outstanding" };
}

/** An uncontrolled printout (quire pdf, Download PDF): genuine if its exact bytes were recorded as exported. */
async function verifyUncontrolled(db: Queryable, verdict: CopyVerdict, today: string): Promise<CopyVerdict> {
  const rows = await db.all<{ object_id: string; new_values: string }>(
    "SELECT object_id, new_values FROM audit_events WHERE action = 'document.pdf.export' AND new_values LIKE ? ORDER BY seq LIMIT 1",
    [`%"sha256":"${verdict.sha256}"%`],
  );
  const row = rows[0];
  if (!row) {
    return {
      ...verdict,
      problems: ["no printout with this file's SHA-256 is recorded in the audit trail: the file was altered after printing, or was not printed by Quire"],
    };
  }
  const printed = JSON.parse(row.new_values) as { version: string; printedAt: string; printedBy: string };
  const statuses = await versionStatusesOn(db, today);
  const status = statuses.get(`${row.object_id} ${printed.version}`) ?? null;
  return {
    ...verdict,
    genuine: true,
    kind: "uncontrolled",
    doc: row.object_id,
    version: printed.version,
    status,
    current: status === "effective" || status === "approved",
    printedAt: printed.printedAt,
    printedBy: printed.printedBy,
  };
}
